"""Triage routes: questionnaire, assessments, dependants, handbook and sign-off, emergency follow-up, feedback."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from server import triage
from server.accounts import service as auth
from server.audit import service as audit
from server.keys import USER
from server.triage import schemas, versions
from server.triage import service as assessments
from server.web import i18n
from server.web.common import actor_of, json, lang_of, path_id, pool, user_of
from server.web.errors import NotFound, ValidationFailed
from server.web.validation import parse_body, parse_id, read_json

EMERGENCY_WINDOW_HOURS = 12  # how far back the duty list looks by default
FEEDBACK_WEEKS = 12


def _whole_number(raw, field: str, most: int) -> int:
    """A positive whole number (an id or a count from the query) up to `most`, or 422 naming `field`."""
    try:
        value = parse_id(raw)
    except ValueError:
        raise ValidationFailed(f"{field} must be a whole number.", field=field) from None
    if value > most:
        raise ValidationFailed(f"{field} must be at most {most}.", field=field, code="out_of_range")
    return value


async def questionnaire(request: web.Request) -> web.Response:
    """The current (signed-off) triage questionnaire, or ?version= any published one."""
    version = request.query.get("version")
    if version is None:
        async with pool(request).acquire() as conn:
            version = await assessments.current_version(conn)
    try:
        return json(triage.questionnaire(version))
    except KeyError:
        raise NotFound("No such questionnaire version.", field="version") from None


async def create_assessment(request: web.Request) -> web.Response:
    """A patient answers the questionnaire (for themselves or a dependant); the result is stored with its version."""
    patient = user_of(request, "patient")
    body = await read_json(request)
    if "answers" not in body:
        raise ValidationFailed("answers is required.", field="answers", code="required")
    unknown = set(body) - {"answers", "for_dependant_id"}
    if unknown:
        name = sorted(unknown)[0]
        raise ValidationFailed("This field is not accepted.", field=name[:60], code="unknown_field")
    raw_id = body.get("for_dependant_id")
    dependant_id = None if raw_id is None else _whole_number(raw_id, "for_dependant_id", 10**18)
    async with pool(request).acquire() as conn:
        async with conn.transaction():
            row = await assessments.create(conn, patient["id"], body["answers"], dependant_id)
            await audit.record(conn, actor_of(request), "assessment.create", "assessment", row["id"])
    return json(assessments.view(row, lang_of(request)), status=201)


async def my_profile(request: web.Request) -> web.Response:
    """The patient's own birth date, age and sex as the triage reads them, so the flow does not ask again."""
    patient = user_of(request, "patient")
    async with pool(request).acquire() as conn:
        return json(await assessments.profile(conn, patient["id"]))


async def list_versions(request: web.Request) -> web.Response:
    """Published questionnaire versions with their content hash, sign-offs and which one is current."""
    user_of(request, "doctor", "admin")
    async with pool(request).acquire() as conn:
        current = await assessments.current_version(conn)
        signed = await assessments.signoffs(conn)
    return json({"current": current, "versions": [
        {"version": v, "content_hash": h, "signoffs": [s for s in signed if s["version"] == v]}
        for v, h in versions.PUBLISHED.items()]})


async def sign_off(request: web.Request) -> web.Response:
    """The clinical lead (an admin account) approves a version's exact content; it then becomes current."""
    admin = user_of(request, "admin")
    body = await parse_body(request, schemas.Signoff)
    version = request.match_info["version"]
    async with pool(request).acquire() as conn:
        async with conn.transaction():
            record = await assessments.sign_off(conn, version, body.content_hash, admin["id"], body.note)
            await audit.record(conn, actor_of(request), "triage.signoff", "questionnaire", None)
    return json(record, status=201)


async def handbook_page(request: web.Request) -> web.StreamResponse:
    """The handbook of a questionnaire version (?version=, default current): every chart, discriminator,
    level, disposition and source, generated from the rules; prints as a document to sign."""
    user = request[USER]
    if user is None or user["role"] not in ("doctor", "admin"):
        raise web.HTTPFound(f"/?next={request.path}")
    async with pool(request).acquire() as conn:
        current = await assessments.current_version(conn)
        signed = await assessments.signoffs(conn)
    version = request.query.get("version") or triage.QUESTIONNAIRE_VERSION
    try:
        document = triage.questionnaire(version)
    except KeyError:
        raise web.HTTPNotFound() from None
    lang = lang_of(request)
    discriminators = {d["id"]: d for d in document.get("discriminators", [])}
    return aiohttp_jinja2.render_template("triage_handbook.html", request, {
        "lang": lang, "t": i18n.translator(lang), "texts": i18n.table(lang), "path": request.path,
        "user": auth.public_user(user), "departments": triage.DEPARTMENTS, "doc": document,
        "version": version, "current": current, "content_hash": versions.PUBLISHED.get(version),
        "signoffs": [s for s in signed if s["version"] == version], "discriminators": discriminators,
        "versions": list(versions.PUBLISHED),
    })


async def emergencies_page(request: web.Request) -> web.StreamResponse:
    """The duty doctor's list of patients told to go to emergency."""
    user = request[USER]
    if user is None or user["role"] != "doctor":
        raise web.HTTPFound(f"/?next={request.path}")
    lang = lang_of(request)
    return aiohttp_jinja2.render_template("triage_emergencies.html", request, {
        "lang": lang, "t": i18n.translator(lang), "texts": i18n.table(lang), "path": request.path,
        "user": auth.public_user(user), "departments": triage.DEPARTMENTS})


async def recent_emergencies(request: web.Request) -> web.Response:
    """Patients of the doctor's department told to go to emergency in the last ?hours= (default 12)."""
    doctor = user_of(request, "doctor")
    hours = _whole_number(request.query.get("hours", str(EMERGENCY_WINDOW_HOURS)), "hours", 168)
    async with pool(request).acquire() as conn:
        rows = await assessments.recent_emergencies(conn, doctor["department"], hours, lang_of(request))
        await audit.record(conn, actor_of(request), "emergencies.list", "department", None)
    return json(rows)


async def record_outcome(request: web.Request) -> web.Response:
    """The duty doctor records the outcome of a call-back to an emergency-advised patient."""
    doctor = user_of(request, "doctor")
    assessment_id = path_id(request)
    body = await parse_body(request, schemas.EmergencyOutcome)
    async with pool(request).acquire() as conn:
        async with conn.transaction():
            saved = await assessments.record_outcome(conn, assessment_id, doctor, body)
            await audit.record(conn, actor_of(request), "emergency.outcome", "assessment", assessment_id)
    return json(saved)


async def triage_feedback(request: web.Request) -> web.Response:
    """At the end of a consultation its doctor marks the triage too low / right / too high."""
    doctor = user_of(request, "doctor")
    consultation_id = path_id(request)
    body = await parse_body(request, schemas.TriageFeedback)
    async with pool(request).acquire() as conn:
        return json(await assessments.record_feedback(conn, consultation_id, doctor["id"], body.rating))


async def feedback_report(request: web.Request) -> web.Response:
    """Doctors' ratings of triage, week by week, per presentation and questionnaire version (?weeks=, 12)."""
    user_of(request, "admin", "doctor")
    weeks = _whole_number(request.query.get("weeks", str(FEEDBACK_WEEKS)), "weeks", 104)
    async with pool(request).acquire() as conn:
        return json(await assessments.feedback_report(conn, weeks))

