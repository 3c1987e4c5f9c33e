"""What each API operation answers, as pydantic models: the OpenAPI document's response schemas.

Keyed by route name (server/web/routes.py), so the route table stays as it is. Models describe the
fields every answer carries (more may come: a schema-driven fuzzer checks answers against them);
operations with a richer answer documented elsewhere (records, FHIR, statistics) name at least
their top-level type. A route missing here is answered with an untyped body in the document.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    """Base of response models: the fields listed are always there, others may be added."""

    model_config = ConfigDict(extra="allow")


class User(Answer):
    id: str
    role: Literal["patient", "doctor", "employer", "admin", "pharmacist", "street_operator", "carer", "family"]
    name: str
    department: str | None = None
    status: str | None = None
    auto_assign: bool | None = None
    organisation_id: str | None = None


class SignedIn(Answer):
    user: User
    csrf_token: str


class Me(SignedIn):
    totp_enrolment_required: bool


class TotpEnrolment(Answer):
    secret: str
    otpauth_url: str
    qr: str


class CreatedUser(Answer):
    user: User


class Organisation(Answer):
    id: str
    name: str


class Department(Answer):
    code: str
    name: str
    waiting: int
    doctors_available: int
    estimated_wait_minutes: int | float | None


class QueueEntry(Answer):
    id: str
    department: str
    level: int
    status: str
    enqueued_at: str
    consultation_id: str | None
    position: int | None
    estimated_wait_minutes: int | float | None


class Reassessed(Answer):
    assessment: dict[str, Any]
    entry: QueueEntry


class DoctorQueue(Answer):
    department: str
    entries: list[dict[str, Any]]


class DoctorState(Answer):
    status: Literal["available", "away", "offline"]
    auto_assign: bool


class ConsultationRef(Answer):
    id: str
    status: str


class HandedBack(Answer):
    consultation_id: str
    reason: str
    department: str


class Recalled(Answer):
    consultation_id: str
    status: str


class Consultation(Answer):
    id: str
    status: str


class IceServers(Answer):
    iceServers: list[dict[str, Any]]  # noqa: N815 - RTCConfiguration's own name
    ttl: int


class SessionDescription(Answer):
    sdp: str
    type: Literal["answer"]


class Icd10Code(Answer):
    code: str
    zh: str
    en: str


class Icd10Search(Answer):
    query: str
    system: str
    results: list[Icd10Code]


class AuditEntries(Answer):
    entries: list[dict[str, Any]]


class Health(Answer):
    status: Literal["ok", "unavailable"]
    database: str


class Invitation(Answer):
    employee_ref: str
    name: str
    url: str
    expires_at: str


class ImportResult(Answer):
    created: int
    updated: int
    unchanged: int
    errors: list[dict[str, Any]]


class HwRules(Answer):
    living_room_max_seconds: int
    bathroom_max_seconds: int
    inactivity_seconds: int | None
    heartbeat_timeout_seconds: int
    battery_low_pct: int
    sleep_start: str
    sleep_end: str


class Person(Answer):
    id: str
    name: str | None


class HomeCallNote(Answer):
    """The doctor's note of a home video call (append-only: a correction replaces an earlier one)."""

    id: str
    call_id: str
    text: str
    author: Person
    written_at: str
    replaces_id: str | None
    reason: str | None
    current: bool


class HomeCallCaller(Person):
    role: Literal["doctor", "carer"]


class HomeCall(Answer):
    """A video call into a home (server/homewatch/calls.py); `notes` for the doctor only."""

    id: str
    home_id: str
    status: Literal["ringing", "active", "ended"]
    my_role: Literal["caller", "home", "doctor", "staff"]
    caller: HomeCallCaller
    resident: dict[str, Any]
    alert_id: str | None
    auto_answer: bool
    auto_answer_at: str | None
    countdown_seconds: int
    ring_seconds: int
    answered: Literal["tapped", "auto"] | None
    started_at: str
    answered_at: str | None
    ended_at: str | None
    end_reason: Literal["declined", "hung_up", "no_answer", "left"] | None
    notes: list[HomeCallNote] | None = None


