"""Triage service: assessments (for yourself or a dependant), dependants, version sign-off, emergency
follow-up and the doctors' feedback on triage. The rules themselves are pure (engine, flow, charts)."""
from __future__ import annotations

from datetime import date

import asyncpg

from server.dependants import service as dependants
from server.triage import engine as triage
from server.triage import queries as sql
from server.triage import versions
from server.web.errors import Forbidden, NotFound, ValidationFailed

LANGS = ("zh", "en")


def _stored_result(assessment) -> dict:
    """The result in every language and for both audiences, so it is re-read exactly as it was shown."""
    return {aud: {lang: triage.render(assessment, lang, audience=aud) for lang in LANGS}
            for aud in ("patient", "clinical")}


def localise(stored: dict, lang: str, audience: str = "patient") -> dict:
    """A stored result in one language for the patient or the clinician."""
    lang = lang if lang in LANGS else "en"
    return stored[audience][lang]


def parse_answers(raw) -> triage.TriageInput:
    """Validate TriageInput; errors name the field as `answers.<field>`."""
    try:
        return triage.parse_input(raw)
    except triage.TriageInputError as exc:
        raise ValidationFailed(exc.message, field=f"answers.{exc.field}" if exc.field != "answers" else "answers",
                               code=exc.code) from None


def age_on(birth_date: date, today: date | None = None) -> float:
    """Age in years (with a fraction: a 2-month-old is 0.17) on `today`."""
    today = today or date.today()
    return max(0.0, round((today - birth_date).days / 365.25, 2))


_RELATION_TO_FOR_WHOM = {"child": "child", "parent": "parent", "other": "other"}


async def create(conn: asyncpg.Connection, patient_id: int, raw_answers, dependant_id: int | None = None
                 ) -> asyncpg.Record:
    """Assess the answers and store the assessment; for a dependant, their birth date and sex are used."""
    if dependant_id is not None:
        dependant = await dependants.own(conn, patient_id, dependant_id)
        if isinstance(raw_answers, dict):
            raw_answers = {**raw_answers, "age_years": age_on(dependant["birth_date"]), "sex": dependant["sex"],
                           "for_whom": _RELATION_TO_FOR_WHOM[dependant["relation"]]}
    answers = parse_answers(raw_answers)
    result = triage.assess(answers)
    return await conn.fetchrow(sql.INSERT_ASSESSMENT_FOR, patient_id, result.questionnaire_version,
                               answers.to_dict(), result.level, result.disposition, result.department,
                               _stored_result(result), dependant_id)


async def get_own(conn: asyncpg.Connection, assessment_id: int, patient_id: int) -> asyncpg.Record:
    """The patient's own assessment; 404 for unknown ids, 403 for someone else's."""
    row = await conn.fetchrow(sql.ASSESSMENT, assessment_id)
    if row is None:
        raise NotFound("No such assessment.", code="assessment_not_found", field="assessment_id")
    if row["patient_id"] != patient_id:
        raise Forbidden("This assessment belongs to someone else.", field="assessment_id")
    return row


def view(row, lang: str) -> dict:
    """A TriageResult as API.md shows it, in `lang`, with the answers given (for "I feel worse")."""
    return {"id": str(row["id"]), **localise(row["result"], lang), "answers": row["answers"]}


async def dependant_of(conn: asyncpg.Connection, assessment_id: int) -> int | None:
    """Whom an earlier assessment was for (None: the account holder), so a reassessment stays theirs."""
    return await conn.fetchval(sql.ASSESSMENT_DEPENDANT, assessment_id)


# ---- dependants --------------------------------------------------------------------------------

def dependant_view(row) -> dict:
    """A dependant as the API shows it."""
    return {"id": str(row["id"]), "relation": row["relation"], "name": row["name"],
            "birth_date": row["birth_date"].isoformat(), "sex": row["sex"], "age_years": age_on(row["birth_date"])}


async def profile(conn: asyncpg.Connection, account_id: int) -> dict:
    """The account holder's birth date, age and sex as the triage rules read them (None when not given)."""
    row = await conn.fetchrow(sql.PROFILE, account_id)
    born = row["birth_date"] if row else None
    return {"birth_date": born.isoformat() if born else None, "age_years": age_on(born) if born else None,
            "sex": row["sex"] if row else None}


# ---- versions and sign-off ---------------------------------------------------------------------

