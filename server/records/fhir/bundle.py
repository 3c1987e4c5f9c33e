"""One consultation as a FHIR R4 Bundle: a `transaction` a FHIR server loads as records (default), or a
`collection` to read.

Every entry has a fullUrl `urn:uuid:` derived from the resource's business identifier (base.Ids) and,
in a transaction, a conditional request on that identifier: master data (Organization, Patient,
Practitioner, Questionnaire) is created only if none exists (`ifNoneExist`), so the hospital's own
copy is never overwritten; the clinical resources are conditional updates (`PUT
Type?identifier=system|value`), so exporting again after an amendment updates them and creates
nothing twice. Provenance has no identifier in R4: its business key is a `meta.tag`. Nothing here
depends on the request, the clock or the order of dict keys, apart from the Bundle's `timestamp` and
`meta.lastUpdated`. The mapping follows docs/CLINICAL.md; docs/FHIR.md describes it.
"""
from __future__ import annotations

import json
from datetime import datetime

from server.records import icd10
from server.records.fhir import medication, questionnaire
from server.records.fhir.base import (
    ACT_CODE,
    ACT_PRIORITY,
    CONDITION_CATEGORY,
    CONDITION_CLINICAL,
    CONDITION_VERIFICATION,
    DATA_ABSENT,
    DATA_OPERATION,
    DISCHARGE_DISPOSITION,
    LOINC,
    OBSERVATION_CATEGORY,
    PARTICIPATION_TYPE,
    PROVENANCE_AGENT,
    SNOMED,
    Entries,
    Ids,
    coding,
    concept,
    narrative,
    quantity,
    time,
)
from server.records.fhir.documents import document_references
from server.web import i18n

TYPES = ("transaction", "collection")
# Triage level (1 most urgent) -> HL7 v3 ActPriority: stat, emergency, urgent, routine, elective.
PRIORITY = {1: ("S", "stat"), 2: ("EM", "emergency"), 3: ("UR", "urgent"), 4: ("R", "routine"), 5: ("EL", "elective")}
VITAL_SIGNS = "http://hl7.org/fhir/StructureDefinition/vitalsigns"
PROFILE = "http://hl7.org/fhir/StructureDefinition/"
# Triage answer -> (profile, LOINC codings, UCUM unit text, UCUM code). The R4 vital-signs profiles
# (hl7.org/fhir/R4/observation-vitalsigns.html) fix the codes: SpO2 is 2708-6, and the pulse-oximetry
# code 59408-5 stands beside it; systolic pressure is a component of the 85354-9 panel (below).
VITALS = {
    "temperature_c": ("bodytemp", [("8310-5", "Body temperature")], "°C", "Cel"),
    "spo2": ("oxygensat", [("2708-6", "Oxygen saturation in Arterial blood"),
                           ("59408-5", "Oxygen saturation in Arterial blood by Pulse oximetry")], "%", "%"),
    "resp_rate": ("resprate", [("9279-1", "Respiratory rate")], "breaths/minute", "/min"),
    "heart_rate": ("heartrate", [("8867-4", "Heart rate")], "beats/minute", "/min"),
}
# The vital signs as the note's section lists them.
VITAL_LABELS = {"temperature_c": ("Temperature", "°C"), "spo2": ("SpO2", "%"), "heart_rate": ("Heart rate", "/min"),
                "resp_rate": ("Respiratory rate", "/min"), "systolic_bp": ("Systolic blood pressure", "mmHg")}
BP_PANEL = ("85354-9", "Blood pressure panel with all children optional")
SYSTOLIC = ("8480-6", "Systolic blood pressure")
DIASTOLIC = ("8462-4", "Diastolic blood pressure")
REFERRAL_TARGET = {"referral": "In-person clinic", "fever_clinic": "Fever clinic", "emergency": "Emergency department"}
REFERRAL_PRIORITY = {"referral": "routine", "fever_clinic": "urgent", "emergency": "stat"}
# The record's disposition -> HL7 discharge-disposition (where the patient goes after the call).
DISCHARGE = {"advice": ("home", "Home"), "follow_up_online": ("home", "Home"), "prescription": ("home", "Home"),
             "referral": ("other-hcf", "Other healthcare facility"), "fever_clinic": ("other-hcf", "Other healthcare facility"),
             "emergency": ("hosp", "Hospital")}
