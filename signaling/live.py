"""Live events pushed to browsers over Socket.IO. Room names live here and nowhere else.

With REDIS_URL set the Socket.IO manager carries every emit to all server processes, so a
client receives its events whichever process it is connected to.
"""
from __future__ import annotations

import asyncio

import socketio

from server.keys import DB_POOL
from server.queue import service as queue_service
from server.queue.service import QueueChange, estimate_minutes


def user_room(user_id) -> str:
    """Every connection of one user."""
    return f"user:{user_id}"


def queue_room(department: str) -> str:
    """Waiting patients and on-duty doctors of a department: `queue:update` goes here."""
    return f"queue:{department}"


def doctors_room(department: str) -> str:
    """The department's doctors: `queue:alert` goes here."""
    return f"doctors:{department}"


def consult_room(consultation_id) -> str:
    """Both members of a consultation (chat, consult:ended)."""
    return f"consult:{consultation_id}"


def member_room(consultation_id, role: str) -> str:
    """One member's connections in a consultation (signal relay, peer:left/joined)."""
    return f"consult:{consultation_id}:{role}"


def other_role(role: str) -> str:
    """The other member of a consultation."""
    return "doctor" if role == "patient" else "patient"


class LiveEvents:
    """Publishes the live events of one application over Socket.IO (server.events.Events, at app[EVENTS])."""

    # Queue changes of a department are gathered for this long and sent as one `queue:update`:
    # during an outbreak a busy department changes many times a second, and each event costs a
    # send to every waiting client.
    BATCH_SECONDS = 0.05

    def __init__(self, sio: socketio.AsyncServer, app, naive_queue_updates: bool = False):
        self.sio, self.app = sio, app
        # QUEUE_UPDATES=naive, the benchmark's baseline: recompute every waiting patient's
        # position and push it to each of them, O(N) database and socket work per change.
        self.naive = naive_queue_updates
        self._pending: dict[str, list[QueueChange]] = {}
        self._flushing: dict[str, asyncio.Task] = {}
        self._send_locks: dict[str, asyncio.Lock] = {}

    async def queue_changed(self, change: QueueChange) -> None:
        """Queue one change for its department's next broadcast; returns at once (no fan-out wait)."""
        if self.naive:
            return await self._push_every_position(change)
        self._pending.setdefault(change.department, []).append(change)
        if change.department not in self._flushing:
            self._flushing[change.department] = asyncio.create_task(self._flush(change.department))

    async def _flush(self, department: str) -> None:
        await asyncio.sleep(self.BATCH_SECONDS)
        changes = sorted(self._pending.pop(department, []), key=lambda c: c.seq)
        del self._flushing[department]
        # Sent in seq order: a later batch waits until this one has reached every client.
        async with self._send_locks.setdefault(department, asyncio.Lock()):
            await self.sio.emit("queue:update", {
                "department": department, "seq": changes[-1].seq, "changes": [c.to_event() for c in changes],
                "minutes_per_patient": changes[-1].minutes_per_patient,
            }, room=queue_room(department))

    async def _push_every_position(self, change: QueueChange) -> None:
        async with self.app[DB_POOL].acquire() as conn:
            rows = await queue_service.all_positions(conn, change.department)
        for row in rows:
            await self.sio.emit("queue:update", {
                "department": change.department, "seq": change.seq, "entry_id": str(row["id"]),
                "position": row["position"], "minutes_per_patient": change.minutes_per_patient,
                "estimated_wait_minutes": estimate_minutes(row["position"], change.minutes_per_patient),
            }, room=user_room(row["patient_id"]))

    async def consult_ready(self, consultation) -> None:
        """Tell the patient and the doctor that their consultation room is open."""
        payload = {"consultation_id": str(consultation["id"])}
        await self.sio.emit("consult:ready", payload, room=user_room(consultation["patient_id"]))
        await self.sio.emit("consult:ready", payload, room=user_room(consultation["doctor_id"]))

    async def consult_ended(self, consultation_id, reason: str = "completed", patient_id=None,
                            doctor_id=None) -> None:
        """Tell both members the consultation is over (with their ids, also those not in the room)."""
        payload = {"consultation_id": str(consultation_id), "reason": reason}
        rooms = [consult_room(consultation_id)] + [user_room(u) for u in (patient_id, doctor_id) if u]
        await self.sio.emit("consult:ended", payload, room=rooms)

    async def consult_interrupted(self, consultation_id) -> None:
        """The patient stayed away past the grace period: the doctor may call them back or end."""
        await self.sio.emit("consult:interrupted", {"consultation_id": str(consultation_id)},
                            room=consult_room(consultation_id))

    async def patient_notified(self, consultation_id, doctor_id, at) -> None:
        """Tell the doctor when the absent patient was sent an SMS."""
        await self.sio.emit("consult:notified", {"consultation_id": str(consultation_id), "at": at.isoformat()},
                            room=user_room(doctor_id))

    async def queue_alert(self, department: str, kind: str, entry_id, level: int, patient_name: str | None = None) -> None:
        """Alert the department's doctors: new_patient / escalated / overdue, naming the patient when known."""
        await self.sio.emit("queue:alert", {"kind": kind, "entry_id": str(entry_id), "level": level,
                                            "patient_name": patient_name}, room=doctors_room(department))
