"""Live events pushed to browsers over Socket.IO. Room names live here and nowhere else.

With REDIS_URL set the Socket.IO manager carries every emit to all server processes, so a
client receives its events whichever process it is connected to.
"""
from __future__ import annotations

import socketio

from server.queue import QueueChange


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


async def queue_changed(sio: socketio.AsyncServer, change: QueueChange) -> None:
    """One small broadcast per change; clients adjust their own position."""
    await sio.emit("queue:update", change.to_event(), room=queue_room(change.department))


async def consult_ready(sio: socketio.AsyncServer, consultation) -> None:
    """Tell the patient and the doctor that their consultation room is open."""
    payload = {"consultation_id": str(consultation["id"])}
    await sio.emit("consult:ready", payload, room=user_room(consultation["patient_id"]))
    await sio.emit("consult:ready", payload, room=user_room(consultation["doctor_id"]))


async def consult_ended(sio: socketio.AsyncServer, consultation_id) -> None:
    """Tell both members the consultation is over."""
    await sio.emit("consult:ended", {"consultation_id": str(consultation_id)}, room=consult_room(consultation_id))


async def queue_alert(sio: socketio.AsyncServer, department: str, kind: str, entry_id, level: int) -> None:
    """Alert the department's doctors: new_patient / escalated / overdue."""
    await sio.emit("queue:alert", {"kind": kind, "entry_id": str(entry_id), "level": level},
                   room=doctors_room(department))
