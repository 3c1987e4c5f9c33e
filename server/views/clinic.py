"""Triage, queue and consultation routes of the patient and doctor journey."""
from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import Field

from db.queries import accounts as accounts_sql
from server import assessments, audit, consults, housekeeping, records, triage
from server import queue as queue_service
from server.errors import Conflict, NotFound, ValidationFailed
from server.keys import METRICS
from server.validation import Body, parse_body, read_answers
from server.views.common import actor_of, events, json, lang_of, path_id, pool, user_of


class Enqueue(Body):
    assessment_id: str | int


class Precheck(Body):
    camera: bool
    microphone: bool
    rtt_ms: float | None = Field(default=None, ge=0, le=60000)


class DoctorStatus(Body):
    status: Literal["available", "away", "offline"]
    auto_assign: bool | None = None


class Transfer(Body):
    department: str = Field(min_length=1, max_length=40)


class Claim(Body):
    entry_id: str | int | None = None


class EndConsultation(records.EndRecord):
    """API.md's {notes, diagnosis, disposition, advice} plus soap, diagnoses and medications; a field left
    out comes from the saved draft (server/records.py)."""


class Quality(Body):
    rtt_ms: float | None = Field(default=None, ge=0, le=60000)
    packet_loss_pct: float | None = Field(default=None, ge=0, le=100)
    jitter_ms: float | None = Field(default=None, ge=0, le=60000)
    bitrate_kbps: float | None = Field(default=None, ge=0, le=1_000_000)
    frame_width: int | None = Field(default=None, ge=0, le=10000)
    frames_decoded: int | None = Field(default=None, ge=0)


class Rating(Body):
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


def _id(raw, field: str) -> int:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise ValidationFailed(f"{field} must be an id.", field=field) from None
    if value <= 0 or isinstance(raw, bool):
        raise ValidationFailed(f"{field} must be an id.", field=field)
    return value


async def questionnaire(request: web.Request) -> web.Response:
    """The current triage questionnaire (or ?version=)."""
    version = request.query.get("version")
    try:
        return json(triage.questionnaire(version))
    except KeyError:
        raise NotFound("No such questionnaire version.", field="version") from None


async def create_assessment(request: web.Request) -> web.Response:
    """A patient answers the questionnaire; the result is stored with its version."""
    patient = user_of(request, "patient")
    answers = await read_answers(request)
    async with pool(request).acquire() as conn:
        row = await assessments.create(conn, patient["id"], answers)
        await audit.record(conn, actor_of(request), "assessment.create", "assessment", row["id"])
    return json(assessments.view(row, lang_of(request)), status=201)


async def enqueue(request: web.Request) -> web.Response:
    """Join the queue with an assessment that allows an online consultation."""
    patient = user_of(request, "patient")
    body = await parse_body(request, Enqueue)
    async with pool(request).acquire() as conn:
        assessment = await assessments.get_own(conn, _id(body.assessment_id, "assessment_id"), patient["id"])
        entry, change = await queue_service.enqueue(conn, patient["id"], assessment)
        view = await queue_service.entry_view(conn, entry)
        doctors_on_duty = await queue_service.doctors_available(conn, entry["department"])
    await events(request).queue_changed(change)
    if doctors_on_duty:
        await events(request).queue_alert(entry["department"], "new_patient", entry["id"], entry["level"])
        await housekeeping.assign_free_doctors(request.app)
    return json(view, status=201)


async def my_entry(request: web.Request) -> web.Response:
    """The patient's open queue entry with position and estimated wait; 404 when none."""
    patient = user_of(request, "patient")
    async with pool(request).acquire() as conn:
        entry = await queue_service.open_entry(conn, patient["id"])
        if entry is None:
            raise NotFound("You are not in a queue.", code="not_queued")
        return json(await queue_service.entry_view(conn, entry))


