"""Response models of the routes added after the first contract: triage governance, sign-in codes,
consent and the person's export, real names, dependants, visits and guardians, prescriptions and
guests. Merged with server/web/schemas.py's RESPONSES by server/web/openapi.py; the same rules hold
(the fields listed are always there, others may be added)."""
from __future__ import annotations

from typing import Any, Literal

from server.web.schemas import NO_CONTENT, Answer, SignedIn

Number = int | float


# ---- triage: the person's profile, versions and sign-offs, emergencies, feedback ---------------
class TriageProfile(Answer):
    birth_date: str | None
    age_years: Number | None
    sex: str | None


class SignoffRecord(Answer):
    version: str
    content_hash: str
    signed_by: str | None
    signed_at: str
    note: str | None
    matches: bool


class QuestionnaireVersion(Answer):
    version: str
    content_hash: str
    signoffs: list[SignoffRecord]


class QuestionnaireVersions(Answer):
    current: str
    versions: list[QuestionnaireVersion]


class FeedbackWeek(Answer):
    week: str
    version: str
    presentation: str
    too_low: int
    right: int
    too_high: int


class Emergency(Answer):
    """A patient told to go to emergency, for the duty doctor's call-back."""

    assessment_id: str
    created_at: str
    level: int
    patient: str
    for_dependant: str | None
    age_years: Number | None
    phone: str
    call_back: str | None
    red_flags: list[str]
    outcome: str | None
    outcome_note: str | None
    outcome_at: str | None


class OutcomeRecorded(Answer):
    assessment_id: str
    outcome: str
    note: str | None
    recorded_at: str


class FeedbackRecorded(Answer):
    consultation_id: str
    rating: Literal["too_low", "right", "too_high"]


# ---- sign-in codes ------------------------------------------------------------------------------
class CodeSent(Answer):
    sent_to: str
    valid_seconds: int


# ---- consent, identity, dependants, the export ---------------------------------------------------
class PurposeConsent(Answer):
    purpose: str
    version: str | None
    granted: bool
    at: str | None


class Identity(Answer):
    """A real name as its owner sees it: the ID number masked."""

    verified: bool
    name: str | None
    id_number_masked: str | None


class Dependant(Answer):
    id: str
    name: str
    birth_date: str
    sex: str | None
    relation: str
    age_years: Number
    identity: Identity


class Export(Answer):
    """Everything the clinic holds about the caller (docs/RETENTION.md), as a download."""

    generated_at: str
    account: dict[str, Any]
    identity: Identity
    consents: list[PurposeConsent]
    consent_history: list[dict[str, Any]]
    dependants: list[Dependant]
    assessments: list[dict[str, Any]]
    queue_entries: list[dict[str, Any]]
    consultations: list[dict[str, Any]]
    prescriptions: list[dict[str, Any]]
    screenings: list[dict[str, Any]]
    employers: list[dict[str, Any]]


# ---- a consultation's care section, prescriptions, guests ---------------------------------------
class DependantRef(Answer):
    id: str
    name: str
    relation: str | None


class GuardianView(Answer):
    present: bool
    name: str | None
    relation: str | None


class Care(Answer):
    """The consultation's visit type, prior diagnosis and guardian."""

    visit: Literal["first", "follow_up"]
    visit_declared: bool
    visit_confirmed: bool
    prior_diagnosis: dict[str, Any] | None
    diagnosis_status: Literal["confirmed", "provisional"]
    current_medicines: list[Any]
    allergies: list[Any]
    for_dependant: DependantRef | None
    guardian_required: bool
    guardian: GuardianView | None


class Prescriber(Answer):
    id: str
    name: str
    licence_number: str | None


class Doctor(Prescriber):
    title: str | None


class PrescriptionWarning(Answer):
    code: str
    text: str
    drug: str | None
    other: str | None
    source: str | None


class Prescription(Answer):
    id: str
    consultation_id: str
    status: Literal["pending_review", "approved", "returned"]
    items: list[dict[str, Any]]
    warnings: list[PrescriptionWarning]
    created_at: str
    doctor: Doctor
    reviewed_by: Prescriber | None
    reviewed_at: str | None
    reason: str | None


class PharmacyPatient(Answer):
    name: str
    id_number_masked: str | None
    age_years: Number | None
    sex: str | None
    prior_diagnosis: dict[str, Any] | None
    current_medicines: list[Any]
    allergies: list[Any]


class PendingPrescription(Prescription):
    patient: PharmacyPatient


class GuestInvited(Answer):
    """A call's invited third participant; the link is shown only here."""

    id: str
    name: str
    relation: str | None
    url: str
    expires_at: str


JSON = "application/json"
# route name -> (success status, model or type, media type), as in schemas.RESPONSES
RESPONSES: dict[str, tuple[int, Any, str]] = {
    "triage_me": (200, TriageProfile, JSON),
    "triage_versions": (200, QuestionnaireVersions, JSON),
    "triage_signoff": (201, SignoffRecord, JSON),
    "triage_feedback_report": (200, list[FeedbackWeek], JSON),
    "doctor_emergencies": (200, list[Emergency], JSON),
    "doctor_emergency_outcome": (200, OutcomeRecorded, JSON),
    "consultation_triage_feedback": (200, FeedbackRecorded, JSON),
    "auth_code": (202, CodeSent, JSON),
    "auth_login_code": (200, SignedIn, JSON),
    "auth_reset_password": (204, NO_CONTENT, ""),
    "my_consents": (200, list[PurposeConsent], JSON),
    "my_consents_decide": (200, list[PurposeConsent], JSON),
    "my_export": (200, Export, JSON),
    "my_identity": (200, Identity, JSON),
    "identity_submit": (200, Identity, JSON),
    "dependant_list": (200, list[Dependant], JSON),
    "dependant_add": (201, Dependant, JSON),
    "consultation_visit_type": (200, Care, JSON),
    "consultation_guardian": (200, Care, JSON),
    "prescription_list": (200, list[Prescription], JSON),
    "prescription_create": (201, Prescription, JSON),
    "pharmacy_queue": (200, list[PendingPrescription], JSON),
    "prescription_review": (200, Prescription, JSON),
    "admin_user_phone": (204, NO_CONTENT, ""),
    "consultation_guest_invite": (201, GuestInvited, JSON),
}
