"""Granting, withdrawing and checking consent, one purpose at a time."""
from __future__ import annotations

import asyncpg

from server.audit import service as audit
from server.audit.service import Actor
from server.consent import queries as sql
from server.web.errors import AppError

# The wording a person agrees to has a version; a new wording is a new version (agreed again).
VERSIONS = {
    "health_data": "2026-12-01",
    "video": "2026-12-01",
    "employer_screening": "2026-12-01",
    "family_access": "2026-12-01",
}
PURPOSES = tuple(VERSIONS)


class ConsentRequired(AppError):
    """403: the person has not agreed to (or has withdrawn) the processing this route needs."""

    status, code, message = 403, "consent_required", "Your consent is needed for this: agree on the consent page."


def view(row) -> dict:
    """A consent as API.md shows it."""
    return {"purpose": row["purpose"], "version": row["version"], "granted": row["granted"], "at": row["at"].isoformat()}


async def current(conn: asyncpg.Connection, user_id: int) -> list[dict]:
    """Every purpose with its latest decision (never given: granted false, no version)."""
    rows = {r["purpose"]: view(r) for r in await conn.fetch(sql.CURRENT_CONSENTS, user_id)}
    return [rows.get(p, {"purpose": p, "version": None, "granted": False, "at": None}) for p in PURPOSES]


async def decide(conn: asyncpg.Connection, user_id: int, actor: Actor, purpose: str, granted: bool) -> dict:
    """Record a grant or a withdrawal (audited); it takes effect at once, as every check reads the latest row."""
    row = await conn.fetchrow(sql.INSERT_CONSENT, user_id, purpose, VERSIONS[purpose], granted, actor.ip)
    await audit.record(conn, actor, "consent.grant" if granted else "consent.withdraw", "user", user_id,
                       detail={"purpose": purpose, "version": VERSIONS[purpose]})
    return view(row)


async def granted(conn: asyncpg.Connection, user_id: int, purpose: str) -> bool:
    """Whether the purpose's consent is in force."""
    return bool(await conn.fetchval(sql.GRANTED, user_id, purpose))


async def require(conn: asyncpg.Connection, user_id: int, purpose: str) -> None:
    """403 `consent_required` (field: the purpose) unless the consent is in force."""
    if not await granted(conn, user_id, purpose):
        raise ConsentRequired(field=purpose)
