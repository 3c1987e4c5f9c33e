"""Home watch services: device events in, home state and durable timers, alerts and their life.

Every change is one transaction in PostgreSQL: the home's row lock orders the events of one home
across processes, timers and dispatch steps are taken with FOR UPDATE SKIP LOCKED, and an alert's
open key is unique, so a duplicate, a restart or a second process never doubles or loses an alert.
Functions that raise or change alerts return their ids; the caller publishes them after commit.
"""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import asyncpg
from pydantic import Field, ValidationError, field_validator, model_validator

from server.accounts import service as auth
from server.homewatch import queries as sql
from server.homewatch import rules
from server.homewatch.config import HomewatchSettings
from server.web import jsoncodec
from server.web.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.web.validation import Body, check_value, raise_validation

UTC = UTC


class DeviceEvent(Body):
    """One event as a device sends it, over MQTT or HTTP: the same gate as every HTTP body."""

    event_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")
    kind: Literal["presence", "button", "heartbeat", "battery", "tamper"]
    at: datetime = Field(strict=False)  # decoded JSON carries it as an ISO 8601 string (the bodies are strict)
    room: Literal["bedroom", "living_room", "bathroom", "kitchen", "hall"] | None = None
    battery_pct: int | None = Field(default=None, ge=0, le=100)

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    @model_validator(mode="after")
    def _fields_of_kind(self):
        if self.kind == "battery" and self.battery_pct is None:
            raise ValueError("battery_pct is required for a battery event")
        return self


def parse_event(data, prefix: str = "") -> DeviceEvent:
    """A device event from decoded JSON, or a 422 naming the field."""
    if not isinstance(data, dict):
        raise ValidationFailed("An event must be a JSON object.", field=prefix or None)
    check_value(data, prefix)  # the HTTP bodies' gate: control characters, depth, number ranges
    try:
        # JSON mode, as HTTP bodies are parsed: strict types, and `at` an ISO 8601 string.
        return DeviceEvent.model_validate_json(jsoncodec.dumps(data), strict=True)
    except ValidationError as exc:
        raise_validation(exc, prefix)


# --- device tokens (HTTP ingestion) ------------------------------------------------------------

def new_device_token() -> tuple[str, bytes]:
    """A fresh HTTP bearer token for a device and what is stored of it (its hash, like a session's)."""
    token = secrets.token_urlsafe(32)
    return token, auth.token_hash(token)


def token_matches(device, token: str) -> bool:
    """Whether `token` is the device's current token."""
    stored = device["token_hash"]
    return bool(stored) and hmac.compare_digest(bytes(stored), auth.token_hash(token or ""))


# --- ingestion ---------------------------------------------------------------------------------

@dataclass
class Ingested:
    """What one event did: nothing (a duplicate), and which alerts it raised."""

    duplicate: bool = False
    alert_ids: list[int] = field(default_factory=list)


async def ingest(conn: asyncpg.Connection, cfg: HomewatchSettings, device, event: DeviceEvent,
                 received_at: datetime | None = None) -> Ingested:
    """Store one event of `device` and apply it to its home, in one transaction."""
    received_at = received_at or datetime.now(UTC)
    at, suspect = rules.judged_time(event.at, received_at)
    result = Ingested()
    if event.kind == "heartbeat":
        stored = await conn.fetchval(sql.HEARTBEAT, device["id"], event.event_id, device["home_id"], event.at, at,
                                     received_at, suspect, float(rules.DEFAULT_RULES["heartbeat_timeout_seconds"]))
        result.duplicate = not stored
        return result
    async with conn.transaction():
        home = await conn.fetchrow(sql.HOME_FOR_UPDATE, device["home_id"])  # orders this home's events
        stored = await conn.fetchval(sql.INSERT_EVENT, device["id"], event.event_id, home["id"], event.kind,
                                     event.room or (device["room"] if event.kind == "presence" else None),
                                     event.battery_pct, event.at, at, received_at)
        if stored is None:
            result.duplicate = True
            return result
        await conn.execute(sql.DEVICE_SEEN, device["id"], received_at, event.battery_pct, suspect)
        home_rules = rules.rules_of(home["rules"])
        # Any event proves the device alive: its silence timer starts again from this arrival.
        await conn.execute(sql.UPSERT_TIMER, "silent", f"device:{device['id']}", home["id"], device["id"], None,
                           received_at, rules.silent_due(received_at, home_rules), None)
        if event.kind == "presence" and (event.room or device["room"]):
            await _apply_presence(conn, home, home_rules)
        elif event.kind == "button":
            result.alert_ids += await _raise(conn, cfg, home, "button", f"button:{home['id']}", device["id"])
        elif event.kind == "battery" and rules.battery_low(event.battery_pct, home_rules):
            result.alert_ids += await _raise(conn, cfg, home, "battery_low", f"battery:{device['id']}", device["id"])
        elif event.kind == "tamper":
            result.alert_ids += await _raise(conn, cfg, home, "tamper", f"tamper:{device['id']}", device["id"])
    return result