async def leave_queue(request: web.Request) -> web.Response:
    """The patient leaves the queue."""
    patient = user_of(request, "patient")
    async with pool(request).acquire() as conn:
        change = await queue_service.leave(conn, patient["id"])
    await events(request).queue_changed(change)
    return web.Response(status=204)


async def save_precheck(request: web.Request) -> web.Response:
    """Keep the waiting room's pre-call check with the entry, for the doctor to see before taking the patient."""
    patient = user_of(request, "patient")
    body = await parse_body(request, Precheck)
    async with pool(request).acquire() as conn:
        await queue_service.save_precheck(conn, patient["id"], body.model_dump())
    return web.Response(status=204)


async def departments(request: web.Request) -> web.Response:
    """Departments with waiting counts, doctors on duty and the wait a new arrival can expect."""
    async with pool(request).acquire() as conn:
        stats = await queue_service.department_stats(conn)
    lang = lang_of(request)
    return json([{"code": s["code"], "name": s["name_zh"] if lang == "zh" else s["name_en"],
                  "waiting": s["waiting"], "doctors_available": s["doctors_available"],
                  "estimated_wait_minutes": s["estimated_wait_minutes"]} for s in stats])


async def doctor_queue(request: web.Request) -> web.Response:
    """The doctor's department queue, in order, with triage summaries and why each is where they are."""
    doctor = user_of(request, "doctor")
    async with pool(request).acquire() as conn:
        entries = await queue_service.waiting_list(conn, doctor["department"], lang_of(request))
    return json({"department": doctor["department"], "entries": entries})


async def doctor_status(request: web.Request) -> web.Response:
    """The doctor goes on duty, away, or offline."""
    doctor = user_of(request, "doctor")
    body = await parse_body(request, DoctorStatus)
    async with pool(request).acquire() as conn:
        row = await conn.fetchrow(accounts_sql.SET_DOCTOR_STATUS, doctor["id"], body.status, body.auto_assign)
    if body.status == "available":
        await housekeeping.assign_free_doctors(request.app)
    return json({"status": row["doctor_status"], "auto_assign": row["auto_assign"]})


async def claim(request: web.Request) -> web.Response:
    """The doctor takes the next patient (or a chosen one); both get `consult:ready`."""
    doctor = user_of(request, "doctor")
    body = await parse_body(request, Claim)
    entry_id = _id(body.entry_id, "entry_id") if body.entry_id is not None else None
    async with pool(request).acquire() as conn:
        consultation, _entry, change = await queue_service.claim(conn, doctor, entry_id)
        row, role = await consults.load_for(conn, consultation["id"], doctor, actor_of(request), "consultation.open")
        view = await consults.view(conn, row, lang_of(request), role)
    metrics = request.app.get(METRICS)
    if metrics is not None:
        metrics.claims.labels(change.department).inc()
    await events(request).queue_changed(change)
    await events(request).consult_ready(consultation)
    return json(view, status=201)


async def consultation(request: web.Request) -> web.Response:
    """A consultation, for its patient or doctor only."""
    user = user_of(request)
    async with pool(request).acquire() as conn:
        row, role = await consults.load_for(conn, path_id(request), user, actor_of(request), "consultation.read")
        view = await consults.view(conn, row, lang_of(request), role)
        view["messages"] = await consults.messages(conn, row["id"])
    return json(view)


async def my_consultation(request: web.Request) -> web.Response:
    """The signed-in user's consultation that has not ended, so a reloaded page rejoins it; 404 when none."""
    user = user_of(request, "patient", "doctor")
    async with pool(request).acquire() as conn:
        row = await consults.open_consultation_of(conn, user["id"])
    if row is None:
        raise NotFound("No consultation in progress.", code="no_open_consultation")
    return json({"id": str(row["id"]), "status": row["status"]})


