"""The admin's routes: per-department figures and the audit log."""
from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import Field, field_validator

from server.admin import stats
from server.audit import service as audit
from server.web.common import json, pool, user_of
from server.web.validation import Count, Query, parse_query


class StatsQuery(Query):
    days: int = Field(default=stats.DEFAULT_DAYS, ge=1, le=stats.MAX_DAYS)
    tz: str = Field(default=stats.DEFAULT_TZ, max_length=64)

    @field_validator("tz")
    @classmethod
    def _zone(cls, value: str) -> str:
        if not stats.known_zone(value):
            raise ValueError("must be a time zone name such as Asia/Shanghai")
        return value


class AuditQuery(Query):
    object_type: str | None = Field(default=None, max_length=40)
    object_id: str | None = Field(default=None, max_length=100)
    actor_id: Count | None = None
    allowed: Literal["true", "false"] | None = None
    limit: Count = 200

    @field_validator("allowed", mode="before")
    @classmethod
    def _lower(cls, value):
        return value.lower() if isinstance(value, str) else value


async def admin_stats(request: web.Request) -> web.Response:
    """Per department and day: completion, satisfaction, waits, lengths, poor-quality and interrupted calls."""
    user_of(request, "admin")
    query = parse_query(request, StatsQuery)
    async with pool(request).acquire() as conn:
        await stats.check_zone(conn, query.tz)
        return json(await stats.department_days(conn, query.days, query.tz))


async def admin_audit(request: web.Request) -> web.Response:
    """The audit log, newest first, filtered by object, actor and outcome (admins only)."""
    user_of(request, "admin")
    q = parse_query(request, AuditQuery)
    allowed = None if q.allowed is None else q.allowed == "true"
    async with pool(request).acquire() as conn:
        rows = await audit.search(conn, object_type=q.object_type, object_id=q.object_id, actor_id=q.actor_id,
                                  allowed=allowed, limit=min(q.limit or 200, 1000))
    return json({"entries": rows})