async def ingest_heartbeats(conn: asyncpg.Connection, items: list[tuple], received_at: datetime) -> set[tuple]:
    """Store many heartbeats [(device, event)] in one statement; return the (device id, event id)
    pairs that were new (the others were duplicates)."""
    columns: list[list] = [[], [], [], [], [], [], []]
    for device, event in items:
        at, suspect = rules.judged_time(event.at, received_at)
        for column, value in zip(columns, (device["id"], event.event_id, device["home_id"], event.at, at,
                                           received_at, suspect)):
            column.append(value)
    async with conn.transaction():
        await conn.execute(sql.LOCK_DEVICES, sorted(set(columns[0])))
        rows = await conn.fetch(sql.HEARTBEATS, *columns, float(rules.DEFAULT_RULES["heartbeat_timeout_seconds"]))
    return {(r["device_id"], r["event_id"]) for r in rows}


async def _apply_presence(conn, home, home_rules: dict) -> None:
    """Recompute where the resident is from the events by their own time; move the timers."""
    state = await conn.fetchrow(sql.PRESENCE_STATE, home["id"])
    await conn.execute(sql.SET_STATE, home["id"], state["room"], state["since"], state["last_at"])
    subject = f"home:{home['id']}"
    row = await conn.fetchrow(sql.TIMER, "stay", subject)
    current = rules.StayTimer(row["room"], row["since"], row["due_at"], row["fired_at"] is not None) if row else None
    timer = rules.next_stay_timer(current, state["room"], state["since"], home_rules)
    fired_at = row["fired_at"] if (timer.fired and row) else None
    if current is not None and current.fired and not timer.fired and current.since is not None:
        # A late event shows the last stay ended before it was due: its alert, if not sent yet, goes.
        ended = await conn.fetchval(sql.STAY_ENDED, home["id"], current.since, current.room)
        if ended is not None:
            for withdrawn in await conn.fetch(sql.WITHDRAW_STAY, f"stay:{home['id']}:{current.since.isoformat()}", ended):
                await conn.execute(sql.INSERT_TIMELINE, withdrawn["id"], "withdrawn", None, {"reason": "left_before_due"})
    await conn.execute(sql.UPSERT_TIMER, "stay", subject, home["id"], None, timer.room, timer.since,
                       timer.due_at, fired_at)
    last = max(filter(None, (home["last_movement_at"], state["last_at"])))
    await conn.execute(sql.UPSERT_TIMER, "inactivity", subject, home["id"], None, None, last,
                       rules.inactivity_due(last, home_rules), None)


async def _raise(conn, cfg: HomewatchSettings, home, kind: str, key: str, device_id=None, due_at=None) -> list[int]:
    """Raise an alert once per open key; a repeat (a second press) is noted on the open one."""
    delay = 0 if kind in ("button", "monitoring_interrupted") else cfg.cancel_seconds
    alert_id = await conn.fetchval(sql.INSERT_ALERT, home["id"] if home else None,
                                   home["street_id"] if home else None, kind, rules.LEVELS[kind], key,
                                   device_id, due_at, float(delay))
    if alert_id is None:
        existing = await conn.fetchval(sql.OPEN_ALERT_BY_KEY, key)
        if existing is not None and kind == "button":
            await conn.execute(sql.INSERT_TIMELINE, existing, "pressed_again", None, {})
            return [existing]
        return []
    await conn.execute(sql.INSERT_TIMELINE, alert_id, "raised", None, {"kind": kind})
    return [alert_id]


