"""Home watch routes: thin handlers that check who is asking, then call the service.

Sensor history and home details are health data: every read is role- and consent-checked and
audited (server/audit.py); a refused read is audited too.
"""
from __future__ import annotations

import csv
import io
import json as json_module
from datetime import UTC, date, datetime, timedelta
from typing import Literal

from aiohttp import web
from pydantic import Field

from server.accounts import service as auth
from server.audit import service as audit
from server.homewatch import keys, rules, service
from server.homewatch import queries as sql
from server.homewatch.mqtt import events_topic
from server.keys import INSTANCE_ID
from server.web import pages
from server.web.common import actor_of, json, path_id, pool, user_of
from server.web.errors import AppError, Forbidden, NotFound, ValidationFailed
from server.web.validation import Body, Count, Id, Query, parse_body, parse_query

STAFF_ROLES = ("street_operator", "carer")


class NewStreet(Body):
    name: str = Field(min_length=1, max_length=100)


class NewStreetOperator(Body):
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field(min_length=11, max_length=20)
    password: str = Field(min_length=8, max_length=256)
    street_id: int = Field(gt=0)


class NewStreetUser(Body):
    role: Literal["carer", "family"]
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field(min_length=11, max_length=20)
    password: str = Field(min_length=8, max_length=256)
    community: str | None = Field(default=None, max_length=100)


class Resident(Body):
    name: str = Field(min_length=1, max_length=100)
    birth_date: date | None = None
    phone: str | None = Field(default=None, max_length=20)


class Contact(Body):
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field(min_length=3, max_length=20)
    relation: str | None = Field(default=None, max_length=40)


class Consent(Body):
    family_daily_summary: bool = False
    family_movement_history: bool = False
    video_auto_answer: bool = False


class NewHome(Body):
    address: str = Field(min_length=1, max_length=300)
    community: str = Field(min_length=1, max_length=100)
    resident: Resident
    resident_user_id: int | None = Field(default=None, gt=0)
    doctor_id: int | None = Field(default=None, gt=0)
    family_ids: list[int] = Field(default_factory=list, max_length=20)
    key_safe_code: str | None = Field(default=None, max_length=20)
    conditions: str | None = Field(default=None, max_length=2000)
    medicines: str | None = Field(default=None, max_length=2000)
    contacts: list[Contact] = Field(default_factory=list, max_length=10)
    consent: Consent | None = None