async def end_consultation(request: web.Request) -> web.Response:
    """The doctor writes notes, diagnosis, disposition and advice and ends the consultation."""
    doctor = user_of(request, "doctor")
    body = await parse_body(request, EndConsultation)
    cid = path_id(request)
    async with pool(request).acquire() as conn:
        await consults.end(conn, cid, doctor, actor_of(request), body.model_dump())
        row, role = await consults.load_for(conn, cid, doctor, actor_of(request), "consultation.read")
        view = await consults.view(conn, row, lang_of(request), role)
    await events(request).consult_ended(cid, "completed", row["patient_id"], row["doctor_id"])
    await housekeeping.assign_free_doctors(request.app)
    return json(view)


async def _hand_back(request: web.Request, reason: str, department: str | None = None) -> web.Response:
    doctor = user_of(request, "doctor")
    cid = path_id(request)
    async with pool(request).acquire() as conn:
        row, change = await consults.hand_back(conn, cid, doctor, actor_of(request), reason, department)
    await events(request).consult_ended(cid, reason, row["patient_id"], row["doctor_id"])
    await events(request).queue_changed(change)
    await housekeeping.assign_free_doctors(request.app)
    return json({"consultation_id": str(cid), "reason": reason, "department": change.department})


async def return_to_queue(request: web.Request) -> web.Response:
    """The doctor puts the patient back in the queue, in the place they had."""
    return await _hand_back(request, "returned")


async def transfer(request: web.Request) -> web.Response:
    """The doctor sends the patient to another department's queue, keeping the time they have waited."""
    body = await parse_body(request, Transfer)
    if body.department not in triage.DEPARTMENTS:
        raise ValidationFailed("No such department.", field="department", code="unknown_department")
    return await _hand_back(request, "transferred", body.department)


async def recall(request: web.Request) -> web.Response:
    """The doctor calls an interrupted patient back into the same consultation."""
    doctor = user_of(request, "doctor")
    async with pool(request).acquire() as conn:
        row, _ = await consults.load_for(conn, path_id(request), doctor, actor_of(request), "consultation.recall",
                                         roles=("doctor",))
    if row["status"] == "ended":
        raise Conflict("This consultation has ended.", code="already_ended")
    await events(request).consult_ready(row)
    return json({"consultation_id": str(row["id"]), "status": row["status"]})


async def reassess(request: web.Request) -> web.Response:
    """"I feel worse": answer again while waiting; urgency only rises; an emergency leaves the online queue."""
    patient = user_of(request, "patient")
    answers = await read_answers(request)
    async with pool(request).acquire() as conn:
        entry = await queue_service.open_entry(conn, patient["id"])
        if entry is None or entry["status"] not in ("waiting", "away"):
            raise NotFound("You are not waiting in a queue.", code="not_queued")
        async with conn.transaction():
            assessment = await assessments.create(conn, patient["id"], answers)
            await audit.record(conn, actor_of(request), "assessment.create", "assessment", assessment["id"])
            updated, change = await queue_service.reassess(conn, entry, assessment)
        view = await queue_service.entry_view(conn, updated)
    await events(request).queue_changed(change)
    if updated["status"] == "escalated":
        await events(request).queue_alert(entry["department"], "escalated", entry["id"], assessment["level"])
    return json({"assessment": assessments.view(assessment, lang_of(request)), "entry": view})


async def report_quality(request: web.Request) -> web.Response:
    """A member reports a summary of their getStats()."""
    user = user_of(request, "patient", "doctor")
    body = await parse_body(request, Quality)
    async with pool(request).acquire() as conn:
        await consults.report_quality(conn, path_id(request), user, actor_of(request), body.model_dump())
    return web.Response(status=204)


async def rate(request: web.Request) -> web.Response:
    """The patient rates an ended consultation."""
    patient = user_of(request, "patient")
    body = await parse_body(request, Rating)
    async with pool(request).acquire() as conn:
        await consults.rate(conn, path_id(request), patient, actor_of(request), body.rating, body.comment)
    return web.Response(status=204)


async def my_history(request: web.Request) -> web.Response:
    """The patient's past consultations."""
    patient = user_of(request, "patient")
    async with pool(request).acquire() as conn:
        return json(await consults.history(conn, patient["id"]))
