"""Writing, reviewing and reading prescriptions.

The doctor's prescription waits for a pharmacist (status `pending_review`); the pharmacist approves
it or returns it with a reason (the doctor sees why and may write a new one); the patient sees
approved prescriptions only. Every step is audited; a reviewed prescription never changes (trigger).
"""
from __future__ import annotations

import asyncpg

from server.audit import service as audit
from server.audit.service import Actor
from server.consultations import service as consults
from server.dependants.service import age_years
from server.identity import service as identity
from server.prescriptions import queries as sql
from server.prescriptions import rules
from server.visits import service as visits
from server.web.errors import Conflict, NotFound, ValidationFailed


def _warnings(stored: list, lang: str) -> list[dict]:
    return [{"code": w["code"], "text": w["text_zh"] if lang == "zh" else w["text_en"], "drug": w["drug"],
             "other": w["other"], "source": w["source"]} for w in stored]


def view(row, lang: str = "en") -> dict:
    """A Prescription as API.md shows it, naming the doctor (with licence) and the reviewer."""
    return {
        "id": str(row["id"]), "consultation_id": str(row["consultation_id"]), "status": row["status"],
        "items": list(row["items"]), "warnings": _warnings(row["warnings"], lang),
        "created_at": row["created_at"].isoformat(),
        "doctor": {"id": str(row["doctor_id"]), "name": row["doctor_name"], "licence_number": row["doctor_licence"],
                   "title": row["doctor_title"]},
        "reviewed_by": ({"id": str(row["reviewed_by"]), "name": row["reviewer_name"],
                         "licence_number": row["reviewer_licence"]} if row["reviewed_by"] else None),
        "reviewed_at": row["reviewed_at"].isoformat() if row["reviewed_at"] else None,
        "reason": row["reason"],
    }


def refuse_controlled(items: list[dict]) -> None:
    """422 naming `items[i].drug` for a narcotic or psychotropic drug (never prescribed online)."""
    for i, item in enumerate(items):
        found = rules.controlled(item["drug"])
        if found:
            kind, name = found
            raise ValidationFailed(
                f"items[{i}].drug: {name} is a {kind} drug; narcotic and psychotropic drugs are not prescribed "
                f"online ({rules.SOURCE_ONLINE_RULES}).", field=f"items[{i}].drug", code=f"controlled_{kind}")


async def create(conn: asyncpg.Connection, consultation_id: int, doctor, actor: Actor, items: list[dict],
                 lang: str) -> dict:
    """The doctor prescribes in a confirmed follow-up; warnings for interactions and allergies are attached."""
    await consults.load_for(conn, consultation_id, doctor, actor, "prescription.create", roles=("doctor",))
    refuse_controlled(items)
    subject = await visits.subject(conn, consultation_id)
    await visits.check_prescribing(conn, subject, "items")
    drugs = [item["drug"] for item in items]
    current = await visits.current_medicines(conn, subject)
    warnings = rules.interactions(drugs, current) + rules.allergy_conflicts(drugs, list(subject["allergies"] or []))
    async with conn.transaction():
        prescription_id = await conn.fetchval(sql.INSERT_PRESCRIPTION, consultation_id, doctor["id"], items, warnings)
        await audit.record(conn, actor, "prescription.create", "prescription", prescription_id,
                           detail={"consultation_id": str(consultation_id), "items": len(items),
                                   "warnings": [w["code"] for w in warnings]})
    return view(await conn.fetchrow(sql.PRESCRIPTION, prescription_id), lang)


async def of_consultation(conn: asyncpg.Connection, consultation_id: int, user, actor: Actor, lang: str) -> list[dict]:
    """The doctor sees every prescription of the consultation; the patient only the approved ones."""
    _, role = await consults.load_for(conn, consultation_id, user, actor, "prescription.list")
    query = sql.OF_CONSULTATION if role == "doctor" else sql.APPROVED_OF_CONSULTATION
    return [view(r, lang) for r in await conn.fetch(query, consultation_id)]


async def pending(conn: asyncpg.Connection, actor: Actor, lang: str, limit: int = 200) -> list[dict]:
    """The pharmacy's review queue, oldest first, with the patient's current medicines and allergies (audited)."""
    rows = await conn.fetch(sql.PENDING, limit)
    out = []
    for r in rows:
        subject = await visits.subject(conn, r["consultation_id"])
        masked = (await identity.of(conn, r["patient_id"], r["for_dependant_id"]))["id_number_masked"]
        out.append({**view(r, lang), "patient": {
            "name": r["dependant_name"] or r["holder_name"], "id_number_masked": masked,
            "age_years": age_years(r["birth_date"]) if r["birth_date"] else None, "sex": r["sex"],
            "prior_diagnosis": r["prior_diagnosis"], "current_medicines": await visits.current_medicines(conn, subject),
            "allergies": list(r["allergies"] or [])}})
    await audit.record(conn, actor, "pharmacy.queue_read", "prescription", None,
                       detail={"prescription_ids": [p["id"] for p in out]})
    return out


async def review(conn: asyncpg.Connection, prescription_id: int, pharmacist, actor: Actor, decision: str,
                 reason: str | None, lang: str) -> dict:
    """The pharmacist approves, or returns with a reason; 409 once reviewed."""
    if decision == "return" and not (reason or "").strip():
        raise ValidationFailed("reason: say why the prescription goes back to the doctor.", field="reason",
                               code="required")
    async with conn.transaction():
        row = await conn.fetchrow(sql.PRESCRIPTION_FOR_UPDATE, prescription_id)
        if row is None:
            raise NotFound("No such prescription.", code="prescription_not_found")
        if row["status"] != "pending_review":
            raise Conflict("This prescription has already been reviewed.", code="already_reviewed")
        status = "approved" if decision == "approve" else "returned"
        await conn.execute(sql.REVIEW, prescription_id, status, (reason or "").strip() or None, pharmacist["id"])
        await audit.record(conn, actor, f"prescription.{status}", "prescription", prescription_id,
                           detail={"consultation_id": str(row["consultation_id"])})
    return view(await conn.fetchrow(sql.PRESCRIPTION, prescription_id), lang)


async def for_export(conn: asyncpg.Connection, consultation_id: int) -> list[dict]:
    """Every prescription of a consultation with status, requester and reviewer, for the FHIR export
    (MedicationRequest: status approved -> active, pending_review -> draft, returned -> cancelled;
    requester = the doctor, performer = the reviewing pharmacist)."""
    return [{"id": str(r["id"]), "status": r["status"], "items": list(r["items"]),
             "created_at": r["created_at"].isoformat(),
             "requester": {"id": str(r["doctor_id"]), "name": r["doctor_name"], "licence_number": r["doctor_licence"]},
             "reviewer": ({"id": str(r["reviewed_by"]), "name": r["reviewer_name"],
                           "licence_number": r["reviewer_licence"]} if r["reviewed_by"] else None),
             "reviewed_at": r["reviewed_at"].isoformat() if r["reviewed_at"] else None, "reason": r["reason"]}
            for r in await conn.fetch(sql.OF_CONSULTATION, consultation_id)]


async def approved_of_patient(conn: asyncpg.Connection, patient_id: int, lang: str = "en") -> list[dict]:
    """Every approved prescription of the account (the holder's and their dependants'), for the export."""
    return [view(r, lang) for r in await conn.fetch(sql.APPROVED_OF_PATIENT, patient_id)]
