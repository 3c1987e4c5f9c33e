"""Request bodies of the triage routes as pydantic models (they feed /api/openapi.json).

`TriageAnswers` documents `TriageInput`; the engine (engine.parse_input) validates it, so its errors
name the field the same way for the assessment and reassess routes (`answers.presentations`).
"""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from server.web.validation import Body, Id

Answer = Literal["yes", "no", "unsure"]


class Epi(BaseModel):
    """Epidemiological history within 14 days (fever-clinic screen)."""

    model_config = ConfigDict(extra="forbid")
    close_contact: bool | None = None
    travel_risk_area: bool | None = None
    cluster: bool | None = None


class TriageAnswers(BaseModel):
    """TriageInput: the 2026-11.1 form (symptom codes and measurements) and the 2026-12.1 flow
    (presentations and discriminator answers). `symptoms` is required unless `presentations` is given."""

    model_config = ConfigDict(extra="forbid")
    age_years: float = Field(ge=0, le=120)
    symptoms: list[str] | None = Field(default=None, max_length=200, description="2026-11.1 symptom codes")
    sex: Literal["female", "male", "other"] | None = None
    pregnant: bool | None = None
    duration_days: float | None = Field(default=None, ge=0, le=3650)
    pain_score: int | None = Field(default=None, ge=0, le=10)
    temperature_c: float | None = Field(default=None, ge=30, le=45)
    spo2: float | None = Field(default=None, ge=50, le=100)
    resp_rate: float | None = Field(default=None, ge=0, le=80)
    heart_rate: float | None = Field(default=None, ge=20, le=250)
    systolic_bp: float | None = Field(default=None, ge=40, le=300)
    consciousness: Literal["alert", "voice", "pain", "unresponsive"] | None = None
    epi: Epi | None = None
    chronic: list[str] | None = None
    free_text: str | None = Field(default=None, max_length=2000)
    on_oxygen: bool | None = None
    presentations: list[str] | None = Field(default=None, min_length=1, max_length=3,
                                            description="2026-12.1 presentation codes, 1-3")
    discriminators: dict[str, Answer] | None = Field(default=None,
                                                     description="question id -> yes / no / unsure")
    for_whom: Literal["self", "child", "parent", "other"] | None = None


class AssessmentBody(Body):
    """POST /api/triage/assessments: the answers, and the dependant they are for (default: yourself)."""

    answers: TriageAnswers
    for_dependant_id: Id | None = Field(default=None, description="a dependant of the account; their "
                                                                          "birth date and sex replace age_years and sex")


class Signoff(Body):
    """A clinical lead approves a questionnaire version's content (the hash shown in its handbook)."""

    content_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    note: str = Field(default="", max_length=2000)


class EmergencyOutcome(Body):
    """What became of a patient told to go to emergency, after the duty doctor's call-back."""

    outcome: Literal["reached_ed", "ambulance", "not_reached", "declined", "other"]
    note: str = Field(default="", max_length=2000)


class TriageFeedback(Body):
    """The doctor's view of the triage at the end of a consultation."""

    rating: Literal["too_low", "right", "too_high"]
