"""The waiting list: enqueue, position and estimated wait, claim-next, leave.

Live positions cost no per-client database work: every change yields one small `QueueChange`
(the entries removed and inserted, with their sort keys, and the department's sequence number).
signaling/live.py broadcasts the changes to the department's room; each waiting client compares the
keys with its own, applies the changes in `seq` order, and re-reads its snapshot only when a
missing `seq` does not arrive (it may have come from another process, a moment later).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg

from server import triage
from server.accounts import queries as accounts_sql
from server.consultations import banner
from server.consultations import queries as consult_sql
from server.queue import queries as sql
from server.triage import service as assessments
from server.web import i18n
from server.web.errors import Conflict, EmergencyNotQueueable, NobodyWaiting, NotFound, PatientAlreadyQueued

DEFAULT_CONSULT_MINUTES = 10.0
_STATS_TTL = 10.0  # seconds a department's wait model may be reused before it is re-read
_stats_cache: dict[str, tuple[float, dict]] = {}


def sort_key(entry) -> list[int]:
    """The entry's place in the order as integers [due_at in microseconds, id], easy to compare in JS."""
    return [int(entry["due_at"].timestamp() * 1_000_000), entry["id"]]


@dataclass
class QueueChange:
    """What changed in one department's waiting list, as broadcast to its waiting clients."""

    department: str
    seq: int
    removed: list[dict] = field(default_factory=list)
    inserted: list[dict] = field(default_factory=list)
    minutes_per_patient: float = DEFAULT_CONSULT_MINUTES

    def to_event(self) -> dict:
        """This change as one item of a `queue:update` event's `changes`."""
        return {"seq": self.seq, "removed": self.removed, "inserted": self.inserted}


def estimate_minutes(position: int, minutes_per_patient: float) -> int:
    """Minutes until a patient at `position` is likely seen."""
    return max(0, math.ceil((position - 1) * minutes_per_patient))


def _minutes_per_patient(stats: dict) -> float:
    avg_seconds = stats["avg_consult_seconds"]
    avg = float(avg_seconds) / 60 if avg_seconds else DEFAULT_CONSULT_MINUTES
    return round(max(1.0, avg) / max(1, stats["doctors_available"]), 2)


def _keyed(entry) -> dict:
    """An entry as a queue change names it: id and sort key."""
    return {"id": str(entry["id"]), "key": sort_key(entry)}


async def department_stats(conn: asyncpg.Connection, code: str | None = None) -> list[dict]:
    """Per department: waiting count, doctors available, minutes per patient, estimated wait."""
    out = []
    for row in await conn.fetch(sql.DEPARTMENT_STATS, code):
        stats = dict(row)
        mpp = _minutes_per_patient(stats)
        stats["minutes_per_patient"] = mpp
        stats["estimated_wait_minutes"] = estimate_minutes(stats["waiting"] + 1, mpp)
        _stats_cache[row["code"]] = (time.monotonic(), stats)
        out.append(stats)
    return out


async def _department(conn: asyncpg.Connection, code: str) -> dict:
    """The department's wait model and doctors on duty, re-read at most every few seconds (this
    process forgets it at once when one of its doctors changes status)."""
    cached = _stats_cache.get(code)
    if cached and time.monotonic() - cached[0] < _STATS_TTL:
        return cached[1]
    stats = await department_stats(conn, code)
    return stats[0] if stats else {"minutes_per_patient": DEFAULT_CONSULT_MINUTES, "doctors_available": 0,
                                   "doctors_away": 0, "doctors_auto": 0}


async def has_auto_doctors(conn: asyncpg.Connection, code: str) -> bool:
    """Whether a doctor of the department is on duty in automatic mode (cached: an arrival need not
    look for a free one when none is; housekeeping looks every round all the same)."""
    return (await _department(conn, code))["doctors_auto"] > 0


async def wait_model(conn: asyncpg.Connection, code: str) -> float:
    """Minutes per patient for a department, re-read at most every few seconds."""
    return (await _department(conn, code))["minutes_per_patient"]


async def entry_by_id(conn: asyncpg.Connection, entry_id: int) -> asyncpg.Record | None:
    """One queue entry, whatever its status."""
    return await conn.fetchrow(sql.ENTRY_BY_ID, entry_id)


async def set_entry_status(conn: asyncpg.Connection, entry_id: int, status: str) -> None:
    """Set an entry's status (its consultation ended: `done`)."""
    await conn.execute(sql.SET_ENTRY_STATUS, entry_id, status)


