"""A consultation as a FHIR R4 Bundle (type "collection"), built from plain data (no I/O here).

Resources: Patient, Practitioner, Encounter (class VR, priority from the triage level),
QuestionnaireResponse (the triage answers), Observation (vital signs given in triage, LOINC coded),
Condition (diagnoses, ICD-10), MedicationRequest (medication advice), ServiceRequest (when the
disposition sends the patient elsewhere) and DocumentReference (attachments). Every entry has a
`urn:uuid:` fullUrl and every reference points at one of them. The ids are UUIDv5 of the server's
address and the row, so exporting twice gives the same ids. The mapping follows docs/CLINICAL.md.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from server.records import icd10

ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
ACT_PRIORITY = "http://terminology.hl7.org/CodeSystem/v3-ActPriority"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"

# Triage level (1 most urgent) -> HL7 v3 ActPriority: stat, emergency, urgent, routine, elective.
PRIORITY = {1: ("S", "stat"), 2: ("EM", "emergency"), 3: ("UR", "urgent"), 4: ("R", "routine"), 5: ("EL", "elective")}
# Triage answer -> (LOINC code, display, UCUM unit, unit text); codes from docs/CLINICAL.md.
VITALS = {
    "temperature_c": ("8310-5", "Body temperature", "Cel", "°C"),
    "spo2": ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry", "%", "%"),
    "resp_rate": ("9279-1", "Respiratory rate", "/min", "/min"),
    "heart_rate": ("8867-4", "Heart rate", "/min", "/min"),
    "systolic_bp": ("8480-6", "Systolic blood pressure", "mm[Hg]", "mmHg"),
}
REFERRAL_TARGET = {"referral": "In-person clinic", "fever_clinic": "Fever clinic", "emergency": "Emergency department"}
REFERRAL_PRIORITY = {"referral": "routine", "fever_clinic": "urgent", "emergency": "stat"}
GENDER = {"female": "female", "male": "male", "other": "other"}


def _time(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


class _Ids:
    """Stable urn:uuid: ids for rows of this server."""

    def __init__(self, base: str):
        self.base = base.rstrip("/")

    def __call__(self, kind: str, key) -> str:
        return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{self.base}/fhir/{kind}/{key}"))


def _entry(full_url: str, resource: dict) -> dict:
    return {"fullUrl": full_url, "resource": {"id": full_url.removeprefix("urn:uuid:"), **resource}}


def _answer(value) -> list[dict]:
    values = value if isinstance(value, list) else [value]
    out = []
    for v in values:
        if isinstance(v, bool):
            out.append({"valueBoolean": v})
        elif isinstance(v, int):
            out.append({"valueInteger": v})
        elif isinstance(v, float):
            out.append({"valueDecimal": v})
        else:
            out.append({"valueString": str(v)})
    return out


def _items(answers: dict, labels: dict[str, str], prefix: str = "") -> list[dict]:
    items = []
    for key, value in answers.items():
        if value is None or value == [] or value == "":
            continue
        link = f"{prefix}{key}"
        item: dict = {"linkId": link}
        if labels.get(link):
            item["text"] = labels[link]
        if isinstance(value, dict):
            children = _items(value, labels, prefix=f"{link}.")
            if not children:
                continue
            item["item"] = children
        else:
            item["answer"] = _answer(value)
        items.append(item)
    return items


@dataclass(frozen=True)
class _Refs:
    """What most resources of one consultation's Bundle point at."""

    ids: _Ids
    cid: int
    subject: dict
    encounter: dict
    requester: dict
    ended_at: str | None


