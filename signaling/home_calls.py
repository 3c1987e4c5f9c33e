"""Socket.IO side of the video calls into a home (server/homewatch/calls.py): the same offer/answer
relay as the consultation call, in rooms of their own, for the caller (who offers) and the home
(which answers). The home enters only once it answered; a member who reconnects joins again and the
caller offers afresh, so a reload or a dropped network resumes the call."""
from __future__ import annotations

from server.audit.service import Actor
from server.homewatch import call_queries as sql
from server.homewatch import calls
from server.keys import INSTANCE_ID
from server.web.errors import AppError, Conflict, NotFound
from server.web.validation import parse_id
from signaling import live, messages


def other(role: str) -> str:
    """The other member of a home call."""
    return "home" if role == "caller" else "caller"


def call_id(payload) -> int:
    """The positive integer call id of a payload."""
    if not isinstance(payload, dict):
        raise messages.BadMessage("bad_payload", "The payload must be an object.")
    try:
        return parse_id(payload.get("call_id"))
    except ValueError:
        raise messages.BadMessage("bad_call_id", "call_id is missing or not an id.") from None


async def roles_present(conn, cid: int) -> set[str]:
    """The member roles with a live connection in the call's room (on any live process)."""
    return {r["role"] for r in await conn.fetch(sql.ROLES_PRESENT, cid)}


async def join(namespace, sid, session: dict, payload) -> dict:
    """Enter a home call's room: its caller, or the home once it has answered; again after a reconnect."""
    user, lang = session["user"], session["lang"]
    try:
        cid = call_id(payload)
    except messages.BadMessage as exc:
        return exc.ack(lang)
    if user.get("id") is None:  # a consultation guest's link never reaches a home
        return NotFound(code="call_not_found").ack(lang)
    actor = Actor.of(user, session.get("ip"))
    async with namespace.pool.acquire() as conn:
        await calls.expire(conn, None, user["id"])
        try:
            call, role = await calls.load(conn, cid, user, actor, "homewatch.call.join")
        except AppError as error:
            return error.ack(lang)
        if call["status"] == "ended":
            return Conflict(code="ended", text="error.call_ended").ack(lang)
        if role == "home" and call["status"] != "active":
            return Conflict("Answer the call first.", code="not_answered").ack(lang)
        await namespace.enter_room(sid, live.home_call_room(cid))
        await namespace.enter_room(sid, live.home_call_member_room(cid, role))
        before = await roles_present(conn, cid)
        await conn.execute(sql.ENTER, sid, namespace.app[INSTANCE_ID], cid, user["id"], role)
        await conn.execute(sql.MEMBER_JOINED, cid, role)
    session.setdefault("home_calls", {})[cid] = role
    if role not in before:
        await namespace.emit("homecall:peer_joined", {"call_id": str(cid), "role": role},
                             room=live.home_call_member_room(cid, other(role)))
    return {"ok": True, "role": role, "peers": sorted(before - {role})}


async def signal(namespace, sid, session: dict, payload) -> dict:
    """Relay offer/answer/candidate/hangup/restart to the other member only."""
    lang = session["lang"]
    try:
        cid, kind, data = messages.signal(payload, id_of=call_id)
    except messages.BadMessage as exc:
        return exc.ack(lang)
    role = session.get("home_calls", {}).get(cid)
    if role is None or live.home_call_member_room(cid, role) not in namespace.rooms(sid):
        return AppError(code="not_joined").ack(lang)  # never joined, or the call ended (its rooms closed)
    await namespace.emit("homecall:signal", {"call_id": str(cid), "kind": kind, "data": data, "from_role": role},
                         room=live.home_call_member_room(cid, other(role)))
    return {"ok": True}


async def left(namespace, conn, sid) -> None:
    """A connection dropped: when it was its role's last one in the call, the grace period starts and
    the other member is told."""
    for row in await conn.fetch(sql.LEAVE_SID, sid):
        if row["role"] not in await roles_present(conn, row["call_id"]):
            await conn.execute(sql.MEMBER_LEFT, row["call_id"], row["role"])
            await namespace.emit("homecall:peer_left", {"call_id": str(row["call_id"]), "role": row["role"]},
                                 room=live.home_call_member_room(row["call_id"], other(row["role"])))

