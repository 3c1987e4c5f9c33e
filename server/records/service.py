"""The consultation record: the doctor's draft during the call, the record as ended, amendments after it.

A record has SOAP notes, ICD-10 coded diagnoses, medication advice, a disposition, free-text
notes, diagnosis and advice. While the consultation is open the doctor's page saves it as a draft
(replaced whole on every save). Ending the consultation finalises it: that row is the original
and never changes (a database trigger refuses it). Corrections after the end are amendments
(field, old value, new value, reason, who, when); the current record is the original with its
amendments applied in order. API.md's flat fields of the consultation (notes, diagnosis,
disposition, advice) keep the values as ended.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import asyncpg
from pydantic import Field, StringConstraints, TypeAdapter, ValidationError, field_validator

from server.audit import service as audit
from server.audit.service import Actor
from server.consultations import service as consults
from server.records import icd10
from server.records import queries as sql
from server.records.fhir import bundle as fhir
from server.records.fhir import questionnaire as questionnaire_fhir
from server.records.fhir.base import Ids
from server.visits import service as visits
from server.web import i18n
from server.web.errors import Conflict, NotFound, ValidationFailed
from server.web.validation import Body, raise_validation

SOAP_KEYS = ("subjective", "objective", "assessment", "plan")
SOAP_LABELS = {"subjective": "S", "objective": "O", "assessment": "A", "plan": "P"}
# Dispositions that send the patient on to another service: the export adds a ServiceRequest.
Disposition = Literal[consults.DISPOSITIONS]  # type: ignore[valid-type]


class Soap(Body):
    """Notes in SOAP form."""

    subjective: str = Field(default="", max_length=10000)
    objective: str = Field(default="", max_length=10000)
    assessment: str = Field(default="", max_length=10000)
    plan: str = Field(default="", max_length=10000)


class Diagnosis(Body):
    """One ICD-10 coded diagnosis; the name defaults to the code list's title."""

    code: str = Field(min_length=1, max_length=12)
    name: str = Field(default="", max_length=300, validate_default=True)

    @field_validator("code")
    @classmethod
    def _icd10(cls, value: str) -> str:
        return icd10.checked(value)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str, info) -> str:
        if value:
            return value
        known = icd10.lookup(info.data.get("code", ""))
        if known is None:
            raise ValueError("a name is required for a code that is not in the list")
        return known.en


class Medication(Body):
    """One medication the doctor advises."""

    drug: str = Field(min_length=1, max_length=200)
    dose: str = Field(default="", max_length=100)
    frequency: str = Field(default="", max_length=100)
    days: int | None = Field(default=None, ge=1, le=365)


class RecordDraft(Body):
    """The whole record as the doctor's page has it; every save replaces the draft."""

    soap: Soap = Field(default_factory=Soap)
    diagnoses: list[Diagnosis] = Field(default_factory=list, max_length=20)
    medications: list[Medication] = Field(default_factory=list, max_length=30)
    notes: str = Field(default="", max_length=20000)
    diagnosis: str = Field(default="", max_length=2000)
    disposition: Disposition | None = None
    advice: str = Field(default="", max_length=10000)


class EndRecord(Body):
    """API.md's end body {notes, diagnosis, disposition, advice}, plus the structured record.

    A field left out (or null) comes from the saved draft; a diagnosis (text or coded) and a
    disposition are required between the two.
    """

    notes: str | None = Field(default=None, max_length=20000)
    diagnosis: str | None = Field(default=None, max_length=2000)
    disposition: Disposition | None = None
    advice: str | None = Field(default=None, max_length=10000)
    soap: Soap | None = None
    diagnoses: list[Diagnosis] | None = Field(default=None, max_length=20)
    medications: list[Medication] | None = Field(default=None, max_length=30)


def _text(limit: int):
    return Annotated[str, StringConstraints(strip_whitespace=True, max_length=limit)]


