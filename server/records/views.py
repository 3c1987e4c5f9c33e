"""Routes of the consultation record: ICD-10 search, drafts, history, attachments, summary, amendments,
FHIR export."""
from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import Field

from server.audit import service as audit
from server.consultations import service as consults
from server.keys import SETTINGS, USER
from server.records import attachments, home_calls, icd10
from server.records import service as records
from server.web.common import actor_of, json, lang_of, path_id, pool, user_of
from server.web.errors import AppError, Conflict, Forbidden
from server.web.pages import render
from server.web.uploads import read_file
from server.web.validation import Query, parse_body, parse_query

Amendment = records.Amendment
RecordDraft = records.RecordDraft


async def icd10_search(request: web.Request) -> web.Response:
    """ICD-10 codes matching ?q= by code prefix or Chinese/English name (top 20), for doctors."""
    user_of(request, "doctor")
    query = request.query.get("q", "")[:100]
    return json({"query": query, "system": icd10.SYSTEM, "results": [c.as_dict() for c in icd10.search(query)]})


async def get_record(request: web.Request) -> web.Response:
    """The record: the doctor's draft while open; after the end the current values, the original and the
    amendments. The doctor also gets the patient's earlier consultations (`history`) and the notes of
    video calls into their home (`home_calls`)."""
    user = user_of(request)  # anyone signed in: a refusal is then audited by load_for
    actor = actor_of(request)
    async with pool(request).acquire() as conn:
        row, role = await consults.load_for(conn, path_id(request), user, actor, "record.read")
        if role == "patient" and row["status"] != "ended":
            raise Conflict("The record is ready once the doctor ends the consultation.", code="not_ended")
        view = await records.view(conn, row, role)
        if role == "doctor":
            view["history"] = await records.history(conn, row["patient_id"], row["started_at"])
            await records.audit_history(conn, actor, row["patient_id"], view["history"])
            view["home_calls"] = await home_calls.history(conn, actor, row["patient_id"])
    return json(view)


async def save_draft(request: web.Request) -> web.Response:
    """The doctor's page saves the whole record as a draft while the consultation is open."""
    doctor = user_of(request, "doctor")
    body = await parse_body(request, RecordDraft)
    async with pool(request).acquire() as conn:
        saved = await records.save_draft(conn, path_id(request), doctor, actor_of(request), body)
    return json(saved)


async def patient_consultations(request: web.Request) -> web.Response:
    """A patient's earlier consultations, for the doctor now seeing them (only while that consultation is open)."""
    doctor = user_of(request, "doctor")
    patient_id = path_id(request)
    actor = actor_of(request)
    async with pool(request).acquire() as conn:
        current = await records.open_consultation_with(conn, doctor["id"], patient_id)
        if current is None:
            await audit.record(conn, actor, "patient.history_read", "patient", patient_id, allowed=False)
            raise Forbidden("You can see a patient's earlier consultations while you are seeing them.")
        items = await records.history(conn, patient_id, current["started_at"])
        await records.audit_history(conn, actor, patient_id, items)
    return json(items)


async def upload_attachment(request: web.Request) -> web.Response:
    """Either member adds an image or PDF (multipart field `file`, at most 10 MB) while the consultation is open."""
    user = user_of(request)
    cid = path_id(request)
    actor = actor_of(request)
    # The upload is read between two short uses of the pool, never while holding a connection.
    async with pool(request).acquire() as conn:
        _, role = await attachments.may_upload(conn, cid, user, actor)
    try:
        upload = await read_file(request, attachments.MAX_BYTES)
    except AppError as error:
        async with pool(request).acquire() as conn:
            await attachments.refused(conn, cid, actor, error)
        raise
    async with pool(request).acquire() as conn:
        return json(await attachments.store(conn, cid, user, role, actor, upload), status=201)


async def list_attachments(request: web.Request) -> web.Response:
    """The consultation's files, for its patient and doctor."""
    user = user_of(request)
    async with pool(request).acquire() as conn:
        return json(await attachments.listing(conn, path_id(request), user, actor_of(request)))


async def download_attachment(request: web.Request) -> web.StreamResponse:
    """One file, as a download, for the consultation's patient and doctor only."""
    user = user_of(request)
    async with pool(request).acquire() as conn:
        row, content = await attachments.read(conn, path_id(request), user, actor_of(request))
    return attachments.download_response(row, content)


async def _summary(request: web.Request, user) -> dict:
    lang = lang_of(request)
    async with pool(request).acquire() as conn:
        row, _ = await consults.load_for(conn, path_id(request), user, actor_of(request), "summary.read")
        view = await records.summary(conn, row, lang)
        view["attachments"] = [attachments.view(a) for a in await attachments.of_consultation(conn, row["id"])]
    return view


async def summary(request: web.Request) -> web.Response:
    """The patient's summary of an ended consultation, in the requester's language."""
    return json(await _summary(request, user_of(request)))


async def summary_page(request: web.Request) -> web.StreamResponse:
    """The printable summary page, for the consultation's patient or doctor."""
    user = request[USER]
    if user is None:
        raise web.HTTPFound(f"/?next={request.path}")
    cid = path_id(request)
    async with pool(request).acquire() as conn:
        await consults.load_for(conn, cid, user, actor_of(request), "summary.page")
    return render(request, "summary.html", {"consultation_id": str(cid), "mode": "summary"})


async def history_page(request: web.Request) -> web.StreamResponse:
    """The patient's list of their consultations, each linking to its summary."""
    user = request[USER]
    if user is None or user["role"] != "patient":
        raise web.HTTPFound(f"/?next={request.path}")
    return render(request, "summary.html", {"consultation_id": None, "mode": "history"})


async def amend(request: web.Request) -> web.Response:
    """The doctor corrects an ended record; the original and the earlier values stay."""
    doctor = user_of(request, "doctor")
    body = await parse_body(request, Amendment)
    async with pool(request).acquire() as conn:
        amendment = await records.amend(conn, path_id(request), doctor, actor_of(request), body)
    return json(amendment, status=201)


class FhirExport(Query):
    """The export's query: which kind of Bundle."""

    type: Literal["transaction", "collection"] = Field(
        default="transaction", description="transaction: entries with conditional requests a FHIR server loads as "
                                            "records; collection: the same resources, with ids, to read")


async def fhir_export(request: web.Request) -> web.Response:
    """The consultation as a FHIR R4 Bundle (?type=transaction, the default, or collection), for its members."""
    kind = parse_query(request, FhirExport).type
    user = user_of(request)
    actor = actor_of(request)
    async with pool(request).acquire() as conn:
        row, _ = await consults.load_for(conn, path_id(request), user, actor, "consultation.export_fhir")
        bundle = await records.fhir_bundle(conn, row, actor, request.app[SETTINGS].public_base(), kind)
    return _fhir(bundle)


async def fhir_questionnaire(request: web.Request) -> web.Response:
    """The triage questionnaire as a FHIR Questionnaire: id `triage` (current) or `triage-{version}`."""
    return _fhir(records.fhir_questionnaire(request.app[SETTINGS].public_base(), request.match_info["id"]))


def _fhir(data: dict) -> web.Response:
    return web.json_response(data, content_type="application/fhir+json")