class AlertClosedByCall(Answer):
    alert_id: str
    status: Literal["closed"]
    outcome: Literal["video_call"]
    call_id: str


class HwHome(Answer):
    """A home as its viewer may see it; the operator's also has devices, people and consent_records."""

    id: str
    community: str
    address: str
    resident: dict[str, Any]
    away: bool
    consent: dict[str, bool]


class HwAway(Answer):
    away: bool


class HwDuty(Answer):
    on_duty: bool
    handed_back: list[str]


class HwCarer(Answer):
    id: str
    name: str
    community: str | None
    on_duty: bool
    duty_since: str | None


class HwShift(Answer):
    id: str
    carer: Person
    community: str | None
    starts_at: str
    ends_at: str
    state: Literal["planned", "on", "over", "cancelled"]


class HwReportRow(Answer):
    date: str
    community: str | None
    raised: int
    button: int
    stay: int
    inactivity: int
    device: int
    acknowledged_60s: int
    acknowledged_180s: int
    acknowledged_60s_pct: float | None
    acknowledged_180s_pct: float | None
    arrival_median_s: float | None
    arrival_p90_s: float | None
    completed_pct: float | None
    satisfaction: float | None
    false_alarms: int


class HwHomeFigures(Answer):
    false_alarms_per_home: list[dict[str, Any]]
    devices_offline: int


class HwIngestion(Answer):
    instance: str
    mqtt: bool
    connected: bool
    handled: int
    duplicates: int
    taken_over: list[str]
    drained: int


class StaffMember(Answer):
    """One of an employer's staff (the contract's fields, and the page's)."""

    employee_ref: str
    name: str
    department: str | None
    status: Literal["pending", "cleared", "not_cleared", "expired"]
    screened_at: str | None
    valid_until: str | None
    invited: bool
    bound: bool


class OrganisationRef(Answer):
    id: str
    name: str


class StaffAccount(Answer):
    """A staff account on the admin's people screen."""

    id: str
    role: str
    name: str
    email: str | None
    department: str | None
    title: str | None
    licence_number: str | None
    organisation: OrganisationRef | None
    disabled: bool
    status: str | None


class OrganisationCount(Answer):
    id: str
    name: str
    employers: int


OBJECT, ARRAY = dict[str, Any], list[Any]
NO_CONTENT = None

