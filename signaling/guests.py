"""A guest in a call (server/guests): connected by the link's token instead of a session cookie,
allowed into that one consultation's room only, as role `guest`. The guest keeps a connection of its
own with each member (signals name their target with `to`); patient and doctor keep theirs."""
from __future__ import annotations

from server.consent import service as consent
from server.guests import service as guests
from server.presence import service as presence
from server.visits import service as visits
from server.web.errors import Conflict, Forbidden
from signaling import live


async def connect(namespace, sid, auth_data, ip, lang: str) -> bool:
    """Accept a connection that carries a live guest token; False when it carries none that works."""
    token = auth_data.get("guest_token") if isinstance(auth_data, dict) else None
    if token is None:
        return False
    async with namespace.pool.acquire() as conn:
        guest = await guests.by_token(conn, token)
    if guest is None:
        return False
    user = {"id": None, "role": "guest", "name": guest["name"], "relation": guest["relation"],
            "guest_id": guest["id"], "consultation_id": guest["consultation_id"], "patient_id": guest["patient_id"]}
    await namespace.save_session(sid, {"user": user, "ip": ip, "rooms": {}, "lang": lang})
    return True


async def join(namespace, sid, session: dict, consultation_id: int) -> dict:
    """Enter the consultation of the guest's link; both members are told who joined."""
    user, lang = session["user"], session["lang"]
    if consultation_id != user["consultation_id"]:
        return Forbidden("This link is for another consultation.").ack(lang)
    async with namespace.pool.acquire() as conn:
        if not await guests.still_open(conn, user["guest_id"]):
            return Conflict(code="ended").ack(lang)
        if not await consent.granted(conn, user["patient_id"], "family_access"):  # withdrawn since the invitation
            return consent.ConsentRequired("The patient no longer lets others join.", field="family_access").ack(lang)
        refusal = await visits.call_refusal(conn, consultation_id)
        if refusal is not None:
            return refusal.ack(lang)
        await guests.joined(conn, user["guest_id"], consultation_id, session.get("ip"))
        present = await presence.roles_present(conn, consultation_id)
    await namespace.enter_room(sid, live.consult_room(consultation_id))
    await namespace.enter_room(sid, live.member_room(consultation_id, "guest"))
    session["rooms"][consultation_id] = "guest"
    await namespace.emit("guest:joined", {"consultation_id": str(consultation_id), "name": user["name"],
                                          "relation": user["relation"]}, room=live.consult_room(consultation_id),
                         skip_sid=sid)
    return {"ok": True, "role": "guest", "peers": sorted(present)}


async def left(namespace, session: dict) -> None:
    """Tell both members the guest left."""
    user = session["user"]
    for consultation_id in session.get("rooms", {}):
        await namespace.emit("guest:left", {"consultation_id": str(consultation_id), "name": user["name"]},
                             room=live.consult_room(consultation_id))
