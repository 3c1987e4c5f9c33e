"""The admin's routes: per-department figures and the audit log."""
from __future__ import annotations

from aiohttp import web

from server.admin import stats
from server.audit import service as audit
from server.web.common import id_value, json, pool, user_of
from server.web.errors import ValidationFailed


async def admin_stats(request: web.Request) -> web.Response:
    """Per department and day: completion, satisfaction, waits, lengths, poor-quality and interrupted calls."""
    user_of(request, "admin")
    days, tz = stats.parse_window(request.query.get("days"), request.query.get("tz"))
    async with pool(request).acquire() as conn:
        return json(await stats.department_days(conn, days, tz))


def _optional_int(raw: str | None, field: str) -> int | None:
    return None if raw in (None, "") else id_value(raw, field, allow_zero=True)


async def admin_audit(request: web.Request) -> web.Response:
    """The audit log, newest first, filtered by object, actor and outcome (admins only)."""
    user_of(request, "admin")
    q = request.query
    allowed = {"": None, "true": True, "false": False}.get(q.get("allowed", "").lower(), "bad")
    if allowed == "bad":
        raise ValidationFailed("allowed must be true or false.", field="allowed")
    limit = _optional_int(q.get("limit"), "limit") or 200
    async with pool(request).acquire() as conn:
        rows = await audit.search(conn, object_type=q.get("object_type") or None, object_id=q.get("object_id") or None,
                                  actor_id=_optional_int(q.get("actor_id"), "actor_id"), allowed=allowed,
                                  limit=min(limit, 1000))
    return json({"entries": rows})

