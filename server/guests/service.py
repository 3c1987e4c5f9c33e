"""Inviting a guest into a consultation and recognising their link."""
from __future__ import annotations

import hashlib
import secrets

import asyncpg

from server.audit import service as audit
from server.audit.service import Actor
from server.consent import service as consent
from server.consultations import service as consults
from server.guests import queries as sql
from server.web.errors import Conflict

LINK_SECONDS = 2 * 3600


def token_hash(token: str) -> bytes:
    """The stored form of a link token."""
    return hashlib.sha256(token.encode()).digest()


async def invite(conn: asyncpg.Connection, consultation_id: int, patient, actor: Actor, name: str,
                 relation: str) -> dict:
    """The patient invites a guest (needs their `family_access` consent); the link is shown once."""
    row, _ = await consults.load_for(conn, consultation_id, patient, actor, "consultation.invite_guest",
                                     roles=("patient",))
    await consent.require(conn, patient["id"], "family_access")
    if row["status"] == "ended":
        raise Conflict("This consultation has ended.", code="already_ended")
    token = secrets.token_urlsafe(24)
    guest = await conn.fetchrow(sql.INSERT_GUEST, consultation_id, token_hash(token), name, relation, patient["id"],
                                LINK_SECONDS)
    await audit.record(conn, actor, "consultation.guest_invited", "consultation", consultation_id,
                       detail={"guest_id": str(guest["id"]), "relation": relation})
    return {"id": str(guest["id"]), "name": guest["name"], "relation": guest["relation"], "url": f"/join/{token}",
            "expires_at": guest["expires_at"].isoformat()}


async def by_token(conn: asyncpg.Connection, token) -> asyncpg.Record | None:
    """The live guest of a link whose consultation has not ended, or None."""
    if not isinstance(token, str) or not 10 <= len(token) <= 100:
        return None
    row = await conn.fetchrow(sql.GUEST_BY_TOKEN, token_hash(token))
    return row if row is not None and row["status"] != "ended" else None


async def still_open(conn: asyncpg.Connection, guest_id: int) -> bool:
    """Whether the guest's link still works (not expired, the consultation not ended)."""
    return bool(await conn.fetchval(sql.GUEST_OPEN, guest_id))


async def joined(conn: asyncpg.Connection, guest_id: int, consultation_id: int, ip: str | None) -> None:
    """Record that the guest entered the call (audited as an access to the consultation)."""
    await conn.execute(sql.MARK_JOINED, guest_id)
    await audit.record(conn, Actor(None, "guest", ip), "consultation.guest_join", "consultation", consultation_id,
                       detail={"guest_id": str(guest_id)})