async def raise_help(conn, cfg: HomewatchSettings, home) -> list[int]:
    """The resident asked for help from the home page: a button alert (or a repeat on the open one)."""
    return await _raise(conn, cfg, home, "button", f"button:{home['id']}")


# --- timers ------------------------------------------------------------------------------------

async def fire_due_timers(conn: asyncpg.Connection, cfg: HomewatchSettings, limit: int = 200) -> list[int]:
    """Fire the timers that are due and that no other process holds; return the alerts raised."""
    raised: list[int] = []
    async with conn.transaction():
        monitor = await conn.fetchrow(sql.MONITOR)
        for timer in await conn.fetch(sql.DUE_TIMERS, limit):
            raised += await _fire(conn, cfg, timer, monitor)
    return raised


async def _fire(conn, cfg: HomewatchSettings, timer, monitor) -> list[int]:
    kind, subject, now = timer["kind"], timer["subject"], datetime.now(UTC)
    if kind == "broker":
        await conn.execute(sql.FIRE_TIMER, kind, subject)
        return await _raise(conn, cfg, None, "monitoring_interrupted", f"monitoring:{timer['since'].isoformat()}",
                            due_at=timer["due_at"])
    home = await conn.fetchrow(sql.HOME, timer["home_id"])
    home_rules = rules.rules_of(home["rules"])
    if kind == "silent":
        # While the broker is away, or just back, silence is the broker's, not the device's.
        if monitor is not None and monitor["down_since"] is not None:
            await conn.execute(sql.POSTPONE_TIMER, kind, subject, rules.silent_due(now, home_rules))
            return []
        if monitor is not None and monitor["up_since"] is not None and \
                rules.silent_due(monitor["up_since"], home_rules) > now:
            await conn.execute(sql.POSTPONE_TIMER, kind, subject, rules.silent_due(monitor["up_since"], home_rules))
            return []
        await conn.execute(sql.FIRE_TIMER, kind, subject)
        return await _raise(conn, cfg, home, "device_silent", f"silent:{timer['device_id']}", timer["device_id"],
                            due_at=timer["due_at"])
    local = now.astimezone(ZoneInfo(cfg.timezone))
    sleeping = rules.in_sleep_hours(local, home_rules)
    if kind == "inactivity" and sleeping and not home["away"]:
        # Quiet at night: judged again when the sleep hours end.
        wake = rules.parse_clock(home_rules["sleep_end"])
        wake_at = local.replace(hour=wake.hour, minute=wake.minute, second=0, microsecond=0)
        if wake_at <= local:
            wake_at += timedelta(days=1)
        await conn.execute(sql.POSTPONE_TIMER, kind, subject, wake_at)
        return []
    await conn.execute(sql.FIRE_TIMER, kind, subject)
    alert_kind = rules.STAY_ALERT.get(timer["room"]) if kind == "stay" else "inactivity"
    if alert_kind is None or rules.suppressed(alert_kind, away=home["away"], sleeping=sleeping):
        return []
    key = f"{kind}:{home['id']}:{(timer['since'] or now).isoformat()}"
    return await _raise(conn, cfg, home, alert_kind, key, due_at=timer["due_at"])


async def broker_down(conn: asyncpg.Connection, cfg: HomewatchSettings) -> None:
    """This process lost the broker: start (once) the timer of the "monitoring interrupted" alert."""
    async with conn.transaction():
        since = await conn.fetchval(sql.BROKER_DOWN)
        row = await conn.fetchrow(sql.TIMER, "broker", "broker")
        if row is None or row["since"] != since:
            await conn.execute(sql.UPSERT_TIMER, "broker", "broker", None, None, None, since,
                               since + timedelta(seconds=cfg.monitor_grace_seconds), None)


async def broker_up(conn: asyncpg.Connection) -> None:
    """The broker answers again: the pending interruption timer is cancelled (an alert raised stays)."""
    async with conn.transaction():
        await conn.execute(sql.BROKER_UP)
        await conn.execute(sql.CANCEL_BROKER_TIMER)


async def forget_old_events(conn: asyncpg.Connection, cfg: HomewatchSettings) -> None:
    """Sensor history past its retention period is deleted."""
    await conn.execute(sql.DELETE_OLD_EVENTS, cfg.retention_days)


# --- homes, devices, staff ---------------------------------------------------------------------