def _conditions(refs: _Refs, record: dict) -> list[dict]:
    """One Condition per coded diagnosis, or one for a free-text diagnosis."""
    coded = []
    for n, d in enumerate(record["diagnoses"]):
        known = icd10.lookup(d["code"])
        coded.append((refs.ids("Condition", f"{refs.cid}/{n}/{d['code']}"),
                      {"coding": [{"system": icd10.SYSTEM, "code": d["code"],
                                   "display": known.en if known else d["name"]}], "text": d["name"]}))
    if not record["diagnoses"] and record["diagnosis"]:  # a free-text diagnosis, not coded
        coded.append((refs.ids("Condition", f"{refs.cid}/text"), {"text": record["diagnosis"]}))
    return [_entry(url, {
        "resourceType": "Condition",
        "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
        "verificationStatus": {"coding": [{"system": CONDITION_VERIFICATION, "code": "provisional"}]},
        "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "encounter-diagnosis",
                                  "display": "Encounter Diagnosis"}]}],
        "code": code, "subject": refs.subject, "encounter": refs.encounter, "recorder": refs.requester,
        "recordedDate": refs.ended_at}) for url, code in coded]


def _encounter(refs: _Refs, consultation, assessment, department, conditions: list[str]) -> dict:
    level = assessment["level"]
    code, display = PRIORITY[level]
    period = {"start": _time(consultation["started_at"])}
    if consultation["ended_at"]:
        period["end"] = refs.ended_at
    encounter = {
        "resourceType": "Encounter",
        "identifier": [{"system": f"{refs.ids.base}/consultations", "value": str(refs.cid)}],
        "status": "finished" if consultation["status"] == "ended" else "in-progress",
        "class": {"system": ACT_CODE, "code": "VR", "display": "virtual"},
        "priority": {"coding": [{"system": ACT_PRIORITY, "code": code, "display": display}],
                     "text": f"Triage level {level}"},
        "serviceType": {"text": department["name_en"] if department else consultation["department"]},
        "subject": refs.subject,
        "participant": [{"individual": refs.requester}],
        "period": period,
    }
    if conditions:
        encounter["diagnosis"] = [{"condition": {"reference": url}, "rank": n + 1} for n, url in enumerate(conditions)]
    return encounter


def _vitals(refs: _Refs, assessment, qr_url: str) -> list[dict]:
    entries = []
    for field, (loinc, name, unit, unit_text) in VITALS.items():
        value = assessment["answers"].get(field)
        if value is None:
            continue
        entries.append(_entry(refs.ids("Observation", f"{assessment['id']}/{field}"), {
            "resourceType": "Observation", "status": "final",
            "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "vital-signs",
                                      "display": "Vital Signs"}]}],
            "code": {"coding": [{"system": LOINC, "code": loinc, "display": name}], "text": name},
            "subject": refs.subject, "encounter": refs.encounter, "effectiveDateTime": _time(assessment["created_at"]),
            "performer": [refs.subject], "derivedFrom": [{"reference": qr_url}],
            "valueQuantity": {"value": value, "unit": unit_text, "system": UCUM, "code": unit}}))
    return entries


def _orders(refs: _Refs, record: dict, conditions: list[str]) -> list[dict]:
    """MedicationRequests for the advised medications, and a ServiceRequest for a referral."""
    entries = []
    reasons = [{"reference": url} for url in conditions]
    # Online, a first visit gets advice only; a prescription disposition makes the advice an order.
    intent = "order" if record["disposition"] == "prescription" else "proposal"
    for n, m in enumerate(record["medications"]):
        dosage = ", ".join(part for part in (m.get("dose"), m.get("frequency"),
                                             f"{m['days']} days" if m.get("days") else "") if part)
        request = {
            "resourceType": "MedicationRequest", "status": "active", "intent": intent,
            "medicationCodeableConcept": {"text": m["drug"]},
            "subject": refs.subject, "encounter": refs.encounter, "authoredOn": refs.ended_at,
            "requester": refs.requester, "reasonReference": reasons,
            "dosageInstruction": [{"text": dosage or m["drug"]}]}
        if m.get("days"):
            request["dispenseRequest"] = {"expectedSupplyDuration": {
                "value": m["days"], "unit": "days", "system": UCUM, "code": "d"}}
        entries.append(_entry(refs.ids("MedicationRequest", f"{refs.cid}/{n}"), request))
    if record["disposition"] in REFERRAL_TARGET:
        target = REFERRAL_TARGET[record["disposition"]]
        referral = {
            "resourceType": "ServiceRequest", "status": "active", "intent": "order",
            "priority": REFERRAL_PRIORITY[record["disposition"]],
            "code": {"coding": [{"system": SNOMED, "code": "3457005", "display": "Patient referral"}],
                     "text": f"Referral: {target}"},
            "subject": refs.subject, "encounter": refs.encounter, "authoredOn": refs.ended_at,
            "requester": refs.requester, "performerType": {"text": target}, "reasonReference": reasons}
        if record["advice"]:
            referral["note"] = [{"text": record["advice"]}]
        entries.append(_entry(refs.ids("ServiceRequest", refs.cid), referral))
    return entries