# route name -> (success status, model or type, media type)
RESPONSES: dict[str, tuple[int, Any, str]] = {
    "healthz": (200, Health, "application/json"),
    "openapi": (200, OBJECT, "application/json"),
    "register": (201, SignedIn, "application/json"),
    "login": (200, SignedIn, "application/json"),
    "logout": (204, NO_CONTENT, ""),
    "me": (200, Me, "application/json"),
    "admin_create_user": (201, CreatedUser, "application/json"),
    "password_change": (200, SignedIn, "application/json"),
    "admin_disable_user": (204, NO_CONTENT, ""),
    "totp_start": (201, TotpEnrolment, "application/json"),
    "totp_confirm": (204, NO_CONTENT, ""),
    "admin_create_organisation": (201, Organisation, "application/json"),
    "triage_questionnaire": (200, OBJECT, "application/json"),
    "triage_assess": (201, OBJECT, "application/json"),
    "queue_join": (201, QueueEntry, "application/json"),
    "queue_me": (200, QueueEntry, "application/json"),
    "queue_leave": (204, NO_CONTENT, ""),
    "queue_precheck": (204, NO_CONTENT, ""),
    "queue_reassess": (200, Reassessed, "application/json"),
    "departments": (200, list[Department], "application/json"),
    "doctor_queue": (200, DoctorQueue, "application/json"),
    "doctor_status": (200, DoctorState, "application/json"),
    "doctor_claim": (201, Consultation, "application/json"),
    "consultation_current": (200, ConsultationRef, "application/json"),
    "consultation_history": (200, ARRAY, "application/json"),
    "consultation": (200, Consultation, "application/json"),
    "consultation_end": (200, Consultation, "application/json"),
    "consultation_return": (200, HandedBack, "application/json"),
    "consultation_transfer": (200, HandedBack, "application/json"),
    "consultation_recall": (200, Recalled, "application/json"),
    "consultation_quality": (204, NO_CONTENT, ""),
    "consultation_rate": (204, NO_CONTENT, ""),
    "ice_servers": (200, IceServers, "application/json"),
    "rtc_precheck": (200, SessionDescription, "application/json"),
    "employer_staff_import": (200, ImportResult, "application/json"),
    "employer_invitations": (201, list[Invitation], "application/json"),
    "employer_staff": (200, list[StaffMember], "application/json"),
    "employer_staff_csv": (200, str, "text/csv"),
    "employer_staff_member": (200, StaffMember, "application/json"),
    "employer_summary": (200, OBJECT, "application/json"),
    "employer_colleagues": (201, CreatedUser, "application/json"),
    "invitation": (200, OBJECT, "application/json"),
    "invitation_accept": (201, OBJECT, "application/json"),
    "my_employers": (200, ARRAY, "application/json"),
    "my_employer_withdraw": (204, NO_CONTENT, ""),
    "screening_create": (201, OBJECT, "application/json"),
    "screening_latest": (200, OBJECT, "application/json"),
    "icd10_search": (200, Icd10Search, "application/json"),
    "consultation_record": (200, OBJECT, "application/json"),
    "consultation_record_save": (200, OBJECT, "application/json"),
    "consultation_amend": (201, OBJECT, "application/json"),
    "patient_consultations": (200, ARRAY, "application/json"),
    "attachment_upload": (201, OBJECT, "application/json"),
    "attachment_list": (200, ARRAY, "application/json"),
    "attachment_download": (200, bytes, "application/octet-stream"),
    "consultation_summary": (200, OBJECT, "application/json"),
    "consultation_fhir": (200, OBJECT, "application/fhir+json"),
    "fhir_questionnaire": (200, OBJECT, "application/fhir+json"),
    "admin_stats": (200, OBJECT, "application/json"),
    "admin_audit": (200, AuditEntries, "application/json"),
    "hw_call_start": (201, HomeCall, "application/json"),
    "hw_home_calls": (200, list[HomeCall], "application/json"),
    "hw_calls_open": (200, list[HomeCall], "application/json"),
    "hw_call": (200, HomeCall, "application/json"),
    "hw_call_answer": (200, HomeCall, "application/json"),
    "hw_call_end": (200, HomeCall, "application/json"),
    "hw_call_note": (201, HomeCallNote, "application/json"),
    "hw_call_resolve_alert": (200, AlertClosedByCall, "application/json"),
    "hw_call_fhir": (200, OBJECT, "application/fhir+json"),


    # Home watch (docs/HOMEWATCH.md)
    "hw_homes": (200, list[HwHome], "application/json"),
    "hw_home": (200, HwHome, "application/json"),
    "hw_home_create": (201, HwHome, "application/json"),
    "hw_home_rules": (200, HwRules, "application/json"),
    "hw_home_away": (200, HwAway, "application/json"),
    "hw_home_consent": (200, dict[str, bool], "application/json"),
    "hw_home_people": (200, HwHome, "application/json"),
    "hw_duty": (200, HwDuty, "application/json"),
    "hw_carers": (200, list[HwCarer], "application/json"),
    "hw_carer_duty": (200, HwDuty, "application/json"),
    "hw_shifts": (200, list[HwShift], "application/json"),
    "hw_shift_create": (201, HwShift, "application/json"),
    "hw_shift_cancel": (204, NO_CONTENT, ""),
    "hw_report": (200, list[HwReportRow], "application/json"),
    "hw_report_homes": (200, HwHomeFigures, "application/json"),
    "hw_report_csv": (200, str, "text/csv"),
    "hw_ingestion": (200, HwIngestion, "application/json"),
    "admin_list_users": (200, list[StaffAccount], "application/json"),
    "admin_update_user": (200, StaffAccount, "application/json"),
    "admin_list_organisations": (200, list[OrganisationCount], "application/json"),
}
