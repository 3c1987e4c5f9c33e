"""Home watch routes for duty and the life of an alert: on and off duty, the resident's help
button, the alert list, take it, on the way, arrived, outcome, "I'm OK", the rating."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from aiohttp import web
from pydantic import Field

from server.audit import service as audit
from server.homewatch import alerts, homes, service, shifts
from server.homewatch import queries as sql
from server.homewatch.view_access import STAFF_ROLES, alert_for, home_for, hw
from server.web.common import actor_of, json, path_id, pool, user_of
from server.web.validation import Body, parse_body


class Duty(Body):
    on_duty: bool

class Progress(Body):
    step: Literal["en_route", "on_site"]

class Resolve(Body):
    outcome: Literal["false_alarm", "assisted", "called_120", "hospital", "video_call"]
    note: str | None = Field(default=None, max_length=2000)

class Rating(Body):
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


async def set_duty(request: web.Request) -> web.Response:
    """A carer starts or ends a shift; alerts still owned at the end are handed back."""
    user = user_of(request, "carer", "street_operator")
    body = await parse_body(request, Duty)
    async with pool(request).acquire() as conn:
        handed = await shifts.set_duty(conn, user["id"], body.on_duty)
    if handed:
        await hw(request).alerts_raised(handed)
    return json({"on_duty": body.on_duty, "handed_back": [str(a) for a in handed]})


async def my_duty(request: web.Request) -> web.Response:
    """The caller's place in home watch: role, street, community, on duty or not, and their homes."""
    user = user_of(request, "carer", "street_operator", "family", "patient")
    async with pool(request).acquire() as conn:
        staff = await conn.fetchrow(sql.STAFF, user["id"])
        mine = []
        if user["role"] in ("family", "patient"):
            query = sql.HOMES_OF_FAMILY if user["role"] == "family" else sql.HOMES_OF_RESIDENT
            mine = [homes.home_view(h, "family") for h in await conn.fetch(query, user["id"])]
    return json({"role": user["role"], "name": user["name"],
                 "street_id": str(staff["street_id"]) if staff else None,
                 "community": staff["community"] if staff else None,
                 "on_duty": bool(staff and staff["on_duty"]), "homes": mine})


async def resident_help(request: web.Request) -> web.Response:
    """The resident's own help button on the home page: the same alert as the bedside button."""
    _user, home, _relation = await home_for(request, "homewatch.help", "resident")
    runtime = hw(request)
    async with pool(request).acquire() as conn:
        async with conn.transaction():
            raised = await service.raise_help(conn, runtime.cfg, home)
    await runtime.alerts_raised(raised)
    async with pool(request).acquire() as conn:
        alert = await conn.fetchrow(sql.ALERT, raised[0])
        return json(await alerts.alert_view(conn, alert, "resident"), status=201)


async def list_alerts(request: web.Request) -> web.Response:
    """Open (or all recent) alerts the caller may see, most urgent and newest first."""
    user = user_of(request)
    open_only = request.query.get("status", "open") == "open"
    async with pool(request).acquire() as conn:
        if user["role"] in STAFF_ROLES:
            staff = await homes.staff_of(conn, user)
            rows = await conn.fetch(sql.OPEN_ALERTS_OF_STREET, staff["street_id"]) if open_only else \
                await conn.fetch(sql.RECENT_ALERTS_OF_STREET, staff["street_id"])
            relation = "operator" if user["role"] == "street_operator" else "carer"
        else:
            query = {"family": sql.HOMES_OF_FAMILY, "doctor": sql.HOMES_OF_DOCTOR,
                     "patient": sql.HOMES_OF_RESIDENT}.get(user["role"])
            home_ids = [r["id"] for r in await conn.fetch(query, user["id"])] if query else []
            rows = await conn.fetch(sql.ALERTS_OF_HOMES, home_ids, open_only)
            relation = {"family": "family", "doctor": "doctor", "patient": "resident"}.get(user["role"], "family")
        await audit.record(conn, actor_of(request), "homewatch.alerts.list", "hw_alert", None,
                           detail={"count": len(rows)})
        views = [await alerts.alert_view(conn, row, relation) for row in rows]
    views.sort(key=lambda a: (a["status"] == "closed", a["level"], a["raised_at"] and -datetime.fromisoformat(
        a["raised_at"]).timestamp()))
    return json(views)


async def get_alert(request: web.Request) -> web.Response:
    """One alert with its timeline."""
    async with pool(request).acquire() as conn:
        alert, relation = await alert_for(conn, request, path_id(request))
        await audit.record(conn, actor_of(request), "homewatch.alert.read", "hw_alert", alert["id"])
        return json(await alerts.alert_view(conn, alert, relation))


async def _change(request: web.Request, action, *roles: str) -> tuple:
    """Run one change of an alert for a caller who may see it; publish the new state; (row, view)."""
    user = user_of(request, *roles)
    alert_id = path_id(request)
    async with pool(request).acquire() as conn:
        _alert, relation = await alert_for(conn, request, alert_id)
        row = await action(conn, user)
        await audit.record(conn, actor_of(request), f"homewatch.alert.{action.__name__}", "hw_alert", alert_id)
        view = await alerts.alert_view(conn, row, relation)
    await hw(request).publish([], also=[alert_id])
    return row, view


async def acknowledge(request: web.Request) -> web.Response:
    """A carer of the street (or the doctor) takes the alert: one owner at a time, 409 otherwise."""
    async def acknowledged(conn, user):
        return await alerts.acknowledge(conn, path_id(request), user)
    row, view = await _change(request, acknowledged, "carer", "street_operator", "doctor")
    await hw(request).acknowledged(row)
    return json(view)


async def progress(request: web.Request) -> web.Response:
    """The owner is on the way, or has arrived."""
    body = await parse_body(request, Progress)

    async def progressed(conn, user):
        return await alerts.progress(conn, path_id(request), user, body.step)
    _row, view = await _change(request, progressed, "carer", "street_operator", "doctor")
    return json(view)


async def resolve(request: web.Request) -> web.Response:
    """The owner closes the alert with its outcome (required) and a note."""
    body = await parse_body(request, Resolve)

    async def resolved(conn, user):
        return await alerts.resolve(conn, path_id(request), user, body.outcome, body.note)
    _row, view = await _change(request, resolved, "carer", "street_operator", "doctor")
    return json(view)


async def cancel(request: web.Request) -> web.Response:
    """"I'm OK": the resident cancels an alert before anyone has taken it."""
    async def cancelled(conn, user):
        return await alerts.cancel_by_resident(conn, path_id(request), user)
    _row, view = await _change(request, cancelled, "patient")
    return json(view)


async def rate(request: web.Request) -> web.Response:
    """The resident or the family rates how the call was answered."""
    user = user_of(request, "family", "patient")
    body = await parse_body(request, Rating)
    async with pool(request).acquire() as conn:
        await alert_for(conn, request, path_id(request))
        await alerts.rate(conn, path_id(request), user, body.rating, body.comment)
    return web.Response(status=204)
