"""Visit type, guardian, and the rules they enforce.

- 互联网诊疗管理办法（试行）(2018): online diagnosis and prescribing only for follow-up visits of a
  condition already diagnosed in person (复诊); a first visit online gets advice or a referral; a
  child under 6 is seen only with a guardian present.
- 互联网诊疗监管细则（试行）(2022): real-name verification of patients and doctors.

A consultation whose visit the doctor has not declared counts as a first visit: the safe default.
"""
from __future__ import annotations

from datetime import date

import asyncpg

from server.audit import service as audit
from server.audit.service import Actor
from server.consent import service as consent
from server.consultations import service as consults
from server.dependants.service import age_years
from server.identity import service as identity
from server.visits import queries as sql
from server.web.errors import AppError, Conflict, ConsultNotFound, Forbidden, ValidationFailed

GUARDIAN_AGE_YEARS = 6
# A first visit ends with advice or a referral to in-person care (no online diagnosis, no prescription).
FIRST_VISIT_DISPOSITIONS = ("advice", "referral", "fever_clinic", "emergency")


class FollowUpRequired(Conflict):
    """409: only a confirmed follow-up visit may receive a prescription online."""

    code, message = "follow_up_required", ("Only a confirmed follow-up of a condition diagnosed in person may receive "
                                           "a prescription online: confirm the prior diagnosis first.")


class IdentityNotVerified(Conflict):
    """409: the patient's real name has not been verified."""

    code, message = "identity_not_verified", "The patient's real name and ID number have not been verified."


class GuardianRequired(Conflict):
    """A child under 6 is seen only with a guardian present."""

    code, message = "guardian_required", ("A child under 6 is seen only with a guardian present: "
                                          "the doctor records the guardian first.")


class DoctorNotVerified(Forbidden):
    """403: the doctor has no licence number on file."""

    code, message = "doctor_not_verified", "Only a doctor with a licence number on file may prescribe."


async def subject(conn: asyncpg.Connection, consultation_id: int):
    """The consultation's person being seen and what the doctor recorded; 404 when it does not exist."""
    row = await conn.fetchrow(sql.SUBJECT, consultation_id)
    if row is None:
        raise ConsultNotFound()
    return row


def age_of(row) -> float | None:
    """The youngest age known for the person seen (their birth date, and the age the questionnaire gave)."""
    born = row["dependant_birth_date"] if row["for_dependant_id"] else row["holder_birth_date"]
    ages = [float(row["answered_age"])] if row["answered_age"] is not None else []
    if born is not None:
        ages.append(age_years(born, date.today()))
    return min(ages) if ages else None


def needs_guardian(row) -> bool:
    """Whether the person seen is a child under 6."""
    age = age_of(row)
    return age is not None and age < GUARDIAN_AGE_YEARS


def view(row) -> dict:
    """The consultation's `care` section: visit type, prior diagnosis, guardian."""
    return {
        "visit": row["visit"] or "first", "visit_declared": row["visit"] is not None,
        "visit_confirmed": row["visit"] == "follow_up" and row["visit_confirmed_by"] is not None,
        "prior_diagnosis": row["prior_diagnosis"],
        # On a first visit the doctor's diagnosis is an impression, to be confirmed in person.
        "diagnosis_status": "confirmed" if row["visit"] == "follow_up" else "provisional",
        "current_medicines": list(row["current_medicines"] or []), "allergies": list(row["allergies"] or []),
        "for_dependant": ({"id": str(row["for_dependant_id"]), "name": row["dependant_name"],
                           "relation": row["dependant_relation"]} if row["for_dependant_id"] else None),
        "guardian_required": needs_guardian(row),
        "guardian": ({"present": row["guardian_present"], "name": row["guardian_name"],
                      "relation": row["guardian_relation"]} if row["guardian_present"] is not None else None),
    }