GENDER = {"female": "female", "male": "male", "other": "other"}
VERIFICATION = ("provisional", "differential", "confirmed", "refuted")
# Composition sections: record key -> (LOINC code, display, title).
SOAP_SECTIONS = {"subjective": ("61150-9", "Subjective Narrative", "Subjective"),
                 "objective": ("61149-1", "Objective Narrative", "Objective"),
                 "assessment": ("51848-0", "Evaluation note", "Assessment"),
                 "plan": ("18776-5", "Plan of care note", "Plan")}
AMENDED_FIELDS = {"diagnoses": "coded diagnoses", "medications": "medications", "disposition": "disposition",
                  "advice": "advice", "notes": "notes", "diagnosis": "diagnosis", "soap.subjective": "subjective",
                  "soap.objective": "objective", "soap.assessment": "assessment", "soap.plan": "plan"}


def _display(value) -> str:
    """A record value (text, coded diagnoses, medications) as one line of narrative."""
    if isinstance(value, list):
        return "; ".join(f"{v['name']} ({v['code']})" if "code" in v else
                         " ".join(p for p in (v.get("drug"), v.get("dose"), v.get("frequency"),
                                              f"{v['days']} days" if v.get("days") else "") if p)
                         for v in value) or "(none)"
    return str(value) if value not in (None, "") else "(none)"


def _versions(original: dict | None, amendments, field: str) -> list:
    """Every value a record field has had: the original's, then each amendment's old and new value."""
    out = [original[field]] if original is not None else []
    for a in amendments:
        if a["field"] == field:
            out += [a["old_value"], a["new_value"]]
    return out


def bundle(*, base: str, publisher: dict[str, str], consultation, patient, doctor, assessment, department,
           record: dict | None, original: dict | None = None, amendments=(), attachments=(),
           generated_at: datetime, type: str = "transaction") -> dict:
    """The Bundle for one consultation.

    `record` is the current record (the original with the amendments applied) or None while it is a
    draft; `original` the record as ended and `amendments` the amendment rows in order; `attachments`
    are rows with their `content` bytes; `publisher` the clinic's name by language ({"en", "zh"}).
    `type` is "transaction" or "collection".
    """
    if type not in TYPES:
        raise ValueError(f"type must be one of {TYPES}")
    export = _Export(Ids(base), type == "transaction", consultation, record, original, list(amendments))
    export.organization(publisher)
    export.patient(patient, assessment["answers"])
    export.author = export.practitioner(doctor["id"], doctor["name"])
    items = export.questionnaire(assessment, publisher["en"])
    conditions = export.conditions() if record is not None else []
    export.encounter(assessment, doctor["name"], department)
    observations = export.triage(assessment, items)
    if record is not None:
        for resource_type, kind, key, body in conditions:
            export.out.add(resource_type, kind, key, body)
        medications = export.medications()
        referral = export.referral()
    documents = document_references(export.out, attachments, export.subject, export.author, export.encounter_ref)
    if record is not None:
        export.composition(assessment["answers"], observations, medications, referral, documents)
        export.provenance()
    stamp = time(generated_at)
    return {"resourceType": "Bundle", "meta": {"lastUpdated": stamp}, "type": type, "timestamp": stamp,
            "entry": export.out.items}