# What an amendment may change, and what its value must be.
AMENDABLE: dict[str, TypeAdapter] = {
    **{f"soap.{key}": TypeAdapter(_text(10000)) for key in SOAP_KEYS},
    "notes": TypeAdapter(_text(20000)),
    "diagnosis": TypeAdapter(_text(2000)),
    "advice": TypeAdapter(_text(10000)),
    "disposition": TypeAdapter(Disposition),
    "diagnoses": TypeAdapter(Annotated[list[Diagnosis], Field(max_length=20)]),
    "medications": TypeAdapter(Annotated[list[Medication], Field(max_length=30)]),
}


class Amendment(Body):
    """A correction after the end: which field, its new value, and why."""

    field: Literal[tuple(AMENDABLE)]  # type: ignore[valid-type]
    value: Any
    reason: str = Field(min_length=1, max_length=2000)


# ---- values -------------------------------------------------------------------------------------

def empty() -> dict:
    """A record with nothing written yet."""
    return {"soap": {k: "" for k in SOAP_KEYS}, "diagnoses": [], "medications": [], "notes": "",
            "diagnosis": "", "disposition": None, "advice": ""}


def from_row(row) -> dict:
    """The record values of a consultation_records row."""
    soap = {k: (row["soap"] or {}).get(k, "") for k in SOAP_KEYS}
    return {"soap": soap, "diagnoses": list(row["diagnoses"] or []), "medications": list(row["medications"] or []),
            "notes": row["notes"], "diagnosis": row["diagnosis"], "disposition": row["disposition"],
            "advice": row["advice"]}


def from_consultation(consultation) -> dict:
    """The record of a consultation that has no structured record (ended before there was one)."""
    return {**empty(), "notes": consultation["notes"] or "", "diagnosis": consultation["diagnosis"] or "",
            "disposition": consultation["disposition"], "advice": consultation["advice"] or ""}


def get_field(record: dict, field: str):
    """The value of `field` ("advice", "soap.plan", ...) in a record."""
    if field.startswith("soap."):
        return record["soap"].get(field[5:], "")
    return record[field]


def apply(original: dict, amendments) -> dict:
    """The current record: the original with each amendment applied in order."""
    current = {**original, "soap": dict(original["soap"])}
    for amendment in amendments:
        field, value = amendment["field"], amendment["new_value"]
        if field.startswith("soap."):
            current["soap"][field[5:]] = value
        else:
            current[field] = value
    return current


def flat_notes(record: dict) -> str:
    """The SOAP notes and free notes as one text (API.md's `notes`)."""
    parts = [f"{SOAP_LABELS[k]}: {record['soap'][k]}" for k in SOAP_KEYS if record["soap"].get(k)]
    if record["notes"]:
        parts.append(record["notes"])
    return "\n".join(parts)


def flat_diagnosis(record: dict) -> str:
    """The diagnosis text, or the coded diagnoses as text when the doctor wrote none."""
    return record["diagnosis"] or "; ".join(f"{d['name']} ({d['code']})" for d in record["diagnoses"])


def _dump(model) -> dict:
    return model.model_dump(mode="json")


def amendment_view(row) -> dict:
    """An amendment as the API shows it."""
    return {"id": str(row["id"]), "field": row["field"], "old_value": row["old_value"], "new_value": row["new_value"],
            "reason": row["reason"], "author": {"id": str(row["author_id"]), "name": row["author_name"]},
            "at": row["at"].isoformat()}


# ---- reading ------------------------------------------------------------------------------------

async def load(conn: asyncpg.Connection, consultation) -> tuple[dict, dict | None, list, asyncpg.Record | None]:
    """(current record, original as ended or None while a draft, amendment rows, the record row)."""
    row = await conn.fetchrow(sql.RECORD, consultation["id"])
    if consultation["status"] != "ended":
        return (from_row(row) if row is not None else empty()), None, [], row
    # Ended without the doctor's record (the patient never came, say): a leftover draft is not the record.
    finalised = row is not None and row["finalised_at"] is not None
    original = from_row(row) if finalised else from_consultation(consultation)
    amendments = await conn.fetch(sql.AMENDMENTS, consultation["id"])
    return apply(original, amendments), original, amendments, row