async def _open_for_doctor(conn: asyncpg.Connection, consultation_id: int, doctor, actor: Actor, action: str):
    row, _ = await consults.load_for(conn, consultation_id, doctor, actor, action, roles=("doctor",))
    if row["status"] == "ended":
        raise Conflict("This consultation has ended.", code="already_ended")
    return row


async def set_visit(conn: asyncpg.Connection, consultation_id: int, doctor, actor: Actor, *, visit: str,
                    prior_diagnosis: dict | None, current_medicines: list[str], allergies: list[str]) -> dict:
    """The doctor declares a first visit, or confirms a follow-up of a diagnosis made in person."""
    await _open_for_doctor(conn, consultation_id, doctor, actor, "consultation.visit_type")
    if visit == "follow_up" and not prior_diagnosis:
        raise ValidationFailed("prior_diagnosis: a follow-up needs the hospital, date and diagnosis made in person.",
                               field="prior_diagnosis", code="required")
    await conn.execute(sql.SET_VISIT, consultation_id, visit, prior_diagnosis if visit == "follow_up" else None,
                       doctor["id"], current_medicines, allergies)
    await audit.record(conn, actor, "consultation.visit_type", "consultation", consultation_id, detail={"visit": visit})
    return view(await subject(conn, consultation_id))


async def set_guardian(conn: asyncpg.Connection, consultation_id: int, doctor, actor: Actor, *, present: bool,
                       name: str | None, relation: str | None) -> dict:
    """The doctor records whether the child's guardian is present (and who)."""
    await _open_for_doctor(conn, consultation_id, doctor, actor, "consultation.guardian")
    if present and not name:
        raise ValidationFailed("name: the guardian's name is required.", field="name", code="required")
    await conn.execute(sql.SET_GUARDIAN, consultation_id, present, name if present else None,
                       relation if present else None, doctor["id"])
    await audit.record(conn, actor, "consultation.guardian", "consultation", consultation_id,
                       detail={"present": present})
    return view(await subject(conn, consultation_id))


async def call_refusal(conn: asyncpg.Connection, consultation_id: int) -> AppError | None:
    """Why the call may not start yet (sent back in the join ack), or None: a child under 6 needs a
    recorded guardian, and the patient must have agreed to video."""
    row = await subject(conn, consultation_id)
    if needs_guardian(row) and not row["guardian_present"]:
        return GuardianRequired(field="guardian")
    if not await consent.granted(conn, row["patient_id"], "video"):
        return consent.ConsentRequired("The patient has not agreed to video consultations.", field="video")
    return None


async def check_prescribing(conn: asyncpg.Connection, row, field: str) -> None:
    """Raise unless this consultation may carry a prescription: a confirmed follow-up of a verified
    patient, by a doctor with a licence number."""
    if row["visit"] != "follow_up" or row["visit_confirmed_by"] is None:
        raise FollowUpRequired(field=field)
    if not await identity.is_verified(conn, row["patient_id"], row["for_dependant_id"]):
        raise IdentityNotVerified(field=field)
    if not row["doctor_licence"]:
        raise DoctorNotVerified(field=field)


async def check_end(conn: asyncpg.Connection, consultation_id: int, record: dict) -> str:
    """The visit type the record is finalised under; raises when the law does not allow this end."""
    row = await subject(conn, consultation_id)
    visit = row["visit"] or "first"
    if record.get("medications"):
        await check_prescribing(conn, row, "medications")
    if record.get("disposition") and record["disposition"] not in FIRST_VISIT_DISPOSITIONS:
        await check_prescribing(conn, row, "disposition")
    return visit


async def current_medicines(conn: asyncpg.Connection, row) -> list[str]:
    """What the person takes now: as recorded by the doctor, and what a pharmacist approved in the last 90 days."""
    out = list(row["current_medicines"] or [])
    for p in await conn.fetch(sql.RUNNING_PRESCRIPTIONS, row["patient_id"], row["for_dependant_id"]):
        out.extend(item["drug"] for item in p["items"] if item["drug"] not in out)
    return out