def _documents(refs: _Refs, attachments: list) -> list[dict]:
    return [_entry(refs.ids("DocumentReference", a["id"]), {
        "resourceType": "DocumentReference", "status": "current",
        "subject": refs.subject, "date": _time(a["created_at"]),
        "author": [refs.subject if a["uploader_role"] == "patient" else refs.requester],
        "content": [{"attachment": {"contentType": a["content_type"], "url": f"{refs.ids.base}/api/attachments/{a['id']}",
                                    "title": a["filename"], "size": a["size_bytes"],
                                    "creation": _time(a["created_at"])}}],
        "context": {"encounter": [refs.encounter]}}) for a in attachments]


def bundle(*, base: str, consultation, patient, doctor, assessment, department, record: dict | None,
           attachments: list, labels: dict[str, str] | None = None, generated_at: datetime) -> dict:
    """The Bundle for one consultation. `record` is the current record, or None while it is still a draft."""
    ids = _Ids(base)
    cid = consultation["id"]
    patient_url, doctor_url = ids("Patient", patient["id"]), ids("Practitioner", doctor["id"])
    encounter_url, qr_url = ids("Encounter", cid), ids("QuestionnaireResponse", assessment["id"])
    refs = _Refs(ids, cid, {"reference": patient_url}, {"reference": encounter_url},
                 {"reference": doctor_url, "display": doctor["name"]},
                 _time(consultation["ended_at"]) if consultation["ended_at"] else None)

    patient_resource = {"resourceType": "Patient",
                        "identifier": [{"system": f"{ids.base}/patients", "value": str(patient["id"])}],
                        "name": [{"text": patient["name"]}], "gender": GENDER.get(patient["sex"], "unknown")}
    if patient["birth_date"]:
        patient_resource["birthDate"] = _time(patient["birth_date"])
    conditions = _conditions(refs, record) if record is not None else []
    entries = [
        _entry(patient_url, patient_resource),
        _entry(doctor_url, {"resourceType": "Practitioner",
                            "identifier": [{"system": f"{ids.base}/doctors", "value": str(doctor["id"])}],
                            "name": [{"text": doctor["name"]}]}),
        _entry(encounter_url, _encounter(refs, consultation, assessment, department,
                                         [c["fullUrl"] for c in conditions])),
        *conditions,
        _entry(qr_url, {
            "resourceType": "QuestionnaireResponse",
            "identifier": {"system": f"{ids.base}/assessments", "value": str(assessment["id"])},
            "questionnaire": f"{ids.base}/fhir/Questionnaire/triage|{assessment['questionnaire_version']}",
            "status": "completed", "subject": refs.subject, "encounter": refs.encounter,
            "authored": _time(assessment["created_at"]), "author": refs.subject, "source": refs.subject,
            "item": _items(assessment["answers"], labels or {})}),
        *_vitals(refs, assessment, qr_url),
    ]
    if record is not None:
        entries += _orders(refs, record, [c["fullUrl"] for c in conditions])
    entries += _documents(refs, attachments)
    return {"resourceType": "Bundle", "id": str(uuid.uuid4()), "type": "collection",
            "timestamp": _time(generated_at), "entry": entries}