async def make_operator(conn: asyncpg.Connection, user_id: int, street_id: int | None) -> None:
    """Attach a new street operator account to its street (POST /api/admin/users with `street_id`)."""
    if street_id is None or not await conn.fetchval(sql.STREET_EXISTS, street_id):
        raise ValidationFailed("A street operator needs an existing street.", field="street_id")
    await conn.execute(sql.INSERT_STAFF, user_id, street_id, None)


async def staff_of(conn, user) -> asyncpg.Record:
    """The street (and community) of an operator or carer, or 403."""
    row = await conn.fetchrow(sql.STAFF, user["id"])
    if row is None:
        raise Forbidden("You are not attached to a street.", code="no_street")
    return row


async def home_access(conn, user, home_id: int) -> tuple[asyncpg.Record, str]:
    """(the home, how the user relates to it: operator/carer/family/doctor/resident), or 404."""
    home = await conn.fetchrow(sql.HOME, home_id)
    if home is None or user is None:
        raise NotFound("No such home.", code="home_not_found")
    role = user["role"]
    if role in ("street_operator", "carer"):
        staff = await conn.fetchrow(sql.STAFF, user["id"])
        if staff is not None and staff["street_id"] == home["street_id"]:
            return home, "operator" if role == "street_operator" else "carer"
    elif role == "family" and await conn.fetchval(sql.IS_FAMILY, home_id, user["id"]):
        return home, "family"
    elif role == "doctor" and home["doctor_id"] == user["id"]:
        return home, "doctor"
    elif role == "patient" and home["resident_user_id"] == user["id"]:
        return home, "resident"
    raise NotFound("No such home.", code="home_not_found")


def consent_given(home, purpose: str) -> bool:
    """Whether the resident's recorded consent for `purpose` stands."""
    entry = (home["consent"] or {}).get(purpose) or {}
    return bool(entry.get("granted"))


def home_view(home, relation: str, devices=()) -> dict:
    """A home as its viewer may see it: carers, the operator and the doctor see what a visit needs
    (key-safe code, conditions, medicines, contacts); family and the resident see less."""
    consent = home["consent"] or {}
    view = {"id": str(home["id"]), "community": home["community"], "address": home["address"],
            "resident": {"name": home["resident_name"]}, "away": home["away"],
            "consent": {k: bool((v or {}).get("granted")) for k, v in consent.items()},
            "doctor_id": str(home["doctor_id"]) if home["doctor_id"] else None}
    if relation in ("operator", "carer", "doctor"):
        view.update(key_safe_code=home["key_safe_code"], conditions=home["conditions"],
                    medicines=home["medicines"],
                    contacts=home["contacts"],
                    rules=rules.rules_of(home["rules"]))
    if relation == "operator":
        view["devices"] = [{"id": str(d["id"]), "kind": d["kind"], "room": d["room"],
                            "last_seen_at": d["last_seen_at"].isoformat() if d["last_seen_at"] else None,
                            "battery_pct": d["battery_pct"], "clock_suspect": d["clock_suspect"]} for d in devices]
    return view


async def create_home(conn, street_id: int, body) -> asyncpg.Record:
    """Enrol a home and its resident; consent as recorded now."""
    now = datetime.now(UTC).isoformat()
    consent = {k: {"granted": bool(v), "at": now} for k, v in (body.consent.model_dump(exclude_unset=True) if body.consent else {}).items()}
    async with conn.transaction():
        home = await conn.fetchrow(sql.INSERT_HOME, street_id, body.community, body.address, body.resident.name,
                                   body.resident.birth_date, body.resident_user_id, body.doctor_id,
                                   body.key_safe_code, body.conditions, body.medicines,
                                   [c.model_dump() for c in body.contacts], consent, {})
        for family_id in body.family_ids:
            await conn.execute(sql.INSERT_FAMILY, home["id"], family_id)
    return home


async def add_device(conn, home_id: int, kind: str, room: str | None) -> asyncpg.Record:
    """A new device row (its broker account is created by the caller)."""
    return await conn.fetchrow(sql.INSERT_DEVICE, home_id, kind, room)


def device_password() -> str:
    """A fresh broker password for a device: shown once, stored only by the broker (hashed)."""
    return secrets.token_urlsafe(18)


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
