"""Home watch routes for streets, their people and homes: enrolment, rules, away mode, consent,
the sensor history. Thin handlers: check who is asking, then call the service; every read of a
home is audited (view_access.home_for)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Literal

from aiohttp import web
from pydantic import Field, field_validator

from server.accounts import service as auth
from server.audit import service as audit
from server.homewatch import calls, homes, people, rules
from server.homewatch import queries as sql
from server.homewatch.keys import HOMEWATCH
from server.homewatch.view_access import STAFF_ROLES, home_for
from server.web.common import actor_of, json, pool, user_of
from server.web.errors import Forbidden, ValidationFailed
from server.web.validation import Body, Count, Query, parse_body, parse_query


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
    # Whose word the operator records: the resident's own, or their legal guardian's.
    given_by: Literal["resident", "guardian"] = "resident"


class People(Body):
    """Who is linked to a home, by the phone or email each signs in with (replaces the links)."""

    family_logins: list[str] = Field(default_factory=list, max_length=20)
    resident_login: str | None = Field(default=None, min_length=3, max_length=254)
    doctor_login: str | None = Field(default=None, min_length=3, max_length=254)

    @field_validator("family_logins")
    @classmethod
    def _logins(cls, values: list[str]) -> list[str]:
        for value in values:
            if not 3 <= len(value.strip()) <= 254:
                raise ValueError("each login is a phone number or an email")
        return values


class HistoryQuery(Query):
    hours: Count = 24


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
        staff = await homes.staff_of(conn, operator)
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
        staff = await homes.staff_of(conn, operator)
        for index, family_id in enumerate(body.family_ids):
            role = await conn.fetchval(sql.ROLE_OF, family_id)
            if role != "family":
                raise ValidationFailed("Not a family account.", field=f"family_ids[{index}]")
        if body.doctor_id and await conn.fetchval(sql.ROLE_OF, body.doctor_id) != "doctor":
            raise ValidationFailed("Not a doctor.", field="doctor_id")
        if body.resident_user_id and await conn.fetchval(sql.ROLE_OF, body.resident_user_id) != "patient":
            raise ValidationFailed("Not a patient account.", field="resident_user_id")
        home = await homes.create_home(conn, staff["street_id"], body)
        await audit.record(conn, actor_of(request), "homewatch.home.create", "hw_home", home["id"])
        view = await _operator_view(conn, home)
    return json(view, status=201)


async def list_homes(request: web.Request) -> web.Response:
    """The homes the caller may see: the street's for its staff, their own for family, doctor, resident."""
    user = user_of(request)
    async with pool(request).acquire() as conn:
        if user["role"] in STAFF_ROLES:
            staff = await homes.staff_of(conn, user)
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
        views = [await _operator_view(conn, row) if relation == "operator" else homes.home_view(row, relation)
                 for row in rows]
    return json(views)


async def get_home(request: web.Request) -> web.Response:
    """One home, as much of it as the caller may see."""
    _user, home, relation = await home_for(request, "homewatch.home.read")
    if relation != "operator":
        return json(homes.home_view(home, relation))
    async with pool(request).acquire() as conn:
        return json(await _operator_view(conn, home))


async def set_rules(request: web.Request) -> web.Response:
    """The street operator sets a home's rules."""
    _user, home, _relation = await home_for(request, "homewatch.rules.set", "operator")
    body = await parse_body(request, Rules)
    async with pool(request).acquire() as conn:
        stored = await conn.fetchval(sql.SET_RULES, home["id"], body.model_dump())
        await audit.record(conn, actor_of(request), "homewatch.rules.changed", "hw_home", home["id"],
                           detail={"fields": sorted(body.model_fields_set)})
    return json(rules.rules_of(stored))


async def set_away(request: web.Request) -> web.Response:
    """Away mode: the operator, the family or the resident; the movement rules stay quiet."""
    _user, home, _relation = await home_for(request, "homewatch.away.set", "operator", "family", "resident")
    body = await parse_body(request, Away)
    async with pool(request).acquire() as conn:
        away = await conn.fetchval(sql.SET_AWAY, home["id"], body.away)
        await audit.record(conn, actor_of(request), "homewatch.away.changed", "hw_home", home["id"],
                           detail={"away": body.away})
    return json({"away": away})


async def set_consent(request: web.Request) -> web.Response:
    """The resident (or the operator recording the resident's or guardian's word) gives or withdraws consent."""
    user, home, relation = await home_for(request, "homewatch.consent.set", "operator", "resident")
    body = await parse_body(request, ConsentChange)
    given_by = body.given_by if relation == "operator" else "resident"
    async with pool(request).acquire() as conn:
        async with conn.transaction():
            # Read again under the row lock: two consents recorded at once both stand.
            current = await conn.fetchrow(sql.HOME_FOR_UPDATE, home["id"])
            consent = dict(current["consent"] or {})
            consent[body.purpose] = {"granted": body.granted, "at": datetime.now(UTC).isoformat(),
                                     "given_by": given_by, "recorded_by": str(user["id"])}
            stored = await conn.fetchval(sql.SET_CONSENT, home["id"], consent)
            await audit.record(conn, actor_of(request), "homewatch.consent.changed", "hw_home", home["id"],
                               detail={"purpose": body.purpose, "granted": body.granted, "given_by": given_by})
            disarmed = await calls.consent_withdrawn(conn, home["id"]) \
                if body.purpose == calls.CONSENT and not body.granted else []
    if disarmed:  # a call ringing now: its countdown stops at once, the page waits for a tap
        await request.app[HOMEWATCH].publish_calls(disarmed)
    return json({k: bool(v.get("granted")) for k, v in stored.items()})


async def set_people(request: web.Request) -> web.Response:
    """The operator links the home's family accounts, the resident's own account and the contracted doctor."""
    _user, home, _relation = await home_for(request, "homewatch.people.set", "operator")
    body = await parse_body(request, People)
    async with pool(request).acquire() as conn:
        row = await people.link(conn, home["id"], body)
        await audit.record(conn, actor_of(request), "homewatch.people.changed", "hw_home", home["id"],
                           detail={"family": len(body.family_logins), "resident": bool(body.resident_login),
                                   "doctor": bool(body.doctor_login)})
        return json(await _operator_view(conn, row))


async def _operator_view(conn, home) -> dict:
    """The operator's Home: devices, the people linked and the consent records with their time."""
    devices = await conn.fetch(sql.DEVICES_OF_HOME, home["id"])
    view = homes.home_view(home, "operator", devices)
    view["people"] = await people.people_view(conn, home)
    view["consent_records"] = {k: {"granted": bool(v.get("granted")), "at": v.get("at"),
                                   "given_by": v.get("given_by", "resident")}
                               for k, v in (home["consent"] or {}).items()}
    return view


async def home_events(request: web.Request) -> web.Response:
    """Sensor history of the last `hours` (at most 7 days): staff of the street and the doctor;
    family only with the resident's consent to share movement history."""
    user, home, relation = await home_for(request, "homewatch.events.read", "operator", "carer", "doctor",
                                           "family", "resident")
    if relation == "family" and not homes.consent_given(home, "family_movement_history"):
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
