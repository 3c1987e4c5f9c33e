"""The home video calls' side of the person's record: the doctor's notes of calls into their home
(server/homewatch/calls.py) beside their consultations, and the FHIR export of a call."""
from __future__ import annotations

from datetime import UTC, datetime

import asyncpg

from server.audit import service as audit
from server.audit.service import Actor
from server.homewatch import call_queries as sql
from server.homewatch import calls
from server.records.fhir import home_call as fhir
from server.web import i18n


async def history(conn: asyncpg.Connection, actor: Actor, patient_id: int) -> list[dict]:
    """The person's home calls with the doctor's current notes, newest first; the read is audited."""
    items = await calls.notes_of_patient(conn, patient_id)
    if items:
        await audit.record(conn, actor, "patient.home_calls_read", "patient", patient_id,
                           detail={"call_ids": [i["id"] for i in items]})
    return items


async def fhir_bundle(conn: asyncpg.Connection, call, base: str, kind: str) -> dict:
    """One doctor's home call as a FHIR R4 Bundle of `kind`; the caller has checked who asks."""
    alert_kind = None
    if call["alert_id"]:
        alert_kind = await conn.fetchval(sql.ALERT_KIND, call["alert_id"])
    return fhir.bundle(
        base=base, publisher={lang: i18n.translator(lang)("app_name") for lang in ("en", "zh")}, call=call,
        patient=await conn.fetchrow(sql.PATIENT, call["resident_user_id"]),
        doctor=await conn.fetchrow(sql.PRACTITIONER, call["caller_id"]),
        notes=list(await conn.fetch(sql.NOTES_OF_CALL, call["id"])), alert_kind=alert_kind,
        generated_at=datetime.now(UTC), type=kind)
