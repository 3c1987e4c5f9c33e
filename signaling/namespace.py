"""The Socket.IO namespace: sign-in at connect, consultation rooms, signal relay, chat, presence."""
from __future__ import annotations

import logging
import time

import socketio

from server.accounts import service as auth
from server.audit import service as audit
from server.audit.service import Actor
from server.consultations import service as consults
from server.keys import DB_POOL, EVENTS, INSTANCE_ID, METRICS
from server.presence import service as presence
from server.queue import service as queue_service
from server.web import i18n
from server.web.errors import AppError, Conflict, Forbidden, NotFound
from signaling import live, messages

log = logging.getLogger(__name__)


class ClinicNamespace(socketio.AsyncNamespace):
    """Default namespace. The user lives in the Socket.IO session; the consultation id is the room."""

    def __init__(self, app, namespace: str = "/"):
        super().__init__(namespace)
        self.app = app

    async def trigger_event(self, event, *args):
        """Route `queue:subscribe` to `on_queue_subscribe`: API event names use colons."""
        return await super().trigger_event((event or "").replace(":", "_"), *args)

    @property
    def pool(self):
        return self.app[DB_POOL]

    async def on_connect(self, sid, environ, auth_data=None):
        """Refuse strangers: the session cookie must name a live session."""
        request = environ.get("aiohttp.request")
        token = request.cookies.get(auth.SESSION_COOKIE) if request is not None else None
        async with self.pool.acquire() as conn:
            user = await auth.session_user(conn, token)
        if user is None:
            raise ConnectionRefusedError("not_signed_in")
        ip = request.remote if request is not None else None
        lang = i18n.pick_language(request) if request is not None else "zh"
        await self.save_session(sid, {"user": dict(user), "ip": ip, "rooms": {}, "lang": lang})
        await self.enter_room(sid, live.user_room(user["id"]))
        if user["role"] == "doctor":
            await self.enter_room(sid, live.doctors_room(user["department"]))
            await self.enter_room(sid, live.queue_room(user["department"]))
        self._count(+1)

    async def on_disconnect(self, sid, reason=None):
        """Tell the other member when this was a role's last connection in a room."""
        self._count(-1)
        async with self.pool.acquire() as conn:
            await queue_service.unwatch(conn, sid)
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
            view = await queue_service.entry_view(conn, entry)
        if back is not None:
            await self.app[EVENTS].queue_changed(back)
        return {"ok": True, "entry": view}

    async def on_join(self, sid, payload):
        """Enter a consultation room; only its patient and doctor may, again after a reconnect."""
        session = await self.get_session(sid)
        user = session["user"]
        try:
            cid = messages.consultation_id(payload)
        except messages.BadMessage as exc:
            return exc.ack(session["lang"])
        async with self.pool.acquire() as conn:
            role, status = await consults.membership(conn, cid, user)
            if role is None or status is None:
                await _audit(conn, session, "consultation.join", cid, allowed=False)
                return Forbidden("You are not in this consultation.").ack(session["lang"])
            if status == "ended":
                return Conflict(code="ended").ack(session["lang"])
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
            await self.emit("peer:joined", {"consultation_id": str(cid), "role": role},
                            room=live.member_room(cid, other))
        peers = sorted(before - {role})
        return {"ok": True, "role": role, "peers": peers}

    async def on_signal(self, sid, payload):
        """Relay offer/answer/candidate/hangup to the other member only."""
        started = time.perf_counter()
        session = await self.get_session(sid)
        try:
            cid, kind, data = messages.signal(payload)
        except messages.BadMessage as exc:
            return exc.ack(session["lang"])
        role = session["rooms"].get(cid)
        if role is None:
            return AppError(code="not_joined").ack(session["lang"])
        await self.emit("signal", {"consultation_id": str(cid), "kind": kind, "data": data, "from_role": role},
                        room=live.member_room(cid, live.other_role(role)))
        metrics = self.app.get(METRICS)
        if metrics is not None:
            metrics.relay_latency.observe(time.perf_counter() - started)
        return {"ok": True}

    async def on_chat(self, sid, payload):
        """Store a chat message, then send it to both members."""
        session = await self.get_session(sid)
        try:
            cid, text = messages.chat(payload)
        except messages.BadMessage as exc:
            return exc.ack(session["lang"])
        role = session["rooms"].get(cid)
        if role is None:
            return AppError(code="not_joined").ack(session["lang"])
        async with self.pool.acquire() as conn:
            message = await consults.add_message(conn, cid, session["user"], role, text)
        await self.emit("chat", message, room=live.consult_room(cid))
        return {"ok": True, "message": message}

    def _count(self, delta: int) -> None:
        metrics = self.app.get(METRICS)
        if metrics is not None:
            metrics.socket_connections.inc(delta)


async def _audit(conn, session: dict, action: str, consultation_id: int, allowed: bool) -> None:
    await audit.record(conn, Actor.of(session["user"], session.get("ip")), action, "consultation",
                       consultation_id, allowed=allowed)


async def member_left(sio, conn, consultation_id: int, role: str) -> None:
    """A member's last connection in a room is gone: start their grace period, tell the other member."""
    await consults.member_left(conn, consultation_id, role)
    await sio.emit("peer:left", {"consultation_id": str(consultation_id), "role": role},
                   room=live.member_room(consultation_id, live.other_role(role)))