async def view(conn: asyncpg.Connection, consultation, role: str) -> dict:
    """The record GET: current values, the original and the amendments after the end."""
    current, original, amendments, row = await load(conn, consultation)
    return {
        "consultation_id": str(consultation["id"]), "status": consultation["status"],
        "state": "draft" if consultation["status"] != "ended" else "final",
        **current,
        "revision": row["revision"] if row is not None else 0,
        "updated_at": row["updated_at"].isoformat() if row is not None else None,
        "original": original,
        "amendments": [amendment_view(a) for a in amendments],
        "my_role": role,
    }


async def history(conn: asyncpg.Connection, patient_id: int, before, limit: int = 20) -> list[dict]:
    """The patient's ended consultations that started before `before`, newest first, as now amended."""
    rows = await conn.fetch(sql.PATIENT_CONSULTATIONS, patient_id, before, limit)
    amendments: dict[int, list] = {}
    for a in await conn.fetch(sql.AMENDMENTS_OF_MANY, [r["id"] for r in rows]):
        amendments.setdefault(a["consultation_id"], []).append(a)
    out = []
    for r in rows:
        original = from_row(r) if r["finalised_at"] is not None else {
            **empty(), "notes": r["c_notes"] or "", "diagnosis": r["c_diagnosis"] or "",
            "disposition": r["c_disposition"], "advice": r["c_advice"] or ""}
        current = apply(original, amendments.get(r["id"], []))
        out.append({"id": str(r["id"]), "department": r["department"], "doctor": r["doctor_name"],
                    "started_at": r["started_at"].isoformat(),
                    "ended_at": r["ended_at"].isoformat() if r["ended_at"] else None,
                    "diagnosis": flat_diagnosis(current), "diagnoses": current["diagnoses"],
                    "disposition": current["disposition"], "advice": current["advice"],
                    "medications": current["medications"], "amended": r["id"] in amendments})
    return out


async def audit_history(conn: asyncpg.Connection, actor: Actor, patient_id: int, items: list[dict]) -> None:
    """One audit row for a read of a patient's earlier consultations, naming which."""
    await audit.record(conn, actor, "patient.history_read", "patient", patient_id,
                       detail={"consultation_ids": [i["id"] for i in items]})


async def open_consultation_with(conn: asyncpg.Connection, doctor_id: int, patient_id: int):
    """The doctor's consultation with this patient that has not ended, or None."""
    return await conn.fetchrow(sql.OPEN_CONSULT_OF_DOCTOR_WITH, doctor_id, patient_id)


# ---- writing ------------------------------------------------------------------------------------

async def save_draft(conn: asyncpg.Connection, consultation_id: int, doctor, actor: Actor, draft: RecordDraft) -> dict:
    """Replace the draft of an open consultation; 409 once it has ended."""
    row, _ = await consults.load_for(conn, consultation_id, doctor, actor, "record.draft_save", roles=("doctor",))
    if row["status"] == "ended":
        raise Conflict("This consultation has ended: its record can only be amended.", code="already_ended")
    data = _dump(draft)
    saved = await conn.fetchrow(sql.SAVE_DRAFT, consultation_id, data["soap"], data["diagnoses"], data["medications"],
                                data["notes"], data["diagnosis"], data["disposition"], data["advice"], doctor["id"])
    if saved is None:
        raise Conflict("This consultation has ended: its record can only be amended.", code="already_ended")
    return {"consultation_id": str(consultation_id), "revision": saved["revision"],
            "updated_at": saved["updated_at"].isoformat()}


