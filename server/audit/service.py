"""Audit rows for every read and change of a medical record: who, what, when, from where, allowed or not."""
from __future__ import annotations

from dataclasses import dataclass

import asyncpg

from server.audit import queries as sql


@dataclass(frozen=True)
class Actor:
    """Who is asking, and from where."""

    user_id: int | None
    role: str | None
    ip: str | None = None

    @classmethod
    def of(cls, user, ip: str | None = None) -> Actor:
        """The actor for a user row (or None for an anonymous request)."""
        return cls(user["id"] if user else None, user["role"] if user else None, ip)


async def record(conn: asyncpg.Connection, actor: Actor, action: str, object_type: str, object_id,
                 allowed: bool = True, detail: dict | None = None) -> None:
    """Append one audit row. `detail` holds ids and field names only, never medical content."""
    await conn.execute(sql.INSERT_AUDIT, actor.user_id, actor.role, action, object_type,
                       None if object_id is None else str(object_id), allowed, actor.ip, detail or {})


async def search(conn: asyncpg.Connection, *, object_type=None, object_id=None, actor_id=None, allowed=None,
                 limit: int = 200, before: int | None = None) -> list[dict]:
    """Newest audit rows first, filtered; `before` pages on: only rows with a smaller id."""
    rows = await conn.fetch(sql.LIST_AUDIT, object_type, object_id, actor_id, allowed, limit, before)
    return [{**dict(r), "id": str(r["id"]), "at": r["at"].isoformat(),
             "actor_id": str(r["actor_id"]) if r["actor_id"] else None} for r in rows]