class Rules(Body):
    living_room_max_seconds: int = Field(default=10800, ge=1, le=86400)
    bathroom_max_seconds: int = Field(default=3600, ge=1, le=86400)
    inactivity_seconds: int | None = Field(default=None, ge=1, le=7 * 86400)
    heartbeat_timeout_seconds: int = Field(default=900, ge=1, le=86400)
    battery_low_pct: int = Field(default=20, ge=1, le=100)
    sleep_start: str = Field(default="22:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    sleep_end: str = Field(default="07:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")


class Away(Body):
    away: bool


class ConsentChange(Body):
    purpose: Literal["family_daily_summary", "family_movement_history", "video_auto_answer"]
    granted: bool


class NewDevice(Body):
    kind: Literal["presence", "button", "hub"]
    room: Literal["bedroom", "living_room", "bathroom", "kitchen", "hall"] | None = None


class Duty(Body):
    on_duty: bool


class Progress(Body):
    step: Literal["en_route", "on_site"]


class Resolve(Body):
    outcome: Literal["false_alarm", "assisted", "called_120", "hospital", "video_call"]
    note: str | None = Field(default=None, max_length=2000)


class HistoryQuery(Query):
    hours: Count = 24


class ReportQuery(Query):
    days: Count = 7
    street_id: Id | None = None


class Rating(Body):
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


def hw(request: web.Request):
    """This application's home watch runtime."""
    return request.app[keys.HOMEWATCH]


# --- streets, people, homes, devices ------------------------------------------------------------

async def create_street(request: web.Request) -> web.Response:
    """An admin creates a street."""
    user_of(request, "admin")
    body = await parse_body(request, NewStreet)
    async with pool(request).acquire() as conn:
        if await conn.fetchrow(sql.STREET_BY_NAME, body.name):
            raise ValidationFailed("A street of this name exists.", field="name", code="street_exists", status=409)
        row = await conn.fetchrow(sql.INSERT_STREET, body.name)
    return json({"id": str(row["id"]), "name": row["name"]}, status=201)


async def create_operator(request: web.Request) -> web.Response:
    """An admin creates a street operator (who also staffs the street's duty desk)."""
    user_of(request, "admin")
    body = await parse_body(request, NewStreetOperator)
    phone = auth.normalise_phone(body.phone)
    password_hash = await auth.new_password_hash(body.password)  # argon2 before taking a connection
    async with pool(request).acquire() as conn:
        async with conn.transaction():
            row = await auth.create_user(conn, role="street_operator", name=body.name, password_hash=password_hash,
                                         phone=phone)
            await conn.execute(sql.INSERT_STAFF, row["id"], body.street_id, None)
    return json({"user": auth.public_user(row)}, status=201)


async def create_street_user(request: web.Request) -> web.Response:
    """The street operator creates a carer (of a community) or a family member."""
    operator = user_of(request, "street_operator")
    body = await parse_body(request, NewStreetUser)
    phone = auth.normalise_phone(body.phone)
    password_hash = await auth.new_password_hash(body.password)  # argon2 before taking a connection
    async with pool(request).acquire() as conn:
        staff = await service.staff_of(conn, operator)
        async with conn.transaction():
            row = await auth.create_user(conn, role=body.role, name=body.name, password_hash=password_hash,
                                         phone=phone)
            if body.role == "carer":
                await conn.execute(sql.INSERT_STAFF, row["id"], staff["street_id"], body.community)
    return json({"user": auth.public_user(row)}, status=201)


async def create_home(request: web.Request) -> web.Response:
    """The street operator enrols a home, its resident, consent, family and contracted doctor."""
    operator = user_of(request, "street_operator")
    body = await parse_body(request, NewHome)
    async with pool(request).acquire() as conn:
        staff = await service.staff_of(conn, operator)
        for index, family_id in enumerate(body.family_ids):
            role = await conn.fetchval(sql.ROLE_OF, family_id)
            if role != "family":
                raise ValidationFailed("Not a family account.", field=f"family_ids[{index}]")
        if body.doctor_id and await conn.fetchval(sql.ROLE_OF, body.doctor_id) != "doctor":
            raise ValidationFailed("Not a doctor.", field="doctor_id")
        if body.resident_user_id and await conn.fetchval(sql.ROLE_OF, body.resident_user_id) != "patient":
            raise ValidationFailed("Not a patient account.", field="resident_user_id")
        home = await service.create_home(conn, staff["street_id"], body)
        await audit.record(conn, actor_of(request), "homewatch.home.create", "hw_home", home["id"])
        view = service.home_view(home, "operator")
    return json(view, status=201)


async def list_homes(request: web.Request) -> web.Response:
    """The homes the caller may see: the street's for its staff, their own for family, doctor, resident."""
    user = user_of(request)
    async with pool(request).acquire() as conn:
        if user["role"] in STAFF_ROLES:
            staff = await service.staff_of(conn, user)
            rows, relation = await conn.fetch(sql.HOMES_OF_STREET, staff["street_id"]), (
                "operator" if user["role"] == "street_operator" else "carer")
        elif user["role"] == "family":
            rows, relation = await conn.fetch(sql.HOMES_OF_FAMILY, user["id"]), "family"
        elif user["role"] == "doctor":
            rows, relation = await conn.fetch(sql.HOMES_OF_DOCTOR, user["id"]), "doctor"
        elif user["role"] == "patient":
            rows, relation = await conn.fetch(sql.HOMES_OF_RESIDENT, user["id"]), "resident"
        else:
            rows, relation = [], "none"
        await audit.record(conn, actor_of(request), "homewatch.homes.list", "hw_home", None,
                           detail={"count": len(rows)})
        views = []
        for row in rows:
            devices = await conn.fetch(sql.DEVICES_OF_HOME, row["id"]) if relation == "operator" else ()
            views.append(service.home_view(row, relation, devices))
    return json(views)


async def _home_for(request: web.Request, action: str, *relations: str):
    """The path's home and the caller's relation to it; refused reads are audited and 404."""
    user = user_of(request)
    home_id = path_id(request)
    async with pool(request).acquire() as conn:
        try:
            home, relation = await service.home_access(conn, user, home_id)
            if relations and relation not in relations:
                raise NotFound("No such home.", code="home_not_found")
        except NotFound:
            await audit.record(conn, actor_of(request), action, "hw_home", home_id, allowed=False)
            raise
        await audit.record(conn, actor_of(request), action, "hw_home", home_id)
    return user, home, relation


async def get_home(request: web.Request) -> web.Response:
    """One home, as much of it as the caller may see."""
    _user, home, relation = await _home_for(request, "homewatch.home.read")
    async with pool(request).acquire() as conn:
        devices = await conn.fetch(sql.DEVICES_OF_HOME, home["id"]) if relation == "operator" else ()
    return json(service.home_view(home, relation, devices))


async def set_rules(request: web.Request) -> web.Response:
    """The street operator sets a home's rules."""
    _user, home, _relation = await _home_for(request, "homewatch.rules.set", "operator")
    body = await parse_body(request, Rules)
    async with pool(request).acquire() as conn:
        stored = await conn.fetchval(sql.SET_RULES, home["id"], body.model_dump())
    return json(rules.rules_of(stored))


async def set_away(request: web.Request) -> web.Response:
    """Away mode: the operator, the family or the resident; the movement rules stay quiet."""
    _user, home, _relation = await _home_for(request, "homewatch.away.set", "operator", "family", "resident")
    body = await parse_body(request, Away)
    async with pool(request).acquire() as conn:
        away = await conn.fetchval(sql.SET_AWAY, home["id"], body.away)
    return json({"away": away})


async def set_consent(request: web.Request) -> web.Response:
    """The resident (or the operator recording the resident's or guardian's word) gives or withdraws consent."""
    _user, home, _relation = await _home_for(request, "homewatch.consent.set", "operator", "resident")
    body = await parse_body(request, ConsentChange)
    async with pool(request).acquire() as conn:
        consent = dict(home["consent"] or {})
        consent[body.purpose] = {"granted": body.granted, "at": datetime.now(UTC).isoformat()}
        stored = await conn.fetchval(sql.SET_CONSENT, home["id"], consent)
    return json({k: bool(v.get("granted")) for k, v in stored.items()})


async def home_events(request: web.Request) -> web.Response:
    """Sensor history of the last `hours` (at most 7 days): staff of the street and the doctor;
    family only with the resident's consent to share movement history."""
    user, home, relation = await _home_for(request, "homewatch.events.read", "operator", "carer", "doctor",
                                           "family", "resident")
    if relation == "family" and not service.consent_given(home, "family_movement_history"):
        async with pool(request).acquire() as conn:
            await audit.record(conn, actor_of(request), "homewatch.events.read", "hw_home", home["id"],
                               allowed=False, detail={"reason": "no_consent"})
        raise Forbidden("The resident has not agreed to share this.", code="consent_required")
    hours = parse_query(request, HistoryQuery).hours
    since = datetime.now(UTC) - timedelta(hours=min(hours, 24 * 7))
    async with pool(request).acquire() as conn:
        rows = await conn.fetch(sql.EVENTS_OF_HOME, home["id"], since, 1000)
    return json([{"device_id": str(r["device_id"]), "kind": r["kind"], "room": r["room"],
                  "battery_pct": r["battery_pct"], "at": r["at"].isoformat()} for r in rows])


async def add_device(request: web.Request) -> web.Response:
    """The operator provisions a device: its HTTP token and (with a broker) its own MQTT account,
    allowed to publish only to its own topic. The secrets are shown once."""
    _user, home, _relation = await _home_for(request, "homewatch.device.add", "operator")
    body = await parse_body(request, NewDevice)
    if body.kind == "presence" and body.room is None:
        raise ValidationFailed("A presence sensor needs its room.", field="room", code="required")
    runtime = hw(request)
    async with pool(request).acquire() as conn:
        device = await service.add_device(conn, home["id"], body.kind, body.room)
        token, token_hash = service.new_device_token()
        await conn.execute(sql.SET_DEVICE_TOKEN, device["id"], token_hash)
        mqtt = None
        if runtime.mqtt is not None:
            password = service.device_password()
            try:
                username = await runtime.mqtt.provision(device["id"], password)
            except Exception:
                await conn.execute(sql.DELETE_DEVICE, device["id"])
                raise
            await conn.execute(sql.SET_DEVICE_USERNAME, device["id"], username)
            mqtt = {"url": runtime.cfg.device_url, "username": username, "password": password,
                    "topic": events_topic(device["id"]), "ack_topic": f"homewatch/{device['id']}/ack"}
    return json({"id": str(device["id"]), "kind": device["kind"], "room": device["room"], "token": token,
                 "mqtt": mqtt}, status=201)


async def device_events(request: web.Request) -> web.Response:
    """A device that cannot speak MQTT posts one event or a list, with its signed bearer token."""
    device_id = path_id(request)
    header = request.headers.get("Authorization", "")
    token = header[7:] if header.startswith("Bearer ") else ""
    async with pool(request).acquire() as conn:
        device = await conn.fetchrow(sql.DEVICE, device_id)
    if device is None or not service.token_matches(device, token):
        raise AppError("Unknown device or token.", code="bad_device_token", status=401)
    body = await read_json_any(request)
    items = body if isinstance(body, list) else [body]
    if not items or len(items) > 100:
        raise ValidationFailed("Send 1 to 100 events.", field="events")
    events = [service.parse_event(item, f"[{i}]" if isinstance(body, list) else "") for i, item in enumerate(items)]
    accepted = duplicates = 0
    raised: list[int] = []
    runtime = hw(request)
    async with pool(request).acquire() as conn:
        for event in events:
            result = await service.ingest(conn, runtime.cfg, device, event)
            duplicates += result.duplicate
            accepted += not result.duplicate
            raised += result.alert_ids
    if raised:
        await runtime.alerts_raised(raised)
    return json({"accepted": accepted, "duplicates": duplicates}, status=202)


async def read_json_any(request: web.Request):
    """A JSON object or a list (devices may batch); the same size limit as every body."""
    raw = await request.read()
    if len(raw) > 256 * 1024:
        raise ValidationFailed("The body is too large.", code="body_too_large", status=413)
    try:
        return json_module.loads(raw or b"{}")
    except ValueError:
        raise ValidationFailed("The body is not valid JSON.", code="bad_json", status=400) from None


# --- duty and alerts ---------------------------------------------------------------------------

async def set_duty(request: web.Request) -> web.Response:
    """A carer starts or ends a shift; alerts still owned at the end are handed back."""
    user = user_of(request, "carer", "street_operator")
    body = await parse_body(request, Duty)
    async with pool(request).acquire() as conn:
        handed = await service.set_duty(conn, user, body.on_duty)
    if handed:
        await hw(request).alerts_raised(handed)
    return json({"on_duty": body.on_duty, "handed_back": [str(a) for a in handed]})


async def my_duty(request: web.Request) -> web.Response:
    """The caller's place in home watch: role, street, community, on duty or not, and their homes."""
    user = user_of(request, "carer", "street_operator", "family", "patient")
    async with pool(request).acquire() as conn:
        staff = await conn.fetchrow(sql.STAFF, user["id"])
        homes = []
        if user["role"] in ("family", "patient"):
            query = sql.HOMES_OF_FAMILY if user["role"] == "family" else sql.HOMES_OF_RESIDENT
            homes = [service.home_view(h, "family") for h in await conn.fetch(query, user["id"])]
    return json({"role": user["role"], "name": user["name"],
                 "street_id": str(staff["street_id"]) if staff else None,
                 "community": staff["community"] if staff else None,
                 "on_duty": bool(staff and staff["on_duty"]), "homes": homes})


async def resident_help(request: web.Request) -> web.Response:
    """The resident's own help button on the home page: the same alert as the bedside button."""
    _user, home, _relation = await _home_for(request, "homewatch.help", "resident")
    runtime = hw(request)
    async with pool(request).acquire() as conn:
        async with conn.transaction():
            raised = await service.raise_help(conn, runtime.cfg, home)
    await runtime.alerts_raised(raised)
    async with pool(request).acquire() as conn:
        alert = await conn.fetchrow(sql.ALERT, raised[0])
        return json(await service.alert_view(conn, alert, "resident"), status=201)


async def _alert_for(conn, request, alert_id: int):
    """(alert, relation) when the caller may see it, else 404 (audited)."""
    user = user_of(request)
    alert = await conn.fetchrow(sql.ALERT, alert_id)
    if alert is not None:
        if user["role"] in STAFF_ROLES:
            staff = await conn.fetchrow(sql.STAFF, user["id"])
            if staff is not None and (alert["street_id"] in (None, staff["street_id"])):
                return alert, "operator" if user["role"] == "street_operator" else "carer"
        elif alert["home_id"] is not None:
            try:
                _home, relation = await service.home_access(conn, user, alert["home_id"])
                return alert, relation
            except NotFound:
                pass
    await audit.record(conn, actor_of(request), "homewatch.alert.read", "hw_alert", alert_id, allowed=False)
    raise NotFound("No such alert.", code="alert_not_found")


async def list_alerts(request: web.Request) -> web.Response:
    """Open (or all recent) alerts the caller may see, most urgent and newest first."""
    user = user_of(request)
    open_only = request.query.get("status", "open") == "open"
    async with pool(request).acquire() as conn:
        if user["role"] in STAFF_ROLES:
            staff = await service.staff_of(conn, user)
            rows = await conn.fetch(sql.OPEN_ALERTS_OF_STREET, staff["street_id"]) if open_only else \
                await conn.fetch(sql.RECENT_ALERTS_OF_STREET, staff["street_id"])
            relation = "operator" if user["role"] == "street_operator" else "carer"
        else:
            query = {"family": sql.HOMES_OF_FAMILY, "doctor": sql.HOMES_OF_DOCTOR,
                     "patient": sql.HOMES_OF_RESIDENT}.get(user["role"])
            homes = [r["id"] for r in await conn.fetch(query, user["id"])] if query else []
            rows = await conn.fetch(sql.ALERTS_OF_HOMES, homes, open_only)
            relation = {"family": "family", "doctor": "doctor", "patient": "resident"}.get(user["role"], "family")
        await audit.record(conn, actor_of(request), "homewatch.alerts.list", "hw_alert", None,
                           detail={"count": len(rows)})
        views = [await service.alert_view(conn, row, relation) for row in rows]
    views.sort(key=lambda a: (a["status"] == "closed", a["level"], a["raised_at"] and -datetime.fromisoformat(
        a["raised_at"]).timestamp()))
    return json(views)


async def get_alert(request: web.Request) -> web.Response:
    """One alert with its timeline."""
    async with pool(request).acquire() as conn:
        alert, relation = await _alert_for(conn, request, path_id(request))
        await audit.record(conn, actor_of(request), "homewatch.alert.read", "hw_alert", alert["id"])
        return json(await service.alert_view(conn, alert, relation))


async def _change(request: web.Request, action, *roles: str) -> tuple:
    """Run one change of an alert for a caller who may see it; publish the new state; (row, view)."""
    user = user_of(request, *roles)
    alert_id = path_id(request)
    async with pool(request).acquire() as conn:
        _alert, relation = await _alert_for(conn, request, alert_id)
        row = await action(conn, user)
        await audit.record(conn, actor_of(request), f"homewatch.alert.{action.__name__}", "hw_alert", alert_id)
        view = await service.alert_view(conn, row, relation)
    await hw(request).publish([], also=[alert_id])
    return row, view


async def acknowledge(request: web.Request) -> web.Response:
    """A carer of the street (or the doctor) takes the alert: one owner at a time, 409 otherwise."""
    async def acknowledged(conn, user):
        return await service.acknowledge(conn, path_id(request), user)
    row, view = await _change(request, acknowledged, "carer", "street_operator", "doctor")
    await hw(request).acknowledged(row)
    return json(view)


async def progress(request: web.Request) -> web.Response:
    """The owner is on the way, or has arrived."""
    body = await parse_body(request, Progress)

    async def progressed(conn, user):
        return await service.progress(conn, path_id(request), user, body.step)
    _row, view = await _change(request, progressed, "carer", "street_operator", "doctor")
    return json(view)


async def resolve(request: web.Request) -> web.Response:
    """The owner closes the alert with its outcome (required) and a note."""
    body = await parse_body(request, Resolve)

    async def resolved(conn, user):
        return await service.resolve(conn, path_id(request), user, body.outcome, body.note)
    _row, view = await _change(request, resolved, "carer", "street_operator", "doctor")
    return json(view)


async def cancel(request: web.Request) -> web.Response:
    """"I'm OK": the resident cancels an alert before anyone has taken it."""
    async def cancelled(conn, user):
        return await service.cancel_by_resident(conn, path_id(request), user)
    _row, view = await _change(request, cancelled, "patient")
    return json(view)


async def rate(request: web.Request) -> web.Response:
    """The resident or the family rates how the call was answered."""
    user = user_of(request, "family", "patient")
    body = await parse_body(request, Rating)
    async with pool(request).acquire() as conn:
        await _alert_for(conn, request, path_id(request))
        await service.rate(conn, path_id(request), user, body.rating, body.comment)
    return web.Response(status=204)


async def ingestion(request: web.Request) -> web.Response:
    """This process's broker link: connected or not, events stored and duplicates met (for operations)."""
    user_of(request, "admin")
    link = hw(request).mqtt
    return json({"instance": request.app[INSTANCE_ID], "mqtt": link is not None,
                 "connected": bool(link and link.connected.is_set()),
                 "handled": link.handled if link else 0, "duplicates": link.duplicates if link else 0})


# --- reports -----------------------------------------------------------------------------------

async def _report_rows(request: web.Request) -> list[dict]:
    user = user_of(request, "street_operator", "admin")
    query = parse_query(request, ReportQuery)
    days = min(query.days, 366)
    async with pool(request).acquire() as conn:
        if user["role"] == "admin":
            if query.street_id is None:
                raise ValidationFailed("street_id: required for an admin.", field="street_id", code="required")
            street_id = query.street_id
        else:
            street_id = (await service.staff_of(conn, user))["street_id"]
        rows = await conn.fetch(sql.REPORT, street_id, days, hw(request).cfg.timezone)
    out = []
    for r in rows:
        raised = r["raised"] or 0

        def pct(n, raised=raised):
            return round(100.0 * n / raised, 1) if raised else None
        out.append({"date": service.report_day(r["day"]), "community": r["community"], "raised": raised,
                    "button": r["button"], "stay": r["stay"], "inactivity": r["inactivity"], "device": r["device"],
                    "acknowledged_60s_pct": pct(r["ack_60"]), "acknowledged_180s_pct": pct(r["ack_180"]),
                    "arrival_median_s": r["arrival_median_s"], "arrival_p90_s": r["arrival_p90_s"],
                    "completed_pct": pct(r["closed"]),
                    "satisfaction": float(r["satisfaction"]) if r["satisfaction"] is not None else None,
                    "false_alarms": r["false_alarms"]})
    return out


async def report(request: web.Request) -> web.Response:
    """Per day and community: alerts by kind, acknowledged within 60 s / 180 s, arrival, completion."""
    return json(await _report_rows(request))


async def report_homes(request: web.Request) -> web.Response:
    """False alarms per home (most first) and how many devices are offline now (past their heartbeat timeout)."""
    user = user_of(request, "street_operator")
    days = min(parse_query(request, ReportQuery).days, 366)
    async with pool(request).acquire() as conn:
        street_id = (await service.staff_of(conn, user))["street_id"]
        homes = await conn.fetch(sql.FALSE_ALARMS_PER_HOME, street_id, days)
        offline = await conn.fetchval(sql.DEVICES_OFFLINE, street_id,
                                      float(rules.DEFAULT_RULES["heartbeat_timeout_seconds"]))
    return json({"false_alarms_per_home": [{"home_id": str(r["id"]), "address": r["address"],
                                            "false_alarms": r["false_alarms"]} for r in homes],
                 "devices_offline": offline})


async def report_csv(request: web.Request) -> web.Response:
    """The same report as CSV."""
    rows = await _report_rows(request)
    buffer = io.StringIO()
    columns = ["date", "community", "raised", "button", "stay", "inactivity", "device", "acknowledged_60s_pct",
               "acknowledged_180s_pct", "arrival_median_s", "arrival_p90_s", "completed_pct", "satisfaction",
               "false_alarms"]
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return web.Response(text=buffer.getvalue(), content_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="homewatch-report.csv"'})


# --- pages -------------------------------------------------------------------------------------

carer_page = pages.page("homewatch/carer.html", "carer", "street_operator")
family_page = pages.page("homewatch/family.html", "family")
resident_page = pages.page("homewatch/resident.html", "patient")
operator_page = pages.page("homewatch/operator.html", "street_operator")

ROUTES = [
    ("GET", "/homewatch/carer", carer_page, "hw_carer_page", None),
    ("GET", "/homewatch/family", family_page, "hw_family_page", None),
    ("GET", "/homewatch/home", resident_page, "hw_resident_page", None),
    ("GET", "/homewatch/operator", operator_page, "hw_operator_page", None),
    ("POST", "/api/admin/streets", create_street, "hw_street_create", NewStreet),
    ("POST", "/api/admin/street-operators", create_operator, "hw_operator_create", NewStreetOperator),
    ("POST", "/api/homewatch/users", create_street_user, "hw_user_create", NewStreetUser),
    ("POST", "/api/homewatch/homes", create_home, "hw_home_create", NewHome),
    ("GET", "/api/homewatch/homes", list_homes, "hw_homes", None),
    ("GET", "/api/homewatch/homes/{id}", get_home, "hw_home", None),
    ("PUT", "/api/homewatch/homes/{id}/rules", set_rules, "hw_home_rules", Rules),
    ("POST", "/api/homewatch/homes/{id}/away", set_away, "hw_home_away", Away),
    ("POST", "/api/homewatch/homes/{id}/consent", set_consent, "hw_home_consent", ConsentChange),
    ("GET", "/api/homewatch/homes/{id}/events", home_events, "hw_home_events", None),
    ("POST", "/api/homewatch/homes/{id}/devices", add_device, "hw_device_add", NewDevice),
    ("POST", "/api/homewatch/devices/{id}/events", device_events, "hw_device_events", None),
    ("POST", "/api/homewatch/duty", set_duty, "hw_duty", Duty),
    ("GET", "/api/homewatch/me", my_duty, "hw_me", None),
    ("POST", "/api/homewatch/homes/{id}/help", resident_help, "hw_home_help", None),
    ("GET", "/api/homewatch/alerts", list_alerts, "hw_alerts", None),
    ("GET", "/api/homewatch/alerts/{id}", get_alert, "hw_alert", None),
    ("POST", "/api/homewatch/alerts/{id}/acknowledge", acknowledge, "hw_alert_ack", None),
    ("POST", "/api/homewatch/alerts/{id}/progress", progress, "hw_alert_progress", Progress),
    ("POST", "/api/homewatch/alerts/{id}/resolve", resolve, "hw_alert_resolve", Resolve),
    ("POST", "/api/homewatch/alerts/{id}/cancel", cancel, "hw_alert_cancel", None),
    ("POST", "/api/homewatch/alerts/{id}/rating", rate, "hw_alert_rating", Rating),
    ("GET", "/api/homewatch/ingestion", ingestion, "hw_ingestion", None),
    ("GET", "/api/homewatch/reports", report, "hw_report", None),
    ("GET", "/api/homewatch/reports/homes", report_homes, "hw_report_homes", None),
    ("GET", "/api/homewatch/reports.csv", report_csv, "hw_report_csv", None),
]
