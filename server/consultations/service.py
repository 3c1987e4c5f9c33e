"""Consultation lifecycle: access checks, record, end, chat, call quality, rating."""
from __future__ import annotations

import asyncpg

from server.audit import service as audit
from server.audit.service import Actor
from server.consultations import banner
from server.consultations import queries as sql
from server.queue import service as queue_service
from server.triage import service as assessments
from server.web.errors import Conflict, ConsultNotFound, Forbidden, NotSignedIn

DISPOSITIONS = ("advice", "follow_up_online", "prescription", "referral", "fever_clinic", "emergency")


def member_role(consultation, user) -> str | None:
    """'patient' or 'doctor' when `user` is a member of the consultation, else None."""
    if user is None:
        return None
    if consultation["patient_id"] == user["id"]:
        return "patient"
    if consultation["doctor_id"] == user["id"]:
        return "doctor"
    return None


async def load_for(conn: asyncpg.Connection, consultation_id: int, user, actor: Actor, action: str,
                   roles: tuple[str, ...] = ("patient", "doctor")):
    """The consultation if `user` is one of its `roles`; 404/403 otherwise. Audited either way."""
    row = await conn.fetchrow(sql.CONSULTATION, consultation_id)
    if row is None:
        await audit.record(conn, actor, action, "consultation", consultation_id, allowed=False,
                           detail={"reason": "not_found"})
        raise ConsultNotFound()
    role = member_role(row, user)
    if role not in roles:
        await audit.record(conn, actor, action, "consultation", consultation_id, allowed=False)
        raise Forbidden("Only this consultation's patient and doctor may see it.")
    await audit.record(conn, actor, action, "consultation", consultation_id)
    return row, role


async def view(conn: asyncpg.Connection, row, lang: str, role: str) -> dict:
    """A Consultation as API.md shows it to one of its members."""
    quality = {q["role"]: {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in dict(q).items()
                           if k != "role"} for q in await conn.fetch(sql.LATEST_QUALITY, row["id"])}
    return {
        "id": str(row["id"]), "status": row["status"], "department": row["department"],
        "patient": {"id": str(row["patient_id"]), "name": row["patient_name"]},
        "doctor": {"id": str(row["doctor_id"]), "name": row["doctor_name"], "title": row["doctor_title"]},
        "started_at": row["started_at"].isoformat(),
        "ended_at": row["ended_at"].isoformat() if row["ended_at"] else None,
        "notes": row["notes"], "diagnosis": row["diagnosis"], "disposition": row["disposition"],
        "advice": row["advice"], "rating": row["rating"], "my_role": role,
        "triage": assessments.localise(row["triage"], lang, audience="clinical" if role == "doctor" else "patient"),
        "precheck": row["precheck"], "quality": quality,
        "patient_notified_at": row["patient_notified_at"].isoformat() if row["patient_notified_at"] else None,
        **({"banner": banner.banner(row, lang)} if role == "doctor" else {}),
    }


async def close(conn: asyncpg.Connection, row, record: dict):
    """End the consultation with the flat fields of its finalised record (inside the caller's transaction:
    server/records/service.py `end_consultation`); 409 if it has ended already."""
    ended = await conn.fetchrow(sql.END_CONSULTATION, row["id"], record["notes"], record["diagnosis"],
                                record["disposition"], record["advice"])
    if ended is None:
        raise Conflict("This consultation has already ended.", code="already_ended")
    await queue_service.set_entry_status(conn, row["entry_id"], "done")
    await conn.execute(sql.SET_END_REASON, row["id"], "completed")
    return ended


def _message(row) -> dict:
    return {"id": str(row["id"]), "consultation_id": str(row["consultation_id"]), "from_role": row["from_role"],
            "text": row["text"], "sent_at": row["sent_at"].isoformat(), "client_id": row["client_id"]}


async def add_message(conn: asyncpg.Connection, consultation_id: int, user, role: str, text: str, *,
                      session_hash: bytes | None = None, client_id: str | None = None) -> tuple[dict, bool]:
    """Store one chat message; return (it as the `chat` event shows it, whether it is new).

    Refused (409 `ended`, 401 `session_ended`) once the consultation has ended or the sender's
    session is gone; a resend with a known `client_id` returns the stored message, not a second one.
    """
    row = await conn.fetchrow(sql.INSERT_MESSAGE, consultation_id, user["id"], role, text, session_hash, client_id)
    if row is not None:
        return _message(row), True
    if client_id is not None:
        known = await conn.fetchrow(sql.MESSAGE_BY_CLIENT_ID, consultation_id, user["id"], client_id)
        if known is not None:
            return _message(known), False
    if session_hash is not None and not await conn.fetchval(sql.SESSION_LIVE, session_hash):
        raise NotSignedIn("Your session has ended; please sign in again.", code="session_ended")
    raise Conflict("This consultation has ended.", code="ended")


