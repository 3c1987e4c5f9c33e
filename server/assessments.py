"""Triage assessments: run the pure engine, store answers and result with the questionnaire version."""
from __future__ import annotations

import asyncpg

from db.queries import assessments as sql
from server import triage
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


def parse_answers(raw) -> "triage.TriageInput":
    """Validate TriageInput; errors name the field as `answers.<field>`."""
    try:
        return triage.parse_input(raw)
    except triage.TriageInputError as exc:
        raise ValidationFailed(exc.message, field=f"answers.{exc.field}" if exc.field != "answers" else "answers",
                               code=exc.code) from None


async def create(conn: asyncpg.Connection, patient_id: int, raw_answers,
                 dependant_id: int | None = None) -> asyncpg.Record:
    """Assess the answers and store the assessment (of the account holder, or of one of their dependants)."""
    answers = parse_answers(raw_answers)
    result = triage.assess(answers)
    return await conn.fetchrow(sql.INSERT_ASSESSMENT, patient_id, result.questionnaire_version, answers.to_dict(),
                               result.level, result.disposition, result.department, _stored_result(result),
                               dependant_id)


async def get_own(conn: asyncpg.Connection, assessment_id: int, patient_id: int) -> asyncpg.Record:
    """The patient's own assessment; 404 for unknown ids, 403 for someone else's."""
    row = await conn.fetchrow(sql.ASSESSMENT, assessment_id)
    if row is None:
        raise NotFound("No such assessment.", code="assessment_not_found", field="assessment_id")
    if row["patient_id"] != patient_id:
        raise Forbidden("This assessment belongs to someone else.", field="assessment_id")
    return row


async def dependant_of(conn: asyncpg.Connection, assessment_id: int) -> int | None:
    """The dependant an assessment was for (None: the account holder)."""
    return await conn.fetchval(sql.ASSESSMENT_DEPENDANT, assessment_id)


def view(row, lang: str) -> dict:
    """A TriageResult as API.md shows it, in `lang`."""
    dependant = row["dependant_id"] if "dependant_id" in row.keys() else None
    return {"id": str(row["id"]), **localise(row["result"], lang),
            "for_dependant_id": str(dependant) if dependant else None}
