"""The life of an alert after it was raised: its view (state, owner, who was told, the timeline),
one owner at a time, progress, the outcome, "I'm OK" and the rating. Each change is one transaction
with its timeline row; the caller publishes after commit."""
from __future__ import annotations

from datetime import date

import asyncpg

from server.homewatch import queries as sql
from server.homewatch.homes import home_view
from server.web.errors import Conflict

# --- alerts ------------------------------------------------------------------------------------

def _iso(value) -> str | None:
    return value.isoformat() if value else None


async def alert_view(conn, alert, relation: str = "carer") -> dict:
    """The API's Alert: state, owner, who was told, the timeline; with the home for responders."""
    timeline = await conn.fetch(sql.TIMELINE, alert["id"])
    notified = await conn.fetch(sql.NOTIFIED, alert["id"])
    owner = None
    if alert["owner_id"]:
        names = await conn.fetch(sql.NAMES, [alert["owner_id"]])
        owner = {"id": str(alert["owner_id"]), "name": names[0]["name"] if names else None}
    view = {
        "id": str(alert["id"]), "home_id": str(alert["home_id"]) if alert["home_id"] else None,
        "kind": alert["kind"], "level": alert["level"], "status": alert["status"], "owner": owner,
        "raised_at": _iso(alert["raised_at"]), "acknowledged_at": _iso(alert["acknowledged_at"]),
        "en_route_at": _iso(alert["en_route_at"]), "on_site_at": _iso(alert["on_site_at"]),
        "resolved_at": _iso(alert["resolved_at"]), "closed_at": _iso(alert["closed_at"]),
        "outcome": alert["outcome"], "rating": alert["rating"], "escalation_step": alert["escalation_step"],
        "timeline": [{"at": _iso(t["at"]), "event": t["event"],
                      "by": {"id": str(t["by_user"]), "name": t["by_name"]} if t["by_user"] else None,
                      **({"detail": t["detail"]} if relation != "family" else {})} for t in timeline],
    }
    if relation != "family":
        view["notified"] = [{"role": n["role"], "user_id": str(n["user_id"]), "at": _iso(n["at"]),
                             "step": n["step"]} for n in notified]
        view["note"] = alert["note"]
    if alert["home_id"] and relation in ("carer", "operator", "doctor"):
        home = await conn.fetchrow(sql.HOME, alert["home_id"])
        view["home"] = home_view(home, relation)
    return view


async def acknowledge(conn, alert_id: int, user) -> asyncpg.Record:
    """Take an alert: one owner at a time; 409 when someone else has it."""
    async with conn.transaction():
        row = await conn.fetchrow(sql.ACKNOWLEDGE, alert_id, user["id"])
        if row is None:
            current = await conn.fetchrow(sql.ALERT, alert_id)
            if current is not None and current["owner_id"] == user["id"]:
                return current
            raise Conflict("Someone else has taken this alert, or it is closed.", code="alert_taken")
        await conn.execute(sql.INSERT_TIMELINE, alert_id, "acknowledged", user["id"], {})
    return row


async def progress(conn, alert_id: int, user, step: str) -> asyncpg.Record:
    """The owner is on the way / has arrived."""
    query = sql.PROGRESS_EN_ROUTE if step == "en_route" else sql.PROGRESS_ON_SITE
    async with conn.transaction():
        row = await conn.fetchrow(query, alert_id, user["id"])
        if row is None:
            raise Conflict("Only the carer who took the alert can do this now.", code="not_owner")
        await conn.execute(sql.INSERT_TIMELINE, alert_id, step, user["id"], {})
    return row


async def resolve(conn, alert_id: int, user, outcome: str, note: str | None) -> asyncpg.Record:
    """The owner closes the alert with its outcome (required)."""
    async with conn.transaction():
        row = await conn.fetchrow(sql.RESOLVE, alert_id, user["id"], outcome, note)
        if row is None:
            raise Conflict("Only the carer who took the alert can close it.", code="not_owner")
        await conn.execute(sql.INSERT_TIMELINE, alert_id, "outcome", user["id"], {"outcome": outcome})
        await conn.execute(sql.INSERT_TIMELINE, alert_id, "closed", user["id"], {})
    return row


async def cancel_by_resident(conn, alert_id: int, user) -> asyncpg.Record:
    """"I'm OK": the resident closes an alert nobody has taken yet."""
    async with conn.transaction():
        row = await conn.fetchrow(sql.CANCEL_BY_RESIDENT, alert_id)
        if row is None:
            raise Conflict("A carer has already taken this alert.", code="alert_taken")
        await conn.execute(sql.INSERT_TIMELINE, alert_id, "cancelled_by_resident", user["id"], {})
    return row


async def rate(conn, alert_id: int, user, rating: int, comment: str | None) -> None:
    """The resident or the family rates a closed alert."""
    async with conn.transaction():
        if await conn.fetchval(sql.RATE, alert_id, rating, comment) is None:
            raise Conflict("Only a closed alert can be rated.", code="not_closed")
        await conn.execute(sql.INSERT_TIMELINE, alert_id, "rated", user["id"], {"rating": rating})


def report_day(value) -> str:
    """A report row's day as ISO text."""
    return value.isoformat() if isinstance(value, date) else str(value)
