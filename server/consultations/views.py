"""Consultation routes: read, end, return, transfer, call back, call quality, rating, history."""
from __future__ import annotations

from aiohttp import web
from pydantic import Field, field_validator

from server import triage
from server.consultations import service as consults
from server.events import publish
from server.records import service as records
from server.visits import service as visits
from server.web.common import actor_of, json, lang_of, path_id, pool, user_of
from server.web.errors import Conflict, NotFound
from server.web.validation import Body, invalid, parse_body


class Transfer(Body):
    department: str = Field(min_length=1, max_length=40)

    @field_validator("department")
    @classmethod
    def _known(cls, value: str) -> str:
        if value not in triage.DEPARTMENTS:
            raise invalid("unknown_department", "No such department.")
        return value


class EndConsultation(records.EndRecord):
    """API.md's {notes, diagnosis, disposition, advice} plus soap, diagnoses and medications; a field left
    out comes from the saved draft (server/records/service.py)."""


class Quality(Body):
    rtt_ms: float | None = Field(default=None, ge=0, le=60000)
    packet_loss_pct: float | None = Field(default=None, ge=0, le=100)
    jitter_ms: float | None = Field(default=None, ge=0, le=60000)
    bitrate_kbps: float | None = Field(default=None, ge=0, le=1_000_000)
    frame_width: int | None = Field(default=None, ge=0, le=10000)
    frames_decoded: int | None = Field(default=None, ge=0, le=2**31 - 1)  # an integer column


class ConsultationRating(Body):
    rating: int = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=2000)


async def consultation(request: web.Request) -> web.Response:
    """A consultation, for its patient or doctor only."""
    user = user_of(request)
    async with pool(request).acquire() as conn:
        row, role = await consults.load_for(conn, path_id(request), user, actor_of(request), "consultation.read")
        view = await consults.view(conn, row, lang_of(request), role)
        view["messages"] = await consults.messages(conn, row["id"])
        view["care"] = visits.view(await visits.subject(conn, row["id"]))  # visit type, guardian (server/visits)
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
        await records.end_consultation(conn, cid, doctor, actor_of(request), body.model_dump())
        row, role = await consults.load_for(conn, cid, doctor, actor_of(request), "consultation.read")
        view = await consults.view(conn, row, lang_of(request), role)
    await publish(request.app, ended=[(row, "completed")], assign=True)
    return json(view)


async def _hand_back(request: web.Request, reason: str, department: str | None = None) -> web.Response:
    doctor = user_of(request, "doctor")
    cid = path_id(request)
    async with pool(request).acquire() as conn:
        row, change = await consults.hand_back(conn, cid, doctor, actor_of(request), reason, department)
    await publish(request.app, ended=[(row, reason)], changes=[change], assign=True)
    return json({"consultation_id": str(cid), "reason": reason, "department": change.department})


async def return_to_queue(request: web.Request) -> web.Response:
    """The doctor puts the patient back in the queue, in the place they had."""
    return await _hand_back(request, "returned")


async def transfer(request: web.Request) -> web.Response:
    """The doctor sends the patient to another department's queue, keeping the time they have waited."""
    body = await parse_body(request, Transfer)
    return await _hand_back(request, "transferred", body.department)


async def recall(request: web.Request) -> web.Response:
    """The doctor calls an interrupted patient back into the same consultation."""
    doctor = user_of(request, "doctor")
    async with pool(request).acquire() as conn:
        row, _ = await consults.load_for(conn, path_id(request), doctor, actor_of(request), "consultation.recall",
                                         roles=("doctor",))
    if row["status"] == "ended":
        raise Conflict("This consultation has ended.", code="already_ended")
    await publish(request.app, ready=[row])
    return json({"consultation_id": str(row["id"]), "status": row["status"]})


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
    body = await parse_body(request, ConsultationRating)
    async with pool(request).acquire() as conn:
        await consults.rate(conn, path_id(request), patient, actor_of(request), body.rating, body.comment)
    return web.Response(status=204)


async def my_history(request: web.Request) -> web.Response:
    """The signed-in patient's or doctor's consultations, newest first."""
    user = user_of(request, "patient", "doctor")
    async with pool(request).acquire() as conn:
        return json(await consults.history(conn, user, actor_of(request)))

