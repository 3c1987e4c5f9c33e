"""Home watch routes for the street operator's duty roster: the street's carers, putting one on or
off duty now, and shifts (planned duty periods per community) that the sweeper applies."""
from __future__ import annotations

from datetime import datetime

from aiohttp import web
from pydantic import Field

from server.audit import service as audit
from server.homewatch import homes, shifts
from server.homewatch import queries as sql
from server.homewatch.view_access import hw
from server.web.common import actor_of, json, path_id, pool, user_of
from server.web.errors import ValidationFailed
from server.web.validation import Body, Count, Query, parse_body, parse_query


class NewShift(Body):
    carer_id: int = Field(gt=0)
    starts_at: datetime = Field(strict=False)  # ISO 8601 with its offset
    ends_at: datetime = Field(strict=False)
    community: str | None = Field(default=None, min_length=1, max_length=100)


class CarerDuty(Body):
    on_duty: bool


class RosterQuery(Query):
    days: Count = 7


def _aware(value: datetime, field: str) -> datetime:
    """A shift's time must say its offset: a bare wall time is ambiguous between the homes' zone and UTC."""
    if value.tzinfo is None:
        raise ValidationFailed(f"{field}: give the time with its offset (e.g. +08:00).", field=field,
                               code="needs_offset")
    return value


async def list_carers(request: web.Request) -> web.Response:
    """The street's carers: community, on duty or not, since when."""
    user = user_of(request, "street_operator")
    async with pool(request).acquire() as conn:
        staff = await homes.staff_of(conn, user)
        rows = await conn.fetch(sql.CARERS_OF_STREET, staff["street_id"])
        await audit.record(conn, actor_of(request), "homewatch.carers.list", "hw_staff", None,
                           detail={"count": len(rows)})
    return json([{"id": str(r["user_id"]), "name": r["name"], "community": r["community"], "on_duty": r["on_duty"],
                  "duty_since": r["duty_since"].isoformat() if r["duty_since"] else None} for r in rows])


async def set_carer_duty(request: web.Request) -> web.Response:
    """The operator puts a carer of the street on or off duty now; what they own is handed back."""
    user = user_of(request, "street_operator")
    body = await parse_body(request, CarerDuty)
    carer_id = path_id(request)
    async with pool(request).acquire() as conn:
        staff = await homes.staff_of(conn, user)
        async with conn.transaction():
            await shifts.carer_of_street(conn, carer_id, staff["street_id"], field="id")
            handed = await shifts.set_duty(conn, carer_id, body.on_duty, by=user["id"], reason="operator")
            await audit.record(conn, actor_of(request), "homewatch.duty.set", "hw_staff", carer_id,
                               detail={"on_duty": body.on_duty, "handed_back": len(handed)})
    if handed:
        await hw(request).alerts_raised(handed)
    return json({"on_duty": body.on_duty, "handed_back": [str(a) for a in handed]})


async def list_shifts(request: web.Request) -> web.Response:
    """The roster: the street's shifts from a day ago to `days` ahead (operator and carers)."""
    user = user_of(request, "street_operator", "carer")
    days = min(parse_query(request, RosterQuery).days, 62)
    async with pool(request).acquire() as conn:
        staff = await homes.staff_of(conn, user)
        return json(await shifts.roster(conn, staff["street_id"], days))


async def create_shift(request: web.Request) -> web.Response:
    """The operator plans a carer's shift in a community (their own by default)."""
    user = user_of(request, "street_operator")
    body = await parse_body(request, NewShift)
    body.starts_at, body.ends_at = _aware(body.starts_at, "starts_at"), _aware(body.ends_at, "ends_at")
    async with pool(request).acquire() as conn:
        staff = await homes.staff_of(conn, user)
        shift = await shifts.create_shift(conn, staff["street_id"], user["id"], body)
        await audit.record(conn, actor_of(request), "homewatch.shift.create", "hw_shift", shift["id"],
                           detail={"carer_id": shift["carer"]["id"]})
    await hw(request).sweep_soon()
    return json(shift, status=201)


async def cancel_shift(request: web.Request) -> web.Response:
    """The operator cancels a planned shift, or ends a running one now."""
    user = user_of(request, "street_operator")
    shift_id = path_id(request)
    async with pool(request).acquire() as conn:
        staff = await homes.staff_of(conn, user)
        await shifts.cancel_shift(conn, staff["street_id"], shift_id)
        await audit.record(conn, actor_of(request), "homewatch.shift.cancel", "hw_shift", shift_id)
    await hw(request).sweep_soon()
    return web.Response(status=204)
