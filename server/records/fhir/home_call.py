"""A home video call (server/homewatch/calls.py) as FHIR R4: a virtual Encounter of the contracted
doctor with the person at home, and the doctor's note as a Composition (LOINC 11506-3 Progress
note); each correction of a note is a Provenance. Patient, Practitioner and Organization carry the
same identifiers as in the consultation export, so a FHIR server files both under one person."""
from __future__ import annotations

from datetime import datetime

from server.records.fhir.base import (
    ACT_CODE,
    DATA_OPERATION,
    LOINC,
    PARTICIPATION_TYPE,
    PROVENANCE_AGENT,
    Entries,
    Ids,
    coding,
    concept,
    narrative,
    time,
)

TYPES = ("transaction", "collection")
GENDER = {"male": "male", "female": "female"}
# hw_calls status / end reason -> Encounter.status
STATUS = {"ringing": "planned", "active": "in-progress"}


def _status(call) -> str:
    if call["status"] != "ended":
        return STATUS[call["status"]]
    return "finished" if call["answered_at"] else "cancelled"


def bundle(*, base: str, publisher: dict[str, str], call, patient, doctor, notes, alert_kind: str | None,
           generated_at: datetime, type: str = "transaction") -> dict:
    """The Bundle of one home call: `notes` are its note rows in order (corrections name the note
    they replace); `publisher` the clinic's name by language."""
    if type not in TYPES:
        raise ValueError(f"type must be one of {TYPES}")
    ids = Ids(base)
    out = Entries(ids, type == "transaction")
    organization = out.add("Organization", "organizations", "clinic", {
        "text": narrative(publisher["en"], publisher["zh"]), "active": True, "name": publisher["en"],
        "alias": [publisher["zh"]], "telecom": [{"system": "url", "value": ids.base}]}, create_only=True)
    gender = GENDER.get(patient["sex"], "unknown")
    body = {"text": narrative(patient["name"], f"Gender: {gender}"), "name": [{"text": patient["name"]}],
            "gender": gender}
    if patient["birth_date"]:
        body["birthDate"] = time(patient["birth_date"])
    subject = {**out.add("Patient", "patients", patient["id"], body, create_only=True), "display": patient["name"]}
    author = {**out.add("Practitioner", "doctors", doctor["id"], {
        "text": narrative(doctor["name"]), "active": True, "name": [{"text": doctor["name"]}]}, create_only=True),
        "display": doctor["name"]}

    start = call["answered_at"] or call["started_at"]
    period = {"start": time(start)}
    if call["ended_at"] and call["ended_at"] >= start:
        period["end"] = time(call["ended_at"])
    encounter = {
        "text": narrative("Video call to the patient's home", f"Doctor: {doctor['name']}",
                          f"From {period['start']}" + (f" to {period['end']}" if "end" in period else "")),
        "status": _status(call),
        "class": coding(ACT_CODE, "VR", "virtual"),
        "type": [concept(ids.code_system("encounter-types"), "home-video-call", "Video call to the home",
                         text="Video call to the patient's home")],
        "subject": subject,
        "participant": [{"type": [concept(PARTICIPATION_TYPE, "PPRF", "primary performer")], "individual": author}],
        "period": period, "serviceProvider": organization,
    }
    if alert_kind:
        encounter["reasonCode"] = [concept(ids.code_system("home-watch-alerts"), alert_kind, alert_kind,
                                           text=f"Home watch alert: {alert_kind}")]
    encounter_ref = out.add("Encounter", "home-calls", call["id"], encounter)

    replaced = {n["replaces_id"] for n in notes if n["replaces_id"]}
    current = [n for n in notes if n["id"] not in replaced]
    if current:
        corrections = [n for n in notes if n["replaces_id"]]
        first, last = notes[0]["written_at"], notes[-1]["written_at"]
        lines = [f"{time(n['written_at'])}: {n['text']}" for n in current]
        title = "Home video call note"
        out.add("Composition", "home-call-notes", call["id"], {
            "text": narrative(*lines, title=title), "status": "amended" if corrections else "final",
            "type": concept(LOINC, "11506-3", "Progress note"), "subject": subject, "encounter": encounter_ref,
            "date": time(last), "author": [author], "title": title,
            "attester": [{"mode": "legal", "time": time(first), "party": author}], "custodian": organization,
            "section": [{"title": "Notes", "code": concept(ids.code_system("record-sections"), "notes", "Notes"),
                         "text": narrative(*lines, title="Notes")}]}, single_identifier=True)
        target = {"reference": ids.url("home-call-notes", call["id"])}
        by_id = {n["id"]: n for n in notes}
        for n in corrections:
            before = by_id.get(n["replaces_id"])
            out.add("Provenance", "home-call-note-corrections", n["id"], {
                "text": narrative(f"Note corrected by {n['author_name']} at {time(n['written_at'])}",
                                  f"Reason: {n['reason']}", f"Before: {before['text'] if before else ''}",
                                  f"After: {n['text']}", title="Correction"),
                "target": [target], "occurredDateTime": time(n["written_at"]), "recorded": time(n["written_at"]),
                "reason": [{"text": n["reason"]}], "activity": concept(DATA_OPERATION, "UPDATE", "revise"),
                "agent": [{"type": concept(PROVENANCE_AGENT, "author", "Author"), "who": author}]}, create_only=True)
    stamp = time(generated_at)
    return {"resourceType": "Bundle", "meta": {"lastUpdated": stamp}, "type": type, "timestamp": stamp,
            "entry": out.items}
