"""Triage routes: the questionnaire and assessments."""
from __future__ import annotations

from aiohttp import web

from server import assessments, triage
from server.audit import service as audit
from server.dependants import service as dependants
from server.web.common import actor_of, json, lang_of, pool, user_of
from server.web.errors import NotFound
from server.web.validation import read_answers


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
        for_dependant_id = await dependants.requested(request, conn, patient["id"])
        row = await assessments.create(conn, patient["id"], answers, for_dependant_id)
        await audit.record(conn, actor_of(request), "assessment.create", "assessment", row["id"])
    return json(assessments.view(row, lang_of(request)), status=201)
