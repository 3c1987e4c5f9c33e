"""The live events the domains publish, and the one place that publishes what a change did and then
offers waiting patients to free doctors.

The domains never talk to the socket server: they publish through `Events` (stored at app[EVENTS]),
which the composition root (server/app.py) fills with signaling.live.LiveEvents.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from aiohttp import web

from server.consultations import reach
from server.keys import DB_POOL, EVENTS
from server.queue import service as queue_service
from server.queue.service import QueueChange

MAX_ASSIGNMENTS_PER_ROUND = 50
# (department, kind: new_patient / escalated / overdue, entry id, level[, patient's name])
Alert = tuple[str, str, int, int] | tuple[str, str, int, int, str | None]


class Events(Protocol):
    """What the browsers are told, whichever process they are connected to."""

    async def queue_changed(self, change: QueueChange) -> None:
        """A department's queue changed (batched into `queue:update`)."""

    async def queue_alert(self, department: str, kind: str, entry_id, level: int, patient_name: str | None = None) -> None:
        """Alert the department's doctors (`queue:alert`), naming the patient when known."""

    async def consult_ready(self, consultation) -> None:
        """The consultation room is open (`consult:ready` to both members)."""

    async def consult_ended(self, consultation_id, reason: str = "completed", patient_id=None,
                            doctor_id=None) -> None:
        """The consultation is over (`consult:ended` with its reason)."""

    async def consult_interrupted(self, consultation_id) -> None:
        """The patient stayed away past the grace period (`consult:interrupted`)."""

    async def session_ended(self, session_hash: bytes) -> None:
        """A session was signed out: its sockets are closed on every process."""

    async def user_sessions_ended(self, user_id) -> None:
        """Every session of a user ended (account disabled, password changed): all their sockets close."""

    async def notify_user(self, user_id, event: str, payload: dict) -> None:
        """Tell every connection of one user (e.g. `prescription:reviewed` to the prescribing doctor)."""

    async def homewatch_alert(self, user_id, alert: dict) -> None:
        """A home-watch alert, new or updated, to every connection of one person (`homewatch:alert`)."""

    async def home_call_changed(self, call_id, views: list[tuple], ended: bool = False) -> None:
        """A home video call rang, was answered or ended (`homecall:update`, one view per member);
        an ended call's rooms close."""

    async def patient_notified(self, consultation_id, doctor_id, at) -> None:
        """The absent patient was sent an SMS (`consult:notified` to the doctor)."""


async def publish(app: web.Application, *, ended: Iterable[tuple] = (), interrupted: Iterable = (),
                  changes: Iterable[QueueChange | None] = (), ready: Iterable = (), alerts: Iterable[Alert] = (),
                  assign: bool = False) -> None:
    """Publish what a change did, in this order: ended consultations (row, reason), interrupted ones,
    queue changes, opened rooms, doctors' alerts; then, when the change may have freed a doctor or added
    a patient (`assign`), offer waiting patients to free doctors in automatic mode.

    Called once the change is committed and its connection is back in the pool (the naive benchmark
    baseline reads positions with a connection of its own).
    """
    events = app[EVENTS]
    for row, reason in ended:
        await events.consult_ended(row["id"], reason, row["patient_id"], row["doctor_id"])
    for row in interrupted:
        await events.consult_interrupted(row["id"])
    for change in changes:
        if change is not None:
            await events.queue_changed(change)
    for consultation in ready:
        await events.consult_ready(consultation)
        reach.schedule(app, consultation["id"])  # an SMS if the patient is not in the room shortly
    for department, kind, entry_id, level, *name in alerts:
        await events.queue_alert(department, kind, entry_id, level, patient_name=name[0] if name else None)
    if assign:
        await assign_free_doctors(app)


async def assign_free_doctors(app: web.Application) -> int:
    """Automatic mode: offer waiting patients to free doctors who asked for it; return how many."""
    events = app[EVENTS]
    assigned = 0
    async with app[DB_POOL].acquire() as conn:
        while assigned < MAX_ASSIGNMENTS_PER_ROUND:
            result = await queue_service.auto_assign(conn)
            if result is None:
                break
            consultation, _entry, change = result
            await events.queue_changed(change)
            await events.consult_ready(consultation)
            assigned += 1
    return assigned
