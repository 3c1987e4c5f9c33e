"""Queue routes: join, position, leave, "I feel worse", pre-call check; the doctor's queue, duty status and claim."""
from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import Field

from server.audit import service as audit
from server.consultations import service as consults
from server.dependants import service as dependants
from server.events import publish
from server.keys import EVENTS, METRICS, QUEUE_ARRIVALS, QUEUE_ORDERS, SETTINGS
from server.queue import service as queue_service
from server.triage import service as assessments
from server.web import i18n
from server.web.common import actor_of, json, lang_of, pool, user_of
from server.web.errors import NotFound
from server.web.validation import Body, Id, parse_body, read_answers


class Enqueue(Body):
    assessment_id: Id
    for_dependant_id: Id | None = None  # must be the dependant the assessment was made for (server/dependants)


class Precheck(Body):
    camera: bool
    microphone: bool
    rtt_ms: float | None = Field(default=None, ge=0, le=60000)


class DoctorStatus(Body):
    status: Literal["available", "away", "offline"]
    auto_assign: bool | None = None


class Claim(Body):
    entry_id: Id | None = None  # none: the next patient


async def enqueue(request: web.Request) -> web.Response:
    """Join the queue with an assessment that allows an online consultation."""
    patient = user_of(request, "patient")
    body = await parse_body(request, Enqueue)
    async with pool(request).acquire() as conn:
        assessment = await assessments.get_own(conn, body.assessment_id, patient["id"])
        await dependants.check_same(conn, patient["id"], body.for_dependant_id, assessment["dependant_id"])
        entry, change = await request.app[QUEUE_ARRIVALS].enqueue(conn, patient["id"], assessment)
        early = change is None or request.app[EVENTS].queue_changed_now(change)  # None: its batch's leader publishes
        view = await queue_service.entry_view(conn, entry, request.app[SETTINGS].day_ends_at,
                                                request.app[QUEUE_ORDERS])
        assign = await queue_service.has_auto_doctors(conn, entry["department"])
    alerts = [(entry["department"], "new_patient", entry["id"], entry["level"], patient["name"])] \
        if view["doctors"]["available"] else []
    await publish(request.app, changes=[] if early else [change], alerts=alerts, assign=assign)
    return json(view, status=201)


async def my_entry(request: web.Request) -> web.Response:
    """The patient's open queue entry with position and estimated wait; 404 when none."""
    patient = user_of(request, "patient")
    async with pool(request).acquire() as conn:
        entry = await queue_service.open_entry(conn, patient["id"])
        if entry is None:
            raise NotFound("You are not in a queue.", code="not_queued")
        return json(await queue_service.entry_view(conn, entry, request.app[SETTINGS].day_ends_at,
                                                request.app[QUEUE_ORDERS]))


async def leave_queue(request: web.Request) -> web.Response:
    """The patient leaves the queue."""
    patient = user_of(request, "patient")
    async with pool(request).acquire() as conn:
        change = await queue_service.leave(conn, patient["id"])
    await publish(request.app, changes=[change])
    return web.Response(status=204)


async def save_precheck(request: web.Request) -> web.Response:
    """Keep the waiting room's pre-call check with the entry, for the doctor to see before taking the patient."""
    patient = user_of(request, "patient")
    body = await parse_body(request, Precheck)
    async with pool(request).acquire() as conn:
        await queue_service.save_precheck(conn, patient["id"], body.model_dump())
    return web.Response(status=204)


async def reassess(request: web.Request) -> web.Response:
    """"I feel worse": answer again while waiting; urgency only rises; an emergency leaves the online queue."""
    patient = user_of(request, "patient")
    answers = await read_answers(request)
    async with pool(request).acquire() as conn:
        entry = await queue_service.open_entry(conn, patient["id"])
        if entry is None or entry["status"] not in ("waiting", "away"):
            raise NotFound("You are not waiting in a queue.", code="not_queued")
        async with conn.transaction():
            dependant_id = await assessments.dependant_of(conn, entry["assessment_id"])  # the same person again
            assessment = await assessments.create(conn, patient["id"], answers, dependant_id)
            await audit.record(conn, actor_of(request), "assessment.create", "assessment", assessment["id"])
            updated, change = await queue_service.reassess(conn, entry, assessment)
        view = await queue_service.entry_view(conn, updated, request.app[SETTINGS].day_ends_at,
                                                request.app[QUEUE_ORDERS])
    escalated = updated["status"] == "escalated"
    await publish(request.app, changes=[change],
                  alerts=[(entry["department"], "escalated", entry["id"], assessment["level"], patient["name"])]
                  if escalated else [])
    return json({"assessment": assessments.view(assessment, lang_of(request)), "entry": view})


async def departments(request: web.Request) -> web.Response:
    """Departments with waiting counts, doctors on duty and the wait a new arrival can expect."""
    async with pool(request).acquire() as conn:
        stats = await queue_service.department_stats(conn)
    lang = lang_of(request)
    return json([{"code": s["code"], "name": i18n.pick((s["name_zh"], s["name_en"]), lang),
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
        row = await queue_service.set_doctor_status(conn, doctor["id"], body.status, body.auto_assign)
    await publish(request.app, assign=body.status == "available")
    return json({"status": row["doctor_status"], "auto_assign": row["auto_assign"]})


async def claim(request: web.Request) -> web.Response:
    """The doctor takes the next patient (or a chosen one); both get `consult:ready`."""
    doctor = user_of(request, "doctor")
    body = await parse_body(request, Claim)
    async with pool(request).acquire() as conn:
        consultation, _entry, change = await queue_service.claim(conn, doctor, body.entry_id)
        early = request.app[EVENTS].queue_changed_now(change)
        row, role = await consults.load_for(conn, consultation["id"], doctor, actor_of(request), "consultation.open")
        view = await consults.view(conn, row, lang_of(request), role)
    metrics = request.app.get(METRICS)
    if metrics is not None:
        metrics.claims.labels(change.department).inc()
    await publish(request.app, changes=[] if early else [change], ready=[consultation])
    return json(view, status=201)