async def signoffs(conn: asyncpg.Connection) -> list[dict]:
    """Every recorded sign-off, oldest first, with whether it still matches its version's content."""
    out = []
    for r in await conn.fetch(sql.SIGNOFFS):
        published = versions.PUBLISHED.get(r["version"])
        out.append({"version": r["version"], "content_hash": r["content_hash"], "signed_by": r["signed_by_name"],
                    "signed_at": r["signed_at"].isoformat(), "note": r["note"],
                    "matches": published == r["content_hash"]})
    return out


async def current_version(conn: asyncpg.Connection) -> str:
    """The newest published version whose exact content a clinical lead signed off; else 2026-11.1,
    the version in use before sign-offs were recorded."""
    signed = {(s["version"], s["content_hash"]) for s in await signoffs(conn)}
    for version in sorted(versions.PUBLISHED, reverse=True):
        if (version, versions.PUBLISHED[version]) in signed:
            return version
    return triage.LEGACY_VERSION


async def sign_off(conn: asyncpg.Connection, version: str, content_hash: str, user_id: int, note: str) -> dict:
    """Record a sign-off; the hash must be the version's content hash (what the handbook shows)."""
    if version not in versions.PUBLISHED:
        raise NotFound("No such questionnaire version.", field="version")
    if versions.PUBLISHED[version] != content_hash:
        raise ValidationFailed("This is not the content hash of that version.", field="content_hash",
                               code="hash_mismatch")
    await conn.execute(sql.INSERT_SIGNOFF, version, content_hash, user_id, note)
    return next(s for s in await signoffs(conn) if s["version"] == version and s["content_hash"] == content_hash)


# ---- emergency follow-up and feedback ----------------------------------------------------------

async def recent_emergencies(conn: asyncpg.Connection, department: str, hours: int, lang: str) -> list[dict]:
    """Patients of a department told to go to emergency in the last `hours`, with a call-back link."""
    out = []
    for r in await conn.fetch(sql.RECENT_EMERGENCIES, department, hours):
        result = localise(r["result"], lang, "clinical")
        phone = r["phone"] or ""
        out.append({"assessment_id": str(r["id"]), "created_at": r["created_at"].isoformat(), "level": r["level"],
                    "patient": r["name"], "for_dependant": r["dependant_name"],
                    "age_years": r["answers"].get("age_years"), "phone": phone,
                    "call_back": f"tel:{phone}" if phone else None,
                    "red_flags": [f["text"] for f in result["red_flags"]],
                    "outcome": r["outcome"], "outcome_note": r["outcome_note"],
                    "outcome_at": r["recorded_at"].isoformat() if r["recorded_at"] else None})
    return out


async def record_outcome(conn: asyncpg.Connection, assessment_id: int, doctor, body) -> dict:
    """A duty doctor records what became of an emergency-advised patient of their department."""
    row = await conn.fetchrow(sql.EMERGENCY_ASSESSMENT, assessment_id)
    if row is None or row["department"] != doctor["department"]:
        raise NotFound("No such emergency in your department.", code="emergency_not_found", field="assessment_id")
    saved = await conn.fetchrow(sql.UPSERT_OUTCOME, assessment_id, doctor["id"], body.outcome, body.note)
    return {"assessment_id": str(assessment_id), "outcome": saved["outcome"], "note": saved["note"],
            "recorded_at": saved["recorded_at"].isoformat()}


async def record_feedback(conn: asyncpg.Connection, consultation_id: int, doctor_id: int, rating: str) -> dict:
    """The consultation's doctor marks its triage too low / right / too high."""
    row = await conn.fetchrow(sql.CONSULTATION_ASSESSMENT, consultation_id)
    if row is None or row["doctor_id"] != doctor_id:
        raise NotFound("No such consultation of yours.", code="consultation_not_found", field="id")
    saved = await conn.fetchrow(sql.UPSERT_FEEDBACK, consultation_id, row["assessment_id"], doctor_id, rating)
    return {"consultation_id": str(consultation_id), "rating": saved["rating"]}


async def feedback_report(conn: asyncpg.Connection, weeks: int) -> list[dict]:
    """Doctors' triage ratings week by week, per presentation and questionnaire version."""
    return [dict(r) for r in await conn.fetch(sql.FEEDBACK_REPORT, weeks)]