async def all_positions(conn: asyncpg.Connection, department: str) -> list[asyncpg.Record]:
    """Every waiting patient's position in the department (the naive benchmark baseline's O(N) read)."""
    return await conn.fetch(sql.ALL_POSITIONS, department)


async def gauges(conn: asyncpg.Connection) -> tuple[dict[str, int], int]:
    """({department: waiting patients}, consultations not ended), for the Prometheus gauges."""
    waiting = {row["department"]: row["waiting"] for row in await conn.fetch(sql.WAITING_COUNTS)}
    return waiting, await conn.fetchval(sql.ACTIVE_CONSULTATIONS)


async def set_doctor_status(conn: asyncpg.Connection, doctor_id: int, status: str, auto_assign: bool | None):
    """Duty status (available / away / offline) and, when given, the automatic-assignment choice."""
    _stats_cache.clear()  # the doctors on duty changed: estimates here use the new count at once
    return await conn.fetchrow(accounts_sql.SET_DOCTOR_STATUS, doctor_id, status, auto_assign)


CLINIC_TZ = ZoneInfo("Asia/Shanghai")  # the clinic's day is a Beijing day


def minutes_left_today(day_ends_at: str = "24:00", now: datetime | None = None) -> int:
    """Minutes from `now` until the clinic's day ends ("HH:MM", Beijing time); 0 once it has."""
    now = (now or datetime.now(UTC)).astimezone(CLINIC_TZ)
    hours, minutes = (int(part) for part in day_ends_at.split(":"))
    end = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(hours=hours, minutes=minutes)
    return max(0, int((end - now).total_seconds() // 60))


async def _position(conn: asyncpg.Connection, entry, orders) -> tuple[int, int]:
    """(position, seq it is counted at): from this process's waiting order when it has counted the
    entry's seq (server/queue/order.py), else from the database."""
    seq = entry.get("seq")
    if orders is not None and seq is not None:
        found = await orders.position(entry["department"], entry["id"], seq)
        if found is not None:
            return found
    row = await conn.fetchrow(sql.POSITION, entry["department"], entry["due_at"], entry["id"])
    return row["position"], row["seq"]


async def entry_view(conn: asyncpg.Connection, entry, day_ends_at: str = "24:00", orders=None) -> dict:
    """A QueueEntry as API.md shows it, with position, estimated wait, sort key and seq.

    A waiting entry also says whether the doctors on duty can see it today: `beyond_today` when its
    estimated wait runs past the end of the clinic's day (`minutes_left_today`, which the page
    compares with the estimate it recomputes as the position changes). In an outbreak the arrivals
    past that line must be told so, not shown a wait of many hours as if it were a promise.
    """
    view = {
        "id": str(entry["id"]), "department": entry["department"], "level": entry["level"],
        "status": entry["status"], "enqueued_at": entry["enqueued_at"].isoformat(),
        "consultation_id": str(entry["consultation_id"]) if entry["consultation_id"] else None,
        "position": None, "estimated_wait_minutes": None, "sort_key": sort_key(entry),
        "target_wait_minutes": triage.TARGET_WAIT_MINUTES[entry["level"]],
    }
    if entry["status"] == "waiting":
        position, seq = await _position(conn, entry, orders)
        department = await _department(conn, entry["department"])
        mpp, available = department["minutes_per_patient"], department["doctors_available"]
        # With no doctor on duty no minutes figure is given: nobody could keep that promise.
        estimate = estimate_minutes(position, mpp) if available else None
        left = minutes_left_today(day_ends_at)
        view.update(position=position, seq=seq, minutes_per_patient=mpp,
                    doctors={"available": available, "away": department["doctors_away"]},
                    estimated_wait_minutes=estimate, minutes_left_today=left,
                    beyond_today=estimate is not None and estimate > left)
    return view


def check_queueable(assessment) -> None:
    """An emergency is sent to emergency care, never into the online queue."""
    if assessment["disposition"] == "emergency":
        raise EmergencyNotQueueable(field="assessment_id")


async def enqueue(conn: asyncpg.Connection, patient_id: int, assessment) -> tuple[asyncpg.Record, QueueChange]:
    """Put a patient in their assessment's department queue."""
    (entry,), change = await enqueue_many(conn, [(patient_id, assessment)])
    return entry, change


async def enqueue_many(conn: asyncpg.Connection, arrivals: list[tuple[int, object]]) -> tuple[list, QueueChange]:
    """Put patients, each with their assessment, in one department's queue in one statement: one
    commit and one change for them all. When any of them is already queued, none is."""
    for _, assessment in arrivals:
        check_queueable(assessment)
    department = arrivals[0][1]["department"]
    levels = [a["level"] for _, a in arrivals]
    try:
        rows = await conn.fetch(sql.ENQUEUE, [p for p, _ in arrivals], [a["id"] for _, a in arrivals], department,
                                levels, [triage.TARGET_WAIT_MINUTES[level] for level in levels])
    except asyncpg.UniqueViolationError:
        raise PatientAlreadyQueued() from None
    return rows, await _described(conn, department, rows[0]["seq"], inserted=rows)


async def open_entry(conn: asyncpg.Connection, patient_id: int):
    """The patient's entry that is still open (waiting, called, in consultation, away), or None."""
    return await conn.fetchrow(sql.OPEN_ENTRY_OF_PATIENT, patient_id)


async def save_precheck(conn: asyncpg.Connection, patient_id: int, result: dict) -> None:
    """Store the pre-call check (camera, microphone, round trip) on the patient's open entry."""
    if await conn.fetchval(sql.SAVE_PRECHECK, patient_id, result) is None:
        raise NotFound("You are not in a queue.", code="not_queued")


async def leave(conn: asyncpg.Connection, patient_id: int) -> QueueChange:
    """The patient leaves the queue themselves; 404 when not waiting."""
    entry = await conn.fetchrow(sql.LEAVE, patient_id)
    if entry is None:
        raise NotFound("You are not waiting in a queue.", code="not_queued")
    left_the_list = [entry] if entry["was"] == "waiting" else []  # leaving while away moves nobody
    return await _described(conn, entry["department"], entry["seq"], removed=left_the_list)


async def claim(conn: asyncpg.Connection, doctor, entry_id: int | None = None):
    """The doctor takes the next waiting patient (or a chosen one); returns (consultation, entry, change)."""
    check = await conn.fetchrow(sql.CLAIM_CHECK, doctor["id"])
    if check["consulting"]:
        raise Conflict("Finish your current consultation first.", code="consultation_open")
    # A doctor who has gone offline is not seeing patients: they go on duty (or away) first.
    if check["doctor_status"] == "offline":
        raise Conflict("Go on duty before you take a patient.", code="doctor_offline", field="status")
    try:
        entry = await conn.fetchrow(sql.CLAIM, doctor["department"], doctor["id"], entry_id)
    except asyncpg.UniqueViolationError:  # the same doctor claimed twice at once: one of them wins
        raise Conflict("Finish your current consultation first.", code="consultation_open") from None
    if entry is None:
        if entry_id is not None:
            raise NotFound("That patient is no longer waiting.", code="entry_not_waiting", field="entry_id")
        raise NobodyWaiting()
    consultation = {"id": entry["consultation_id"], "patient_id": entry["patient_id"], "doctor_id": doctor["id"],
                    "department": entry["department"]}
    return consultation, entry, await _described(conn, entry["department"], entry["seq"], removed=[entry])


async def waiting_list(conn: asyncpg.Connection, department: str, lang: str, limit: int = 200) -> list[dict]:
    """The department's waiting entries in order, with triage summaries for the doctor."""
    now = time.time()
    rows = await conn.fetch(sql.WAITING_LIST, department, limit)
    out = []
    for position, row in enumerate(rows, start=1):
        result = row["triage"]
        waited = now - row["enqueued_at"].timestamp()
        overdue = row["due_at"].timestamp() < now
        out.append({
            "id": str(row["id"]), "position": position, "level": row["level"],
            "patient": {"id": str(row["patient_id"]), "name": row["patient_name"], "sex": row["sex"],
                        "age_years": row["answers"].get("age_years")},
            "enqueued_at": row["enqueued_at"].isoformat(), "due_at": row["due_at"].isoformat(),
            "waited_minutes": int(waited // 60), "overdue": overdue,
            "target_wait_minutes": triage.TARGET_WAIT_MINUTES[row["level"]],
            "why_here": _why_here(row["level"], overdue, lang),
            "triage": assessments.localise(result, lang, audience="clinical"),
            "precheck": row["precheck"], "skips": row["skips"],
            "words": banner.patient_words(row["answers"], lang),
        })
    return out


def _why_here(level: int, overdue: bool, lang: str) -> str:
    text = i18n.translator(lang)("why_here_overdue" if overdue else "why_here")
    return text.format(level=level, target=triage.TARGET_WAIT_MINUTES[level])


async def _described(conn, department: str, seq: int, removed=(), inserted=()) -> QueueChange:
    """The QueueChange of a change that already bumped the department's sequence number to `seq`."""
    return QueueChange(department, seq, removed=[_keyed(e) for e in removed], inserted=[_keyed(e) for e in inserted],
                       minutes_per_patient=await wait_model(conn, department))


async def _change(conn, department: str, removed=(), inserted=()) -> QueueChange:
    """Bump the department's sequence number and describe the change (inside the caller's transaction)."""
    return await _described(conn, department, await conn.fetchval(sql.BUMP_SEQ, department), removed, inserted)


async def watch(conn: asyncpg.Connection, sid: str, instance_id: str, patient_id: int) -> QueueChange | None:
    """A waiting patient's page is live: no grace period runs; an away patient gets their place back."""
    back = await conn.fetchrow(sql.WATCH, sid, instance_id, patient_id)
    return None if back is None else await _described(conn, back["department"], back["seq"], inserted=[back])


async def unwatch(conn: asyncpg.Connection, sid: str) -> None:
    """A patient's page closed (its grace period starts at the next housekeeping round)."""
    await conn.execute(sql.UNWATCH, sid)


async def forget_instance(conn: asyncpg.Connection, instance_id: str) -> None:
    """On a clean shutdown, forget this process's watchers (their patients' grace periods start)."""
    await conn.execute(sql.FORGET_INSTANCE_WATCHERS, instance_id)


async def mark_away(conn: asyncpg.Connection, grace_seconds: int) -> list[QueueChange]:
    """Start grace periods for unwatched waiting patients; mark away those past theirs."""
    await conn.execute(sql.MARK_UNWATCHED)
    async with conn.transaction():
        gone = await conn.fetch(sql.MARK_AWAY, grace_seconds)
        return [await _change(conn, e["department"], removed=[e]) for e in gone]


async def requeue(conn: asyncpg.Connection, entry, department: str | None = None, front: bool = False) -> QueueChange:
    """Put an entry back in a waiting list: same due time (return), another department (transfer), or first (front)."""
    department = department or entry["department"]
    due_at = entry["due_at"]
    if front:
        due_at = await conn.fetchval(sql.FRONT_DUE_AT, department, due_at)
    back = await conn.fetchrow(sql.REQUEUE, entry["id"], department, due_at)
    return await _change(conn, department, inserted=[back])


async def skip_or_no_show(conn: asyncpg.Connection, timeout_seconds: int) -> list[tuple[dict, QueueChange | None]]:
    """Called patients who never joined: the first time skipped and put back, the second time no-show.

    Returns (consultation that ended, queue change or None) pairs for the events.
    """
    out = []
    async with conn.transaction():
        for entry in await conn.fetch(sql.CALLED_TOO_LONG, timeout_seconds):
            ended = await conn.fetchrow(consult_sql.END_WITHOUT_RECORD, entry["consultation_id"], "patient_absent")
            if entry["skips"] == 0:
                back = await conn.fetchrow(sql.SKIP_CALLED, entry["id"], triage.TARGET_WAIT_MINUTES[entry["level"]])
                out.append((ended, await _change(conn, back["department"], inserted=[back])))
            else:
                await conn.execute(sql.SET_NO_SHOW, entry["id"])
                out.append((ended, None))
    return out


async def reassess(conn: asyncpg.Connection, entry, assessment) -> tuple[asyncpg.Record, QueueChange]:
    """"I feel worse": urgency only rises while waiting; an emergency takes the entry out (escalated)."""
    async with conn.transaction():
        if assessment["disposition"] == "emergency":
            await conn.execute(sql.SET_ENTRY_STATUS, entry["id"], "escalated")
            updated = await conn.fetchrow(sql.ENTRY_BY_ID, entry["id"])
            return updated, await _change(conn, entry["department"], removed=[entry])
        level = min(entry["level"], assessment["level"])
        updated = await conn.fetchrow(sql.REASSESS, entry["id"], assessment["id"], level,
                                      triage.TARGET_WAIT_MINUTES[level])
        return updated, await _change(conn, entry["department"], removed=[entry], inserted=[updated])


async def overdue(conn: asyncpg.Connection) -> list:
    """Waiting entries that just passed their level's target time (each reported once)."""
    return await conn.fetch(sql.OVERDUE_TO_ALERT)


async def auto_assign(conn: asyncpg.Connection):
    """Automatic mode: give the next patient to one free doctor; returns claim()'s triple or None."""
    async with conn.transaction():
        doctor = await conn.fetchrow(sql.FREE_AUTO_DOCTOR)
        if doctor is None:
            return None
        try:
            return await claim(conn, doctor)
        except NobodyWaiting:
            return None