async def messages(conn: asyncpg.Connection, consultation_id: int) -> list[dict]:
    """The consultation's chat, oldest first."""
    return [_message(r) for r in await conn.fetch(sql.MESSAGES, consultation_id)]


async def report_quality(conn: asyncpg.Connection, consultation_id: int, user, actor: Actor, figures: dict) -> None:
    """Store a member's call-quality summary."""
    _, role = await load_for(conn, consultation_id, user, actor, "consultation.quality")
    await conn.execute(sql.INSERT_QUALITY, consultation_id, user["id"], role, figures.get("rtt_ms"),
                       figures.get("packet_loss_pct"), figures.get("jitter_ms"), figures.get("bitrate_kbps"),
                       figures.get("frame_width"), figures.get("frames_decoded"))


async def rate(conn: asyncpg.Connection, consultation_id: int, patient, actor: Actor, rating: int, comment: str | None):
    """The patient rates an ended consultation."""
    await load_for(conn, consultation_id, patient, actor, "consultation.rate", roles=("patient",))
    if await conn.fetchval(sql.RATE, consultation_id, rating, comment) is None:
        raise Conflict("You can rate a consultation once it has ended.", code="not_ended")


async def open_consultation_of(conn: asyncpg.Connection, user_id: int):
    """The user's consultation that has not ended (active or interrupted), or None."""
    return await conn.fetchrow(sql.OPEN_CONSULT_OF_USER, user_id)


async def history(conn: asyncpg.Connection, user, actor: Actor, limit: int = 50) -> list[dict]:
    """A patient's or a doctor's consultations, newest first, with the other member's name (audited)."""
    query, other = (sql.DOCTOR_HISTORY, "patient") if user["role"] == "doctor" else (sql.PATIENT_HISTORY, "doctor")
    rows = await conn.fetch(query, user["id"], limit)
    await audit.record(conn, actor, "consultation.list", "user", user["id"], detail={"count": len(rows)})
    return [{"id": str(r["id"]), "status": r["status"], "department": r["department"], other: r["other_name"],
             "started_at": r["started_at"].isoformat(), "end_reason": r["end_reason"],
             "ended_at": r["ended_at"].isoformat() if r["ended_at"] else None, "diagnosis": r["diagnosis"]}
            for r in rows]


async def membership(conn: asyncpg.Connection, consultation_id: int, user) -> tuple[str | None, str | None]:
    """(role of `user` in the consultation or None, consultation status or None when it does not exist)."""
    row = await conn.fetchrow(sql.MEMBERSHIP, consultation_id)
    if row is None:
        return None, None
    return member_role(row, user), row["status"]




async def member_joined(conn: asyncpg.Connection, consultation_id: int, role: str) -> None:
    """A member entered the room: the call is (again) active; a called patient is now in consultation."""
    await conn.execute(sql.MEMBER_JOINED, consultation_id, role)
    if role == "patient":
        await conn.execute(sql.PATIENT_ARRIVED, consultation_id)


async def hand_back(conn: asyncpg.Connection, consultation_id: int, doctor, actor: Actor, reason: str,
                    department: str | None = None):
    """The doctor returns the patient to the queue (keeping their place) or transfers them to another
    department; the consultation ends without a record. Returns (consultation, queue change)."""
    async with conn.transaction():
        row, _ = await load_for(conn, consultation_id, doctor, actor, f"consultation.{reason}", roles=("doctor",))
        ended = await conn.fetchrow(sql.END_WITHOUT_RECORD, consultation_id, reason)
        if ended is None:
            raise Conflict("This consultation has already ended.", code="already_ended")
        entry = await queue_service.entry_by_id(conn, row["entry_id"])
        return row, await queue_service.requeue(conn, entry, department=department)


async def members_gone(conn: asyncpg.Connection, grace_seconds: int):
    """Apply the rejoin grace period: (interrupted consultations, [(ended consultation, queue change)])."""
    interrupted = await conn.fetch(sql.PATIENTS_GONE, grace_seconds)
    requeued = []
    async with conn.transaction():
        for row in await conn.fetch(sql.DOCTORS_GONE, grace_seconds):
            await conn.execute(sql.END_WITHOUT_RECORD, row["id"], "doctor_left")
            entry = await queue_service.entry_by_id(conn, row["entry_id"])
            requeued.append((row, await queue_service.requeue(conn, entry, front=True)))
    return interrupted, requeued


async def member_left(conn: asyncpg.Connection, consultation_id: int, role: str) -> None:
    """A member's last connection in the room dropped: their grace period starts now."""
    await conn.execute(sql.MARK_MEMBER_LEFT, consultation_id, role)
