"""The admin's routes: per-department figures and the audit log."""
from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import Field, field_validator

from server import triage
from server.admin import service as admin_service
from server.admin import stats
from server.audit import service as audit
from server.keys import EVENTS
from server.web.common import actor_of, json, path_id, pool, user_of
from server.web.errors import ValidationFailed
from server.web.validation import Body, Count, Query, parse_body, parse_query


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
    before: Count | None = None  # paging: the last id of the page shown

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
    limit = min(q.limit or 200, 1000)
    async with pool(request).acquire() as conn:
        rows = await audit.search(conn, object_type=q.object_type, object_id=q.object_id, actor_id=q.actor_id,
                                  allowed=allowed, limit=limit + 1, before=q.before)
    # One row more than asked says whether an older page follows.
    return json({"entries": rows[:limit], "next_before": rows[limit - 1]["id"] if len(rows) > limit else None})


class StaffQuery(Query):
    role: Literal["doctor", "employer", "admin"] | None = None


class StaffChange(Body):
    department: str | None = Field(default=None, max_length=40)
    title: str | None = Field(default=None, max_length=50)
    licence_number: str | None = Field(default=None, max_length=50)
    disabled: bool | None = None


async def list_staff(request: web.Request) -> web.Response:
    """Doctors, employers and administrators (`?role=` one of them), for the admin's people screen."""
    user_of(request, "admin")
    q = parse_query(request, StaffQuery)
    async with pool(request).acquire() as conn:
        return json(await admin_service.staff(conn, q.role))


async def _change_staff(request: web.Request, changes: dict) -> dict:
    """What both routes that change a staff account do: apply the change, close a disabled account's
    sockets on every process, and answer the account as the people screen shows it."""
    user_id = path_id(request)
    async with pool(request).acquire() as conn:
        ended = await admin_service.update_staff(conn, actor_of(request), user_id, changes)
        rows = [s for s in await admin_service.staff(conn, None) if s["id"] == str(user_id)]
    if ended:
        await request.app[EVENTS].user_sessions_ended(user_id)
    return rows[0]


async def update_staff(request: web.Request) -> web.Response:
    """Disable or enable a staff account; set a doctor's department, title or licence number."""
    user_of(request, "admin")
    body = await parse_body(request, StaffChange)
    if body.department is not None and body.department not in triage.DEPARTMENTS:
        raise ValidationFailed("No such department.", field="department", code="unknown_department")
    return json(await _change_staff(request, body.model_dump()))


async def disable_staff(request: web.Request) -> web.Response:
    """`POST /api/admin/users/{id}/disable`: the same change as `PATCH` with `{disabled: true}`, answered 204."""
    user_of(request, "admin")
    await _change_staff(request, {"disabled": True})
    return web.Response(status=204)


async def list_organisations(request: web.Request) -> web.Response:
    """Every organisation (employer) with its number of employer accounts."""
    user_of(request, "admin")
    async with pool(request).acquire() as conn:
        return json(await admin_service.organisations(conn))
