"""Pure home-watch rules: no I/O, only times and thresholds in, decisions out.

Sources: the district's rules (living room > 3 h, bathroom > 1 h is abnormal, the bedside button
is an emergency) and BS 8591 / the TSA code of practice (answered within 60 s / 180 s); see
docs/CLINICAL.md "Social alarms and home monitoring". Passive infrared senses movement, not
stillness, so "where the resident is" is the last room with movement and a stay's clock runs from
the first movement of the current run in that room.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

DEFAULT_RULES = {
    "living_room_max_seconds": 3 * 3600,
    "bathroom_max_seconds": 3600,
    # No movement anywhere for this long in the day (outside sleep hours); None: not watched.
    "inactivity_seconds": 8 * 3600,
    "heartbeat_timeout_seconds": 900,
    "battery_low_pct": 20,
    "sleep_start": "22:00",
    "sleep_end": "07:00",
}
STAY_RULE = {"living_room": "living_room_max_seconds", "bathroom": "bathroom_max_seconds"}
STAY_ALERT = {"living_room": "living_room_stay", "bathroom": "bathroom_stay"}

# Level 1 is the most urgent. The button is an emergency; a long bathroom stay suggests a fall.
LEVELS = {"button": 1, "bathroom_stay": 2, "living_room_stay": 2, "inactivity": 2, "tamper": 3,
          "monitoring_interrupted": 2, "device_silent": 4, "battery_low": 5}
ALERT_KINDS = tuple(LEVELS)
ROOMS = ("bedroom", "living_room", "bathroom", "kitchen", "hall")
EVENT_KINDS = ("presence", "button", "heartbeat", "battery", "tamper")
OUTCOMES = ("false_alarm", "assisted", "called_120", "hospital", "video_call", "cancelled_by_resident", "withdrawn")

# A device clock this far ahead of the event's arrival is wrong (clocks drift by seconds, not hours).
MAX_AHEAD = timedelta(minutes=5)
# Devices buffer events while the broker is away; older than this, the stamp is not believed.
MAX_BEHIND = timedelta(hours=24)


def rules_of(stored: dict | None) -> dict:
    """A home's rules: its own settings over the defaults."""
    return {**DEFAULT_RULES, **(stored or {})}


def judged_time(device_at: datetime | None, received_at: datetime) -> tuple[datetime, bool]:
    """(the time an event is judged by, whether the device's clock is suspect).

    A late event is judged by its own time; one stamped in the future or long ago (a reset clock
    says 1970) by its arrival, and the device is flagged.
    """
    if device_at is None:
        return received_at, True
    if device_at > received_at + MAX_AHEAD or device_at < received_at - MAX_BEHIND:
        return received_at, True
    return device_at, False


@dataclass(frozen=True)
class StayTimer:
    """The stay timer of a home: in which room since when, due when, already fired or not."""

    room: str | None
    since: datetime | None
    due_at: datetime | None
    fired: bool


def next_stay_timer(current: StayTimer | None, room: str | None, since: datetime | None, rules: dict) -> StayTimer:
    """The stay timer after the home's state became (room, since).

    The same stay (same room, a start no later than the timer's) keeps its fired flag, so a late
    event that moves the start earlier never raises a second alert for one stay. A new stay
    (another room, or the same room after a visit elsewhere) starts unfired.
    """
    threshold = rules.get(STAY_RULE.get(room or "", ""), None)
    due = since + timedelta(seconds=threshold) if (threshold and since) else None
    if current is not None and current.room == room and current.since is not None and since is not None \
            and since <= current.since:
        return StayTimer(room, since, due, current.fired)
    return StayTimer(room, since, due, False)


def parse_clock(text: str) -> time:
    """"22:00" as a time of day."""
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def in_sleep_hours(at: datetime, rules: dict) -> bool:
    """Whether `at` (local wall time of the home) falls in the home's sleep hours (may wrap midnight)."""
    start, end, now = parse_clock(rules["sleep_start"]), parse_clock(rules["sleep_end"]), at.time()
    if start <= end:
        return start <= now < end
    return now >= start or now < end


def inactivity_due(last_movement_at: datetime | None, rules: dict) -> datetime | None:
    """When "no movement for N hours" falls due, or None when the rule is off or nothing moved yet."""
    seconds = rules.get("inactivity_seconds")
    if not seconds or last_movement_at is None:
        return None
    return last_movement_at + timedelta(seconds=seconds)


def silent_due(last_seen_at: datetime, rules: dict) -> datetime:
    """When a device that has not been heard from counts as silent."""
    return last_seen_at + timedelta(seconds=rules["heartbeat_timeout_seconds"])


def battery_low(pct: int | None, rules: dict) -> bool:
    """Whether a battery reading needs a visit to change it."""
    return pct is not None and pct < rules["battery_low_pct"]


def suppressed(kind: str, *, away: bool, sleeping: bool) -> bool:
    """Whether a rule stays quiet: away mode silences the movement rules, sleep hours the inactivity
    rule. The button, tamper and device health are never silenced."""
    if kind in ("living_room_stay", "bathroom_stay", "inactivity"):
        return away or (sleeping and kind == "inactivity")
    return False


def escalation_audience(step: int) -> str:
    """Who an alert goes to at a dispatch step: the community's on-duty carers first, then every
    on-duty carer of the street, then the street's duty desk, again and again until taken."""
    return {0: "community", 1: "street"}.get(step, "desk")


def percentile(values: list[float], pct: float) -> float | None:
    """The nearest-rank percentile of `values` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))
    return ordered[int(rank) - 1]
