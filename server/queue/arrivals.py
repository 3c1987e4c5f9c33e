"""Arrivals of one process joined into one statement per department (group commit).

Every arrival bumps its department's seq, and the department's row stays locked from the bump to
the commit, so arrivals to one department commit one after another. In an outbreak, hundreds of
requests then queued on that row lock inside PostgreSQL (at 4 processes, 40 of 60 busy connections
were waiting on it, and each waiter costs the database CPU). Here the arrivals that come while this
process's statement for the department is in flight wait in the process instead, then go together:
one INSERT, one seq bump, one commit and one queue change for all of them.

A batch runs on the connection of one of its own requests (the first that waited), so no request
waits for a statement that does not carry it, and a batch is never larger than the requests that
hold a connection (the pool's size).
"""
from __future__ import annotations

import asyncio
from collections import deque

import asyncpg

from server.queue import service
from server.queue.service import QueueChange
from server.web.errors import PatientAlreadyQueued

_LEAD = object()  # what a waiting arrival is told when the next batch is its to run


class _Arrival:
    __slots__ = ("patient_id", "assessment", "outcome")

    def __init__(self, patient_id: int, assessment):
        self.patient_id, self.assessment = patient_id, assessment
        self.outcome = asyncio.get_running_loop().create_future()


class Arrivals:
    """This process's arrivals, per department: at most one enqueue statement in flight each."""

    def __init__(self):
        self._waiting: dict[str, deque[_Arrival]] = {}
        self._busy: set[str] = set()

    async def enqueue(self, conn: asyncpg.Connection, patient_id: int,
                      assessment) -> tuple[asyncpg.Record, QueueChange | None]:
        """Put a patient in their assessment's department queue: (entry, change). The change goes
        to one request of its batch only, the one whose statement made it (it is published once);
        the others get None."""
        service.check_queueable(assessment)
        department = assessment["department"]
        me = _Arrival(patient_id, assessment)
        waiting = self._waiting.setdefault(department, deque())
        waiting.append(me)
        if department in self._busy:
            try:
                outcome = await me.outcome  # raises when the batch that carried it failed
            except asyncio.CancelledError:  # given up (a timeout, shutdown)
                if waiting and waiting[0] is me and not me.outcome.cancelled():  # as its turn came
                    self._hand_on(department, waiting)
                raise
            if outcome is not _LEAD:
                return outcome
            me.outcome = asyncio.get_running_loop().create_future()
        self._busy.add(department)
        try:
            # me first; not those given up while they waited (their outcome is cancelled)
            batch = [a for a in (waiting.popleft() for _ in range(len(waiting))) if not a.outcome.done()]
            await self._run(conn, batch)
        finally:
            self._hand_on(department, waiting)
        return me.outcome.result()

    def _hand_on(self, department: str, waiting: deque[_Arrival]) -> None:
        """The next batch is the first waiting arrival's to run (skipping those given up), or the
        department is free."""
        while waiting and waiting[0].outcome.done():
            waiting.popleft()
        if waiting:
            waiting[0].outcome.set_result(_LEAD)
        else:
            self._busy.discard(department)
            del self._waiting[department]

    @staticmethod
    async def _run(conn: asyncpg.Connection, batch: list[_Arrival]) -> None:
        """One statement for the batch; on a duplicate, each on its own (only the duplicate fails).
        Every arrival's outcome is set: its (entry, change) or its error."""
        try:
            try:
                rows, change = await service.enqueue_many(conn, [(a.patient_id, a.assessment) for a in batch])
            except PatientAlreadyQueued:
                if len(batch) == 1:
                    raise
                for arrival in batch:
                    try:
                        entry, own = await service.enqueue(conn, arrival.patient_id, arrival.assessment)
                        _settle(arrival, (entry, own))
                    except PatientAlreadyQueued as error:
                        _settle(arrival, error=error)
                return
        except Exception as error:  # the database went away: every request of the batch gets the error
            for arrival in batch:
                _settle(arrival, error=error)
            return
        except BaseException:  # the leader was cancelled (shutdown): the others are not left waiting
            for arrival in batch:
                if not arrival.outcome.done():
                    arrival.outcome.cancel()
            raise
        by_patient = {row["patient_id"]: row for row in rows}
        for i, arrival in enumerate(batch):
            _settle(arrival, (by_patient[arrival.patient_id], change if i == 0 else None))


def _settle(arrival: _Arrival, result=None, error: BaseException | None = None) -> None:
    """Give an arrival its outcome, unless it was given up while its statement ran (cancelled)."""
    if arrival.outcome.done():
        return
    if error is not None:
        arrival.outcome.set_exception(error)
    else:
        arrival.outcome.set_result(result)
