"""Home watch services: device events in, home state and durable timers (homes and devices are in
homes.py, the life of an alert in alerts.py).

Every change is one transaction in PostgreSQL: the home's row lock orders the events of one home
across processes, timers and dispatch steps are taken with FOR UPDATE SKIP LOCKED, and an alert's
open key is unique, so a duplicate, a restart or a second process never doubles or loses an alert.
Functions that raise or change alerts return their ids; the caller publishes them after commit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import asyncpg
from pydantic import Field, ValidationError, field_validator, model_validator

from server.homewatch import queries as sql
from server.homewatch import rules
from server.homewatch.config import HomewatchSettings
from server.web import jsoncodec
from server.web.errors import ValidationFailed
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