class _Export:
    """One consultation's resources as they are added to the Bundle, and the references between them."""

    def __init__(self, ids: Ids, transaction: bool, consultation, record, original, amendments: list):
        self.ids, self.out = ids, Entries(ids, transaction)
        self.consultation, self.cid = consultation, consultation["id"]
        self.record, self.original, self.amendments = record, original, amendments
        self.ended_at = time(consultation["ended_at"])
        self.encounter_ref = {"reference": ids.url("consultations", self.cid)}
        self.practitioners: dict[int, dict] = {}
        self.current_conditions: list[str] = []  # fullUrls of the Conditions the record has now
        self.department_name = consultation["department"]

    # ---- who: the clinic, the patient, the doctors -----------------------------------------------

    def organization(self, publisher: dict[str, str]) -> None:
        """The clinic: Encounter.serviceProvider and Composition.custodian."""
        self.organization_ref = self.out.add("Organization", "organizations", "clinic", {
            "text": narrative(publisher["en"], publisher["zh"]), "active": True, "name": publisher["en"],
            "alias": [publisher["zh"]], "telecom": [{"system": "url", "value": self.ids.base}]}, create_only=True)

    def patient(self, patient, answers: dict) -> None:
        """The patient; gender from the profile, else from the triage answers."""
        gender = GENDER.get(patient["sex"]) or GENDER.get(answers.get("sex"), "unknown")
        born = time(patient["birth_date"])
        body = {"text": narrative(patient["name"], f"Gender: {gender}", f"Born: {born}" if born else ""),
                "name": [{"text": patient["name"]}], "gender": gender}
        if born:
            body["birthDate"] = born
        self.subject = self.out.add("Patient", "patients", patient["id"], body, create_only=True)
        self.subject_named = {**self.subject, "display": patient["name"]}

    def practitioner(self, user_id: int, name: str) -> dict:
        """A doctor's Reference, adding the Practitioner the first time."""
        if user_id not in self.practitioners:
            ref = self.out.add("Practitioner", "doctors", user_id, {
                "text": narrative(name), "active": True, "name": [{"text": name}]}, create_only=True)
            self.practitioners[user_id] = {**ref, "display": name}
        return self.practitioners[user_id]

    # ---- triage ----------------------------------------------------------------------------------

    def questionnaire(self, assessment, publisher: str) -> list[dict]:
        """Add the Questionnaire the patient answered; returns the QuestionnaireResponse items."""
        version, answers = assessment["questionnaire_version"], assessment["answers"]
        try:
            form = questionnaire.resource(self.ids, version, publisher)
        except KeyError:  # answered with a version this server no longer has: the answers stay as text
            return [{"linkId": key, "answer": [{"valueString": json.dumps(value, ensure_ascii=False)}]}
                    for key, value in answers.items()]
        for key in ("resourceType", "id", "identifier"):
            form.pop(key)
        self.out.add("Questionnaire", "questionnaires", questionnaire.resource_id(version), form, create_only=True)
        return questionnaire.response_items(self.ids, version, answers)

    def triage(self, assessment, items: list[dict]) -> list[dict]:
        """The QuestionnaireResponse and the vital signs given with it; returns the Observations' References."""
        ids, answers = self.ids, assessment["answers"]
        qr_ref = self.out.add("QuestionnaireResponse", "assessments", assessment["id"], {
            "text": narrative(*questionnaire.answer_lines(items), title="Triage answers"),
            "questionnaire": f"{questionnaire.canonical(ids)}|{assessment['questionnaire_version']}",
            "status": "completed", "subject": self.subject, "encounter": self.encounter_ref,
            "authored": time(assessment["created_at"]), "author": self.subject, "source": self.subject,
            "item": items}, single_identifier=True)
        observations = []

        def observation(field: str, profile: str, code: dict, title: str, value: dict) -> None:
            observations.append(self.out.add("Observation", "observations", f"{assessment['id']}-{field}", {
                "meta": {"profile": [VITAL_SIGNS, PROFILE + profile]}, "text": narrative(title),
                "status": "final", "category": [concept(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")],
                "code": code, "subject": self.subject, "encounter": self.encounter_ref,
                "effectiveDateTime": time(assessment["created_at"]), "performer": [self.subject], **value,
                "derivedFrom": [qr_ref]}))

        for field, (profile, codes, unit, ucum) in VITALS.items():
            value = answers.get(field)
            if value is not None:
                name = codes[0][1]
                observation(field, profile, {"coding": [coding(LOINC, c, d) for c, d in codes], "text": name},
                            f"{name}: {value} {unit}", {"valueQuantity": quantity(value, unit, ucum)})
        if answers.get("systolic_bp") is not None:
            systolic = answers["systolic_bp"]
            observation("blood_pressure", "bp", concept(LOINC, *BP_PANEL, text="Blood pressure"),
                        f"Blood pressure: systolic {systolic} mmHg (diastolic not asked)", {"component": [
                            {"code": concept(LOINC, *SYSTOLIC), "valueQuantity": quantity(systolic, "mmHg", "mm[Hg]")},
                            {"code": concept(LOINC, *DIASTOLIC),
                             "dataAbsentReason": concept(DATA_ABSENT, "not-asked", "Not Asked")}]})
        return observations

    # ---- the Encounter ---------------------------------------------------------------------------

    def encounter(self, assessment, doctor_name: str, department) -> None:
        """The consultation as a virtual Encounter (after the Conditions are known: it ranks them)."""
        consultation, record = self.consultation, self.record
        level = assessment["level"]
        code, display = PRIORITY[level]
        period = {"start": time(consultation["started_at"])}
        if self.ended_at:
            period["end"] = self.ended_at
        if department:
            self.department_name = department["name_en"]
        name = self.department_name
        reasons = questionnaire.symptom_codings(self.ids, assessment["questionnaire_version"],
                                                assessment["answers"].get("symptoms") or [])
        encounter = {
            "text": narrative(f"Online video consultation, {name}", f"Doctor: {doctor_name}",
                              f"From {period['start']}" + (f" to {period['end']}" if self.ended_at else "")),
            "status": "finished" if consultation["status"] == "ended" else "in-progress",
            "class": coding(ACT_CODE, "VR", "virtual"),
            "priority": {"coding": [coding(ACT_PRIORITY, code, display)], "text": f"Triage level {level}"},
            "serviceType": concept(self.ids.code_system("departments"), consultation["department"], name, text=name),
            "subject": self.subject_named,
            "participant": [{"type": [concept(PARTICIPATION_TYPE, "PPRF", "primary performer")],
                             "individual": self.author}],
            "period": period,
        }
        if reasons:
            encounter["reasonCode"] = [{"coding": [c], "text": c["display"]} for c in reasons]
        if self.current_conditions:
            encounter["diagnosis"] = [{"condition": {"reference": url}, "rank": n + 1}
                                      for n, url in enumerate(self.current_conditions)]
        if record is not None and record["disposition"] in DISCHARGE:
            encounter["hospitalization"] = {"dischargeDisposition": concept(
                DISCHARGE_DISPOSITION, *DISCHARGE[record["disposition"]],
                text=i18n.translator("en")(f"disp_{record['disposition']}"))}
        encounter["serviceProvider"] = self.organization_ref
        self.out.add("Encounter", "consultations", self.cid, encounter)

    # ---- the record --------------------------------------------------------------------------------

    def conditions(self) -> list[tuple]:
        """The Conditions to add (after the Encounter): those of the record now, and those an amendment
        took back as entered-in-error, so a server that loaded them before corrects them."""
        record, original, cid = self.record, self.original, self.cid
        out = []

        def condition(key: str, code: dict, verification: str | None, note: str) -> None:
            body = {"text": narrative(code.get("text", ""), note),
                    "category": [concept(CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis")],
                    "code": code, "subject": self.subject, "encounter": self.encounter_ref,
                    "recordedDate": self.ended_at, "recorder": self.author, "asserter": self.author}
            if verification is None:
                status = {"verificationStatus": concept(CONDITION_VERIFICATION, "entered-in-error", "Entered in Error")}
            else:
                status = {"clinicalStatus": concept(CONDITION_CLINICAL, "active", "Active"),
                          "verificationStatus": concept(CONDITION_VERIFICATION, verification, verification.title())}
                self.current_conditions.append(self.ids.url("diagnoses", key))
            out.append(("Condition", "diagnoses", key, {**status, **body}))

        def coded(d: dict) -> dict:
            known = icd10.lookup(d["code"])
            return {"coding": [coding(icd10.SYSTEM, d["code"], known.en if known else d["name"])], "text": d["name"]}

        current = {d["code"] for d in record["diagnoses"]}
        for d in record["diagnoses"]:
            verification = d.get("verification") if d.get("verification") in VERIFICATION else "confirmed"
            condition(f"{cid}-{d['code']}", coded(d), verification, f"ICD-10 {d['code']}")
        withdrawn: dict[str, dict] = {}
        for value in _versions(original, self.amendments, "diagnoses"):
            for d in value or []:
                if d["code"] not in current:
                    withdrawn[d["code"]] = d
        for code, d in withdrawn.items():
            condition(f"{cid}-{code}", coded(d), None, f"ICD-10 {code}, withdrawn by an amendment")
        if not record["diagnoses"] and record["diagnosis"]:  # a free-text diagnosis, not coded
            condition(f"{cid}-text", {"text": record["diagnosis"]}, "confirmed", "Not coded")
        elif original is not None and not original["diagnoses"] and original["diagnosis"]:
            condition(f"{cid}-text", {"text": original["diagnosis"]}, None, "Not coded, replaced by an amendment")
        return out

    def _reasons(self) -> dict:
        return {"reasonReference": [{"reference": url} for url in self.current_conditions]} \
            if self.current_conditions else {}

    def medications(self) -> list[dict]:
        """A MedicationRequest per medication line; a line an amendment removed is entered-in-error.
        Returns the References of the lines the record has now."""
        record = self.record
        intent = "order" if record["disposition"] == "prescription" else "proposal"
        lines = list(record["medications"])
        earlier = _versions(self.original, self.amendments, "medications")
        refs = []
        for n in range(max([len(v or []) for v in earlier] + [len(lines)])):
            if n < len(lines):
                line, status = lines[n], prescription_status(record, lines[n])
            else:  # the line that was there before the list was shortened
                line = next(v[n] for v in reversed(earlier) if v and len(v) > n)
                status = "entered-in-error"
            dosage = medication.dosage(line)
            request = {
                "text": narrative(f"{line['drug']}: {dosage['text']}",
                                  "Withdrawn by an amendment" if status == "entered-in-error" else ""),
                "status": status, "intent": intent,
                "medicationCodeableConcept": medication.medication_concept(line["drug"]),
                "subject": self.subject, "encounter": self.encounter_ref, "authoredOn": self.ended_at,
                "requester": self.author, **self._reasons(), "dosageInstruction": [dosage]}
            if line.get("days"):
                request["dispenseRequest"] = {"expectedSupplyDuration": quantity(line["days"], "days", "d")}
            ref = self.out.add("MedicationRequest", "medication-requests", f"{self.cid}-{n}", request)
            if status != "entered-in-error":
                refs.append(ref)
        return refs

    def referral(self) -> dict | None:
        """The ServiceRequest when the disposition sends the patient on (entered-in-error once an
        amendment took that back); returns its Reference while it stands."""
        record = self.record
        referred = [d for d in (record["disposition"], *_versions(self.original, self.amendments, "disposition"))
                    if d in REFERRAL_TARGET]
        if not referred:
            return None
        active = record["disposition"] in REFERRAL_TARGET
        disposition = record["disposition"] if active else referred[-1]
        target = REFERRAL_TARGET[disposition]
        body = {"text": narrative(f"Referral: {target}", record["advice"] if active else "Withdrawn by an amendment"),
                "status": "active" if active else "entered-in-error", "intent": "order",
                "priority": REFERRAL_PRIORITY[disposition],
                "code": concept(SNOMED, "3457005", "Patient referral", text=f"Referral: {target}"),
                "subject": self.subject, "encounter": self.encounter_ref, "authoredOn": self.ended_at,
                "requester": self.author, "performerType": {"text": target}, **self._reasons()}
        if record["advice"]:
            body["note"] = [{"text": record["advice"]}]
        ref = self.out.add("ServiceRequest", "referrals", self.cid, body)
        return ref if active else None

    def composition(self, answers: dict, observations: list, medications: list, referral: dict | None,
                    documents: list) -> None:
        """The note: a Composition with a section (narrative and entries) per part of the record."""
        record, ids = self.record, self.ids
        sections, note = [], []

        def section(title: str, code: dict, lines: list[str], entries: list[dict] | None = None) -> None:
            lines = [line for line in lines if line]
            if not lines and not entries:
                return
            item = {"title": title, "code": code, "text": narrative(*lines, title=title)}
            if entries:
                item["entry"] = entries
            sections.append(item)
            note.append(f"{title}: " + (" / ".join(lines) if lines else f"{len(entries or [])} entries"))

        own = ids.code_system("record-sections")
        section("Vital signs", concept(LOINC, "8716-3", "Vital signs"), [_vital_line(answers, f) for f in VITAL_LABELS],
                observations)
        for key, (loinc, display, title) in SOAP_SECTIONS.items():
            section(title, concept(LOINC, loinc, display), [record["soap"].get(key, "")])
        section("Diagnoses", concept(LOINC, "29548-5", "Diagnosis Narrative"),
                [_display(record["diagnoses"]) if record["diagnoses"] else record["diagnosis"]],
                [{"reference": url} for url in self.current_conditions])
        section("Medications", concept(LOINC, "10160-0", "History of Medication use Narrative"),
                [_display([m]) for m in record["medications"]], medications)
        section("Advice", concept(LOINC, "69730-0", "Instructions"), [record["advice"]])
        if record["disposition"]:
            section("Disposition", concept(own, "disposition", "Disposition"),
                    [i18n.translator("en")(f"disp_{record['disposition']}")], [referral] if referral else None)
        section("Notes", concept(own, "notes", "Notes"), [record["notes"]])
        section("Attachments", concept(own, "attachments", "Attachments"), [], documents)

        changed = [a["at"] for a in self.amendments]
        title = f"Online consultation note, {self.department_name}"
        self.out.add("Composition", "records", self.cid, {
            "text": narrative(*note, title=title), "status": "amended" if changed else "final",
            "type": concept(LOINC, "11488-4", "Consult note"), "subject": self.subject_named,
            "encounter": self.encounter_ref, "date": time(max(changed)) if changed else self.ended_at,
            "author": [self.author], "title": title,
            "attester": [{"mode": "legal", "time": self.ended_at, "party": self.author}],
            "custodian": self.organization_ref, "section": sections}, single_identifier=True)

    def provenance(self) -> None:
        """A Provenance per amendment: what changed in the note, when, by whom and why."""
        note = {"reference": self.ids.url("records", self.cid)}
        for a in self.amendments:
            who = self.practitioner(a["author_id"], a["author_name"])
            field = AMENDED_FIELDS.get(a["field"], a["field"])
            self.out.add("Provenance", "amendments", a["id"], {
                "text": narrative(f"{field} amended by {a['author_name']} at {time(a['at'])}",
                                  f"Reason: {a['reason']}", f"Before: {_display(a['old_value'])}",
                                  f"After: {_display(a['new_value'])}", title="Amendment"),
                "target": [note], "occurredDateTime": time(a["at"]), "recorded": time(a["at"]),
                "reason": [{"text": a["reason"]}], "activity": concept(DATA_OPERATION, "UPDATE", "revise"),
                "agent": [{"type": concept(PROVENANCE_AGENT, "author", "Author"), "who": who}]}, create_only=True)


def prescription_status(record: dict, line: dict) -> str:
    """MedicationRequest.status of a medication line of the record: the seam for prescriptions.

    Today a line is the doctor's advice or order as ended, so it is `active`. Once prescriptions
    and the pharmacist's review exist (the follow-up-care work), this is where a prescription
    awaiting review becomes `draft`, a rejected one `cancelled`, and where `performer` (the
    pharmacist) joins `requester` (the doctor).
    """
    return "active"


def _vital_line(answers: dict, field: str) -> str:
    if answers.get(field) is None:
        return ""
    label, unit = VITAL_LABELS[field]
    return f"{label} {answers[field]} {unit}"