async def end_consultation(conn: asyncpg.Connection, consultation_id: int, doctor, actor: Actor, body: dict):
    """The doctor writes the record and ends the consultation, in one transaction; 409 if it has ended."""
    async with conn.transaction():
        row, _ = await consults.load_for(conn, consultation_id, doctor, actor, "consultation.end", roles=("doctor",))
        if row["status"] == "ended":
            raise Conflict("This consultation has already ended.", code="already_ended")
        record = await finalise(conn, row, doctor, body)  # merged over the draft, kept as the original
        return await consults.close(conn, row, record)


async def finalise(conn: asyncpg.Connection, consultation, doctor, body: dict) -> dict:
    """Merge the end body over the saved draft, store it as the original, and return API.md's flat fields."""
    draft = await conn.fetchrow(sql.RECORD_FOR_UPDATE, consultation["id"])
    if draft is not None and draft["finalised_at"] is not None:
        raise Conflict("This consultation has already ended.", code="already_ended")
    record = from_row(draft) if draft is not None else empty()
    for key in ("soap", "diagnoses", "medications", "notes", "disposition", "advice"):
        if body.get(key) is not None:
            record[key] = body[key]
    if (body.get("diagnosis") or "").strip():
        record["diagnosis"] = body["diagnosis"].strip()
    record["soap"] = {k: (record["soap"] or {}).get(k, "") for k in SOAP_KEYS}
    # The internet-consultation rules (server/visits): medications only in a confirmed follow-up; a first
    # visit ends with advice or a referral (its diagnosis is the doctor's impression, marked provisional).
    await visits.check_end(conn, consultation["id"], record)
    if not record["diagnosis"] and not record["diagnoses"]:
        raise ValidationFailed("diagnosis: a diagnosis (text or ICD-10 coded) is required.", field="diagnosis",
                               code="required")
    if not record["disposition"]:
        raise ValidationFailed("disposition: a disposition is required.", field="disposition", code="required")
    await conn.fetchrow(sql.FINALISE, consultation["id"], record["soap"], record["diagnoses"], record["medications"],
                        record["notes"], record["diagnosis"], record["disposition"], record["advice"], doctor["id"])
    return {"notes": flat_notes(record), "diagnosis": flat_diagnosis(record), "disposition": record["disposition"],
            "advice": record["advice"]}


async def amend(conn: asyncpg.Connection, consultation_id: int, doctor, actor: Actor, body: Amendment) -> dict:
    """Correct one field of an ended record; the original and every earlier value stay."""
    consultation, _ = await consults.load_for(conn, consultation_id, doctor, actor, "record.amend", roles=("doctor",))
    if consultation["status"] != "ended":
        raise Conflict("The consultation has not ended: change the draft instead.", code="not_ended")
    try:
        value = AMENDABLE[body.field].validate_python(body.value)
    except ValidationError as exc:
        raise_validation(exc, prefix="value")
    if isinstance(value, list):
        value = [_dump(item) for item in value]
    async with conn.transaction():
        await conn.execute(sql.LOCK_CONSULTATION, consultation_id)  # one amendment at a time: old values are exact
        current, _, _, _ = await load(conn, consultation)
        old = get_field(current, body.field)
        if old == value:
            raise ValidationFailed("value: this is the value the record already has.", field="value", code="unchanged")
        amendment_id = await conn.fetchval(sql.INSERT_AMENDMENT, consultation_id, body.field, old, value, body.reason,
                                           doctor["id"])
        await audit.record(conn, actor, "record.amended", "consultation", consultation_id,
                           detail={"amendment_id": str(amendment_id), "field": body.field})
    return amendment_view(await conn.fetchrow(sql.AMENDMENT, amendment_id))


# ---- the patient's summary ----------------------------------------------------------------------

def _publisher() -> dict[str, str]:
    """The clinic's name by language, as the FHIR export names its Organization."""
    return {lang: i18n.translator(lang)("app_name") for lang in ("en", "zh")}


