"""POST /api/consultations/{id}/visit-type and /guardian: the consultation's doctor records them."""
from __future__ import annotations

from datetime import date
from typing import Literal

from aiohttp import web
from pydantic import Field, field_validator

from server.records import icd10
from server.visits import service
from server.web.common import actor_of, json, path_id, pool, user_of
from server.web.validation import Body, parse_body


class PriorDiagnosis(Body):
    """The diagnosis made in person that this visit follows up."""

    hospital: str = Field(min_length=1, max_length=200)
    date: date
    icd10: str = Field(min_length=1, max_length=12)

    @field_validator("date")
    @classmethod
    def _past(cls, value: date) -> date:
        if not date(1900, 1, 1) <= value <= date.today():
            raise ValueError("the diagnosis date must be in the past")
        return value

    @field_validator("icd10")
    @classmethod
    def _icd10(cls, value: str) -> str:
        return icd10.checked(value)


class VisitType(Body):
    """First visit (advice only) or a follow-up the doctor confirms; the patient's current medicines and
    allergies as the doctor heard them (checked against prescriptions)."""

    visit: Literal["first", "follow_up"]
    prior_diagnosis: PriorDiagnosis | None = None
    current_medicines: list[str] = Field(default_factory=list, max_length=30)
    allergies: list[str] = Field(default_factory=list, max_length=30)


class Guardian(Body):
    """Whether a guardian is present for the child, and who."""

    present: bool
    name: str | None = Field(default=None, max_length=100)
    relation: str | None = Field(default=None, max_length=50)


async def set_visit_type(request: web.Request) -> web.Response:
    """The doctor declares a first visit or confirms a follow-up of a condition diagnosed in person."""
    doctor = user_of(request, "doctor")
    body = await parse_body(request, VisitType)
    prior = body.prior_diagnosis.model_dump(mode="json") if body.prior_diagnosis else None
    medicines = [m.strip()[:200] for m in body.current_medicines if m.strip()]
    allergies = [a.strip()[:200] for a in body.allergies if a.strip()]
    async with pool(request).acquire() as conn:
        return json(await service.set_visit(conn, path_id(request), doctor, actor_of(request), visit=body.visit,
                                            prior_diagnosis=prior, current_medicines=medicines, allergies=allergies))


async def set_guardian(request: web.Request) -> web.Response:
    """The doctor records the guardian of a child (a child under 6 is not called without one)."""
    doctor = user_of(request, "doctor")
    body = await parse_body(request, Guardian)
    async with pool(request).acquire() as conn:
        return json(await service.set_guardian(conn, path_id(request), doctor, actor_of(request), present=body.present,
                                               name=body.name, relation=body.relation))
