"""Who is in which consultation room, kept in PostgreSQL so every server process sees it.

Socket.IO rooms are per process; a member may be connected to another process. Each process
heartbeats; presence rows of a process that stopped heartbeating are ignored and then removed.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import asyncpg

from server.presence import queries as sql

log = logging.getLogger(__name__)


async def heartbeat(conn: asyncpg.Connection, instance_id: str) -> list[tuple[int, str]]:
    """Mark this process alive; drop dead processes' rows and return the (consultation, role) they held."""
    await conn.execute(sql.HEARTBEAT, instance_id)
    return [(r["consultation_id"], r["role"]) for r in await conn.fetch(sql.FORGET_DEAD_INSTANCES)]


async def heartbeats(pool: asyncpg.Pool, instance_id: str,
                     member_left: Callable[[asyncpg.Connection, int, str], Awaitable[None]]) -> None:
    """Forever, every HEARTBEAT_SECONDS: mark this process alive; a member whose process died and who is
    not connected elsewhere has left the room (`member_left` starts their grace period)."""
    while True:
        try:
            async with pool.acquire() as conn:
                for consultation_id, role in await heartbeat(conn, instance_id):
                    if role not in await roles_present(conn, consultation_id):
                        await member_left(conn, consultation_id, role)
        except Exception:
            log.warning("heartbeat failed", exc_info=True)
        await asyncio.sleep(sql.HEARTBEAT_SECONDS)


async def enter(conn: asyncpg.Connection, sid: str, instance_id: str, consultation_id: int, user_id: int,
                role: str) -> set[str]:
    """Record a connection in a room; return the roles that were present before it."""
    before = await roles_present(conn, consultation_id)
    await conn.execute(sql.ENTER, sid, instance_id, consultation_id, user_id, role)
    return before


async def leave(conn: asyncpg.Connection, sid: str) -> list[tuple[int, str, bool]]:
    """Forget a connection; return (consultation, role, role still present elsewhere) for each room it was in."""
    out = []
    for row in await conn.fetch(sql.LEAVE_SID, sid):
        still = row["role"] in await roles_present(conn, row["consultation_id"])
        out.append((row["consultation_id"], row["role"], still))
    return out


async def roles_present(conn: asyncpg.Connection, consultation_id: int) -> set[str]:
    """The member roles with at least one live connection in the room."""
    return {r["role"] for r in await conn.fetch(sql.ROLES_PRESENT, consultation_id)}


async def forget_instance(conn: asyncpg.Connection, instance_id: str) -> None:
    """On a clean shutdown, remove this process and its presence rows."""
    await conn.execute(sql.FORGET_INSTANCE_PRESENCE, instance_id)
    await conn.execute(sql.FORGET_INSTANCE, instance_id)
