"""The Socket.IO namespace: sign-in at connect, consultation rooms, signal relay, chat, presence."""
from __future__ import annotations

import logging
import time

import socketio

from db.connect import OUTAGE_ERRORS
from server.accounts import service as auth
from server.audit import service as audit
from server.audit.service import Actor
from server.consultations import service as consults
from server.keys import DB_POOL, EVENTS, INSTANCE_ID, METRICS, QUEUE_ORDERS, RATE_LIMITER, SETTINGS, USER
from server.presence import service as presence
from server.queue import service as queue_service
from server.visits import service as visits
from server.web import i18n
from server.web.addresses import client_address
from server.web.errors import AppError, Conflict, DatabaseUnavailable, Forbidden, NotFound
from signaling import guests as guest_calls
from signaling import home_calls, live, messages

log = logging.getLogger(__name__)


class ClinicNamespace(socketio.AsyncNamespace):
    """Default namespace. The user lives in the Socket.IO session; the consultation id is the room."""

    def __init__(self, app, namespace: str = "/"):
        super().__init__(namespace)
        self.app = app

    async def trigger_event(self, event, *args):
        """Route `queue:subscribe` to `on_queue_subscribe` (API event names use colons), and answer every
        event with an ack, whatever its payload: an error code the page can act on, never silence."""
        name = (event or "").replace(":", "_")
        if name in ("connect", "disconnect"):
            return await super().trigger_event(name, *args)
        lang = await self._lang(args[0]) if args else "zh"
        if not callable(getattr(self, f"on_{name}", None)):
            return AppError("There is no such event.", code="unknown_event").ack(lang)
        if len(args) > 2:  # sid and at most one payload
            return AppError("Send one payload object.", code="bad_payload").ack(lang)
        try:
            return await super().trigger_event(name, *args)
        except AppError as error:
            return error.ack(lang)
        except OUTAGE_ERRORS:
            log.warning("database unavailable during %s", name)
            return _retry(DatabaseUnavailable().ack(lang))
        except Exception:
            log.exception("socket event %s failed", name)
            return _retry(AppError("Something went wrong on our side; please send again.",
                                   code="internal_error").ack(lang))

    async def _lang(self, sid) -> str:
        try:
            return (await self.get_session(sid)).get("lang", "zh")
        except KeyError:
            return "zh"

    @property
    def pool(self):
        return self.app[DB_POOL]

    async def on_connect(self, sid, environ, auth_data=None):
        """Refuse strangers: the session cookie must name a live session."""
        request = environ.get("aiohttp.request")
        token = request.cookies.get(auth.SESSION_COOKIE) if request is not None else None
        if request is not None and USER in request:  # the session middleware read it for this very request
            user = request[USER]
        else:
            async with self.pool.acquire() as conn:
                user = await auth.session_user(conn, token, self.app[SETTINGS].doctor_idle_minutes)
        ip = client_address(request) if request is not None else None
        lang = i18n.pick_language(request) if request is not None else "zh"
        if user is None and await guest_calls.connect(self, sid, auth_data, ip, lang):  # a call guest's link
            self._count(+1)
            return
        if user is None:
            raise ConnectionRefusedError("not_signed_in")
        key = auth.token_hash(token)
        try:
            await self.save_session(sid, {"user": dict(user), "ip": ip, "rooms": {}, "lang": lang,
                                          "session_hash": key})
        except KeyError:  # the client went away while its session was looked up: nothing to set up
            return False
        await self.enter_room(sid, live.user_room(user["id"]))
        await self.enter_room(sid, live.session_room(key))
        if user["role"] == "doctor":
            await self.enter_room(sid, live.doctors_room(user["department"]))
            await self.enter_room(sid, live.queue_room(user["department"]))
        self._count(+1)

    async def on_disconnect(self, sid, reason=None):
        """Tell the other member when this was a role's last connection in a room."""
        self._count(-1)
        session = await self.get_session(sid)
        if session and session["user"]["role"] == "guest":
            return await guest_calls.left(self, session)
        async with self.pool.acquire() as conn:
            await queue_service.unwatch(conn, sid)
            if session.get("home_calls"):
                await home_calls.left(self, conn, sid)
            gone = await presence.leave(conn, sid)
            for consultation_id, role, still_present in gone:
                if not still_present:
                    await member_left(self, conn, consultation_id, role)

    async def on_queue_subscribe(self, sid, payload=None):
        """A waiting patient asks for live queue updates; the ack carries a fresh snapshot (resync)."""
        session = await self.get_session(sid)
        user = session["user"]
        if user["role"] != "patient":
            return Forbidden("Only patients wait in a queue.").ack(session["lang"])
        async with self.pool.acquire() as conn:
            entry = await queue_service.open_entry(conn, user["id"])
            if entry is None:
                return NotFound(code="not_queued").ack(session["lang"])
            # Enter the room before taking the snapshot, so no change can fall between the two.
            await self.enter_room(sid, live.queue_room(entry["department"]))
            back = None
            if not session.get("watching"):  # a resync on a connection already watching costs one read
                back = await queue_service.watch(conn, sid, self.app[INSTANCE_ID], user["id"])
                session["watching"] = True
            if back is not None:  # they had been marked away: their place is theirs again
                entry = await queue_service.open_entry(conn, user["id"])
            view = await queue_service.entry_view(conn, entry, self.app[SETTINGS].day_ends_at, self.app[QUEUE_ORDERS])
        if back is not None:
            await self.app[EVENTS].queue_changed(back)
        return {"ok": True, "entry": view}

    async def on_join(self, sid, payload=None):
        """Enter a consultation room; only its patient and doctor may, again after a reconnect."""
        session = await self.get_session(sid)
        user = session["user"]
        try:
            cid = messages.consultation_id(payload)
        except messages.BadMessage as exc:
            return exc.ack(session["lang"])
        if user["role"] == "guest":
            return await guest_calls.join(self, sid, session, cid)
        async with self.pool.acquire() as conn:
            role, status = await consults.membership(conn, cid, user)
            if role is None or status is None:
                await _audit(conn, session, "consultation.join", cid, allowed=False)
                return Forbidden("You are not in this consultation.").ack(session["lang"])
            if status == "ended":
                return Conflict(code="ended").ack(session["lang"])
            refusal = await visits.call_refusal(conn, cid)  # a child under 6 without a guardian; no video consent
            if refusal is not None:
                return refusal.ack(session["lang"])
            # In the rooms before being counted present: a member who joins at the same moment
            # then either sees us in presence or reaches us with `peer:joined`, never neither.
            await self.enter_room(sid, live.consult_room(cid))
            await self.enter_room(sid, live.member_room(cid, role))
            before = await presence.enter(conn, sid, self.app[INSTANCE_ID], cid, user["id"], role)
            await consults.member_joined(conn, cid, role)
            await _audit(conn, session, "consultation.join", cid, allowed=True)
        session["rooms"][cid] = role
        other = live.other_role(role)
        if role not in before:
            for room in (live.member_room(cid, other), live.member_room(cid, "guest")):  # a guest offers again
                await self.emit("peer:joined", {"consultation_id": str(cid), "role": role}, room=room)
        peers = sorted(before - {role})
        return {"ok": True, "role": role, "peers": peers}

    async def on_signal(self, sid, payload=None):
        """Relay offer/answer/candidate/hangup to the other member only."""
        started = time.perf_counter()
        session = await self.get_session(sid)
        try:
            cid, kind, data = messages.signal(payload)
        except messages.BadMessage as exc:
            return exc.ack(session["lang"])
        role = self._joined(sid, session, cid)
        if role is None:
            return AppError(code="not_joined").ack(session["lang"])
        try:
            to = messages.signal_target(payload, role) or live.other_role(role)
        except messages.BadMessage as exc:
            return exc.ack(session["lang"])
        await self.emit("signal", {"consultation_id": str(cid), "kind": kind, "data": data, "from_role": role},
                        room=live.member_room(cid, to))
        metrics = self.app.get(METRICS)
        if metrics is not None:
            metrics.relay_latency.observe(time.perf_counter() - started)
        return {"ok": True}

    async def on_chat(self, sid, payload=None):
        """Store a chat message, then send it to both members; a resend (same client_id) is not stored twice."""
        session = await self.get_session(sid)
        try:
            cid, text, client_id = messages.chat(payload)
        except messages.BadMessage as exc:
            return exc.ack(session["lang"])
        role = self._joined(sid, session, cid)
        if role is None or role == "guest":  # the chat is the record's: patient and doctor only
            return AppError(code="not_joined").ack(session["lang"])
        limiter = self.app.get(RATE_LIMITER)
        if limiter is not None:
            await limiter.check_chat(session["user"]["id"], cid)
        async with self.pool.acquire() as conn:
            message, new = await consults.add_message(conn, cid, session["user"], role, text,
                                                      session_hash=session.get("session_hash"), client_id=client_id)
        if new:
            await self.emit("chat", message, room=live.consult_room(cid))
        return {"ok": True, "message": message}

    async def on_homecall_join(self, sid, payload=None):
        """Enter a home video call's room (server/homewatch/calls.py): its caller, or the home once answered."""
        return await home_calls.join(self, sid, await self.get_session(sid), payload)

    async def on_homecall_signal(self, sid, payload=None):
        """Relay a home call's offer/answer/candidate/hangup/restart to its other member."""
        return await home_calls.signal(self, sid, await self.get_session(sid), payload)

    def _joined(self, sid, session: dict, consultation_id: int) -> str | None:
        """The connection's role in the consultation, or None when it is not (or no longer) in its room.

        Membership is the room itself: ending the consultation closes its rooms on every process,
        so a connection that joined before is out from then on.
        """
        role = session["rooms"].get(consultation_id)
        if role is None:
            return None
        # One look-up in the room itself: `self.rooms(sid)` scans every room of the process (the
        # manager keeps rooms -> members only), 62 % of the server's CPU at 1,000 pairs (bench/README.md).
        members = self.server.manager.rooms.get(self.namespace, {}).get(live.member_room(consultation_id, role))
        return role if members is not None and sid in members else None

    def _count(self, delta: int) -> None:
        metrics = self.app.get(METRICS)
        if metrics is not None:
            metrics.socket_connections.inc(delta)


def _retry(ack: dict) -> dict:
    """An error ack the page should answer by sending again (nothing was stored)."""
    ack["error"]["retry"] = True
    return ack


async def _audit(conn, session: dict, action: str, consultation_id: int, allowed: bool) -> None:
    await audit.record(conn, Actor.of(session["user"], session.get("ip")), action, "consultation",
                       consultation_id, allowed=allowed)


async def member_left(sio, conn, consultation_id: int, role: str) -> None:
    """A member's last connection in a room is gone: start their grace period, tell the other member."""
    await consults.member_left(conn, consultation_id, role)
    await sio.emit("peer:left", {"consultation_id": str(consultation_id), "role": role},
                   room=live.member_room(consultation_id, live.other_role(role)))