async def fhir_bundle(conn: asyncpg.Connection, consultation, actor: Actor, base: str, kind: str) -> dict:
    """The consultation as a FHIR R4 Bundle of `kind` ("transaction" or "collection"), identifiers under the public base URL
    `base`; the caller has checked who asks; the assessment read is audited."""
    assessment = await conn.fetchrow(sql.ASSESSMENT_OF_CONSULTATION, consultation["id"])
    await audit.record(conn, actor, "assessment.export_fhir", "assessment", assessment["id"],
                       detail={"consultation_id": str(consultation["id"])})
    record, original, amendments = None, None, []
    if consultation["status"] == "ended":
        record, original, amendments, _ = await load(conn, consultation)
    return fhir.bundle(
        base=base, publisher=_publisher(), consultation=consultation,
        patient=await conn.fetchrow(sql.PATIENT, consultation["patient_id"]),
        doctor=await conn.fetchrow(sql.DOCTOR, consultation["doctor_id"]), assessment=assessment,
        department=await conn.fetchrow(sql.DEPARTMENT, consultation["department"]), record=record,
        original=original, amendments=amendments,
        attachments=await conn.fetch(sql.ATTACHMENTS_WITH_CONTENT, consultation["id"]),
        generated_at=datetime.now(UTC), type=kind)


def fhir_questionnaire(base: str, resource_id: str) -> dict:
    """The triage Questionnaire of a FHIR id: `triage` (the current version) or `triage-{version}`."""
    version = questionnaire_fhir.version_of(resource_id)
    try:
        if version is None:
            raise KeyError(resource_id)
        return questionnaire_fhir.resource(Ids(base), version, _publisher()["en"])
    except KeyError:
        raise NotFound("No such Questionnaire.", field="id") from None


NEXT_STEPS = {
    "advice": ["next_advice"],
    "follow_up_online": ["next_follow_up_online"],
    "prescription": ["next_prescription"],
    "referral": ["next_referral"],
    "fever_clinic": ["next_fever_clinic"],
    "emergency": ["next_emergency"],
}


def diagnosis_names(diagnoses: list[dict], lang: str) -> list[dict]:
    """Coded diagnoses named in `lang` from the code list (the doctor's wording when the list lacks the code)."""
    out = []
    for d in diagnoses:
        known = icd10.lookup(d["code"])
        out.append({"code": d["code"], "name": known.name(lang) if known else d["name"]})
    return out


async def summary(conn: asyncpg.Connection, consultation, lang: str) -> dict:
    """The patient's summary of an ended consultation, in `lang`: diagnosis, advice, medications, next steps."""
    if consultation["status"] != "ended":
        raise Conflict("The summary is ready once the doctor ends the consultation.", code="not_ended")
    t = i18n.translator(lang)
    current, _, amendments, _ = await load(conn, consultation)
    department = await conn.fetchrow(sql.DEPARTMENT, consultation["department"])
    disposition = current["disposition"]
    steps = [t(key) for key in NEXT_STEPS.get(disposition, [])]
    if current["medications"]:
        steps.append(t("next_medications"))
    steps.append(t("next_safety_net"))
    return {
        "id": str(consultation["id"]), "status": consultation["status"], "language": lang,
        "patient": {"name": consultation["patient_name"]}, "doctor": {"name": consultation["doctor_name"]},
        "department": {"code": consultation["department"],
                       "name": department[f"name_{lang}"] if department else consultation["department"]},
        "started_at": consultation["started_at"].isoformat(),
        "ended_at": consultation["ended_at"].isoformat() if consultation["ended_at"] else None,
        "diagnosis": flat_diagnosis(current),
        "diagnoses": diagnosis_names(current["diagnoses"], lang),
        "advice": current["advice"], "medications": current["medications"],
        "disposition": {"code": disposition, "text": t(f"disp_{disposition}") if disposition else ""},
        "next_steps": steps, "amended": bool(amendments),
        "amended_at": amendments[-1]["at"].isoformat() if amendments else None,
        "rating": consultation["rating"],
    }
