"""The person's own copy (PIPL art. 45): everything the clinic holds about an account holder and their
dependants, as JSON. Only their rows: every query is keyed by the caller's own user id."""
from __future__ import annotations

from datetime import date, datetime

import asyncpg

from server.audit import service as audit
from server.audit.service import Actor
from server.consent import queries as sql
from server.consent import service as consent
from server.dependants import service as dependants
from server.identity import service as identity
from server.prescriptions import service as prescriptions
from server.records import service as records


def _plain(value):
    """JSON-ready values: times as ISO 8601, ids as strings."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _rows(rows, id_fields=("id",)) -> list[dict]:
    out = []
    for r in rows:
        item = _plain(dict(r))
        for key in id_fields:
            if item.get(key) is not None:
                item[key] = str(item[key])
        out.append(item)
    return out


async def export(conn: asyncpg.Connection, user, actor: Actor, base_url: str) -> dict:
    """The caller's data: account, identity (masked), consents, dependants, assessments, queue entries,
    consultations with their records, chat, files, approved prescriptions, screenings and employer links."""
    uid = user["id"]
    consultations = []
    for c in await conn.fetch(sql.EXPORT_CONSULTATIONS, uid):
        record = None
        if c["status"] == "ended":
            current, original, amendments, _ = await records.load(conn, c)
            record = {"current": current, "original": original,
                      "amendments": [records.amendment_view(a) for a in amendments]}
        consultations.append({
            **_rows([c], ("id", "for_dependant_id"))[0], "record": record,
            "messages": _rows(await conn.fetch(sql.EXPORT_MESSAGES, c["id"])),
            "attachments": [{**a, "url": f"/api/attachments/{a['id']}"}
                            for a in _rows(await conn.fetch(sql.EXPORT_ATTACHMENTS, c["id"]))],
            "fhir_url": f"{base_url}/api/consultations/{c['id']}/fhir",
            "summary_url": f"{base_url}/api/consultations/{c['id']}/summary",
        })
    data = {
        "generated_at": datetime.now().astimezone().isoformat(),
        "account": _rows([await conn.fetchrow(sql.EXPORT_ACCOUNT, uid)])[0],
        "identity": await identity.of(conn, uid),
        "consents": await consent.current(conn, uid),
        "consent_history": _rows(await conn.fetch(sql.HISTORY, uid), ()),
        "dependants": await dependants.of_account(conn, uid),
        "assessments": _rows(await conn.fetch(sql.EXPORT_ASSESSMENTS, uid), ("id", "for_dependant_id")),
        "queue_entries": _rows(await conn.fetch(sql.EXPORT_QUEUE_ENTRIES, uid),
                               ("id", "assessment_id", "consultation_id")),
        "consultations": consultations,
        "prescriptions": await prescriptions.approved_of_patient(conn, uid),
        "screenings": _rows(await conn.fetch(sql.EXPORT_SCREENINGS, uid), ("id", "assessment_id")),
        "employers": _rows(await conn.fetch(sql.EXPORT_ENROLLMENTS, uid)),
    }
    await audit.record(conn, actor, "patient.export", "user", uid,
                       detail={"consultations": len(consultations)})
    return data
