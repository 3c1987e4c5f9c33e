"""The FHIR export as a hospital integrator would take it: realistic consultations exported through the
real API as transaction Bundles, checked by three validators (fhir.resources, HL7's R4 JSON schema
with Ajv, Medplum's validator with the R4 base and vital-signs profiles; the last two in Node,
tests/node/validate.mjs), loaded twice into a store that follows FHIR's conditional create/update
rules, and exported from two host names."""
from __future__ import annotations

import base64
import json
import re
import subprocess
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from helpers.records import PDF, audit_rows, form, png_bytes
from server.settings import Settings, SettingsError

BASE = "https://clinic.example-hospital.cn"
NODE_VALIDATOR = Path(__file__).resolve().parent / "node" / "validate.mjs"
META_TIMES = re.compile(rb'"(timestamp|lastUpdated)": "[^"]*"')


@pytest.fixture
def settings(database_url) -> Settings:
    """The app under test has a configured public address (as production must)."""
    return Settings(database_url=database_url, housekeeping_seconds=0.2,
                    public_base_url=BASE)


async def consultation(people, answers: dict, *, sex: str | None, birth_date: str, name: str):
    """(patient, doctor, consultation id): a registered patient triaged, queued and claimed."""
    patient = await people.patient(name=name, birth_date=birth_date, sex=sex)
    response = await patient.post("/api/triage/assessments", json={"answers": answers})
    assert response.status == 201, await response.text()
    entry = await (await patient.post("/api/queue", json={"assessment_id": (await response.json())["id"]})).json()
    doctor = await people.doctor(department=entry["department"])
    response = await doctor.post("/api/doctor/claim", json={})
    assert response.status == 201, await response.text()
    return patient, doctor, (await response.json())["id"]


async def amend(doctor, cid: str, field: str, value, reason: str) -> None:
    response = await doctor.post(f"/api/consultations/{cid}/amendments",
                                 json={"field": field, "value": value, "reason": reason})
    assert response.status == 201, await response.text()


async def sore_throat(people):
    """A woman with a sore throat: vital signs, a photo and a PDF, referred, then amended twice."""
    patient, doctor, cid = await consultation(people, {
        "age_years": 36, "sex": "female", "symptoms": ["sore_throat", "cough"], "duration_days": 2,
        "temperature_c": 37.9, "spo2": 98, "heart_rate": 88, "resp_rate": 16, "systolic_bp": 122,
        "epi": {"close_contact": False}, "free_text": "吞咽时痛 <更明显> & 夜里咳"},
        sex="female", birth_date="1990-05-01", name="王芳")
    await people.follow_up(patient, doctor, cid)  # it ends with medications: a confirmed follow-up
    assert (await patient.post(f"/api/consultations/{cid}/attachments",
                               data=form(png_bytes(), "throat.png", "image/png"))).status == 201
    assert (await doctor.post(f"/api/consultations/{cid}/attachments",
                              data=form(PDF, "blood count.pdf", "application/pdf"))).status == 201
    response = await doctor.post(f"/api/consultations/{cid}/end", json={
        "soap": {"subjective": "咽痛两天，轻咳", "objective": "T 37.9, 咽部充血，扁桃体Ⅰ度肿大",
                 "assessment": "急性咽炎", "plan": "对症治疗，多饮水"},
        "diagnoses": [{"code": "J02.9", "name": "未特指的急性咽炎"}, {"code": "R05", "name": "咳嗽"}],
        "medications": [{"drug": "对乙酰氨基酚", "dose": "500 mg", "frequency": "必要时，每日不超过4次", "days": 3},
                        {"drug": "右美沙芬", "dose": "15 mg", "frequency": "每日3次", "days": 5}],
        "disposition": "referral", "advice": "多饮温水 <script>alert(1)</script> & 休息", "notes": "患者要求线下复查"})
    assert response.status == 200, await response.text()
    await amend(doctor, cid, "diagnoses", [{"code": "J03.9", "name": "未特指的急性扁桃体炎"}],
                "Tonsils were the main finding on review of the photo")
    await amend(doctor, cid, "medications", [{"drug": "对乙酰氨基酚", "dose": "500 mg",
                                              "frequency": "必要时，每日不超过4次", "days": 3}],
                "No cough medicine needed")
    await amend(doctor, cid, "disposition", "advice", "Can be managed at home")
    return patient, doctor, cid


async def hypertension(people):
    """An older man's follow-up for hypertension and diabetes: a prescription of two drugs."""
    patient, doctor, cid = await consultation(people, {
        "age_years": 71, "sex": "male", "symptoms": ["dizziness"], "duration_days": 5, "systolic_bp": 158,
        "heart_rate": 76, "chronic": ["hypertension", "diabetes"]},
        sex="male", birth_date="1955-03-12", name="李建国")
    await people.follow_up(patient, doctor, cid)  # it ends with medications: a confirmed follow-up
    response = await doctor.post(f"/api/consultations/{cid}/end", json={
        "soap": {"subjective": "Dizzy in the mornings for 5 days", "objective": "Home BP 158 systolic",
                 "assessment": "Hypertension not controlled", "plan": "Raise amlodipine"},
        "diagnoses": [{"code": "I10"}, {"code": "E11.9"}], "disposition": "prescription",
        "medications": [{"drug": "Amlodipine", "dose": "10 mg", "frequency": "once daily", "days": 30},
                        {"drug": "Metformin", "dose": "0.5 g", "frequency": "twice daily", "days": 30}],
        "advice": "Measure blood pressure every morning and bring the readings"})
    assert response.status == 200, await response.text()
    return patient, doctor, cid


async def feverish_child(people):
    """A boy with fever, no sex in his profile (the answers say male), a free-text diagnosis, fever clinic."""
    patient, doctor, cid = await consultation(people, {
        "age_years": 4, "sex": "male", "symptoms": ["fever", "cough"], "duration_days": 1,
        "temperature_c": 38.6, "heart_rate": 120, "resp_rate": 28, "consciousness": "alert",
        "epi": {"close_contact": True, "cluster": True}},
        sex=None, birth_date="2022-01-20", name="张小明")
    await people.follow_up(patient, doctor, cid)  # it ends with medications: a confirmed follow-up
    response = await doctor.post(f"/api/consultations/{cid}/end", json={
        "diagnosis": "发热待查（幼儿园聚集性发热）", "disposition": "fever_clinic",
        "advice": "今天到发热门诊就诊", "medications": [{"drug": "布洛芬混悬液", "dose": "5 ml", "frequency": "每6小时"}]})
    assert response.status == 200, await response.text()
    return patient, doctor, cid


async def still_open(people):
    """A consultation still going on: the Encounter is in progress and there is no record yet."""
    return await consultation(people, {"age_years": 29, "symptoms": ["rash", "itching"], "duration_days": 3},
                              sex="other", birth_date="1997-08-08", name="Alex Chen")


SCENARIOS = (sore_throat, hypertension, feverish_child, still_open)


async def export(person, cid: str, **params) -> tuple[bytes, dict]:
    response = await person.get(f"/api/consultations/{cid}/fhir", params=params)
    assert response.status == 200, await response.text()
    assert response.content_type == "application/fhir+json"
    raw = await response.read()
    return raw, json.loads(raw)


def references(node) -> list[str]:
    """Every Reference.reference in a resource tree."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "reference" and isinstance(value, str):
                found.append(value)
            else:
                found.extend(references(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(references(value))
    return found


def by_type(bundle: dict) -> dict[str, list[dict]]:
    out: dict[str, list] = {}
    for entry in bundle["entry"]:
        out.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    return out


def node_validate(paths: list[Path]) -> list[dict]:
    """Medplum's validator and HL7's JSON schema on each file (tests/node/validate.mjs)."""
    done = subprocess.run(["node", str(NODE_VALIDATOR), *map(str, paths)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["files"]


# ---- the validators -----------------------------------------------------------------------------

async def test_every_export_is_valid_r4_for_three_validators(people, tmp_path):
    files = []
    for scenario in SCENARIOS:
        patient, doctor, cid = await scenario(people)
        for kind in ("transaction", "collection"):
            _, data = await export(patient, cid, type=kind)
            assert data["type"] == kind
            Bundle.model_validate(data)  # (a) fhir.resources, as before
            for entry in data["entry"]:
                get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])
            path = tmp_path / f"{scenario.__name__}-{kind}.json"
            path.write_text(json.dumps(data, ensure_ascii=False))
            files.append(path)

    results = node_validate(files)
    summary = {Path(r["file"]).stem: (len(r["medplum"]["errors"]), len(r["medplum"]["warnings"]),
                                      len(r["medplum"]["known"]), len(r["schema"]["errors"])) for r in results}
    print("\nvalidator results (medplum errors, warnings, known validator defects; json-schema errors):", summary)
    for r in results:  # (b) HL7's JSON schema and (c) Medplum, with the vital-signs profiles
        assert r["schema"]["errors"] == [], (r["file"], r["schema"]["errors"][:5])
        assert r["medplum"]["errors"] == [], (r["file"], r["medplum"]["errors"][:5])
        # Its only warnings: it cannot see the type behind a urn:uuid: reference (they all resolve: below).
        assert all(w["text"].startswith('Invalid reference: got "urn:uuid:') for w in r["medplum"]["warnings"])
    assert len(results) == 2 * len(SCENARIOS)


async def test_the_validators_catch_what_the_issue_found(tmp_path):
    """The checks can fail: a lone 59408-5 SpO2, a bad gender and a missing status are each reported."""
    def observation(codes):
        return {"resourceType": "Observation", "meta": {"profile": ["http://hl7.org/fhir/StructureDefinition/oxygensat"]},
                "status": "final", "code": {"coding": [{"system": "http://loinc.org", "code": c} for c in codes]},
                "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category",
                                          "code": "vital-signs"}]}],
                "subject": {"reference": "urn:uuid:1"}, "effectiveDateTime": "2026-12-01T08:00:00+00:00",
                "valueQuantity": {"value": 97, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"}}
    bundles = {
        "spo2": [observation(["59408-5"])],
        "gender": [{"resourceType": "Patient", "gender": "femme"}],
        "status": [{"resourceType": "MedicationRequest", "intent": "order", "medicationCodeableConcept": {"text": "x"}}],
        "fine": [observation(["2708-6", "59408-5"])],
    }
    paths = []
    for name, resources in bundles.items():
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [
            {"fullUrl": f"urn:uuid:{n + 2}", "resource": r} for n, r in enumerate(resources)]}))
        paths.append(path)
    results = {Path(r["file"]).stem: r for r in node_validate(paths)}
    assert any("OxygenSatCode" in (e["text"] or "") for e in results["spo2"]["medplum"]["errors"])
    assert results["gender"]["schema"]["errors"] and results["status"]["schema"]["errors"]
    assert results["status"]["medplum"]["errors"]
    assert results["fine"]["medplum"]["errors"] == [] and results["fine"]["schema"]["errors"] == []


# ---- what a FHIR server does with it --------------------------------------------------------------

def load(store: dict, bundle: dict) -> dict[str, int]:
    """Process a transaction as a FHIR server does (conditional create / conditional update on the
    identifier or tag in the request), into `store` {(type, key): resource}; counts created/updated."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for entry in bundle["entry"]:
        request, resource = entry["request"], entry["resource"]
        if request["method"] == "POST":
            resource_type, query = request["url"], request["ifNoneExist"]
        else:
            assert request["method"] == "PUT"
            resource_type, query = request["url"].split("?", 1)
        assert resource_type == resource["resourceType"]
        ((param, (token,)),) = parse_qs(query).items()
        key = (resource_type, param, token)
        if key not in store:
            store[key] = resource
            counts["created"] += 1
        elif request["method"] == "PUT" and store[key] != resource:
            store[key] = resource
            counts["updated"] += 1
        else:
            counts["unchanged"] += 1
    return counts


def conditional_token(resource: dict) -> tuple[str, str]:
    """(search parameter, system|value) the resource itself carries as its business key."""
    if resource["resourceType"] == "Provenance":
        tag = resource["meta"]["tag"][0]
        return "_tag", f"{tag['system']}|{tag['code']}"
    identifier = resource["identifier"]
    identifier = identifier[0] if isinstance(identifier, list) else identifier
    return "identifier", f"{identifier['system']}|{identifier['value']}"


async def test_transaction_entries_are_conditional_on_their_identifiers_and_load_idempotently(people):
    patient, doctor, cid = await sore_throat(people)
    _, first = await export(patient, cid)
    full_urls = [e["fullUrl"] for e in first["entry"]]
    assert len(set(full_urls)) == len(full_urls) and all(u.startswith("urn:uuid:") for u in full_urls)
    refs = references(first["entry"])
    assert refs and set(refs) <= set(full_urls)  # every reference resolves inside the bundle
    for entry in first["entry"]:
        resource, request = entry["resource"], entry["request"]
        assert "id" not in resource  # the receiving server assigns ids
        param, token = conditional_token(resource)
        query = request.get("ifNoneExist") or request["url"].split("?", 1)[1]
        assert parse_qs(query) == {param: [token]}, entry
        assert token.startswith(BASE + "/fhir/sid/")
        master = resource["resourceType"] in ("Organization", "Patient", "Practitioner", "Questionnaire",
                                              "Provenance")
        assert request["method"] == ("POST" if master else "PUT"), entry

    store: dict = {}
    assert load(store, first)["created"] == len(first["entry"])
    _, again = await export(doctor, cid)
    assert [e["request"] for e in again["entry"]] == [e["request"] for e in first["entry"]]
    assert [e["fullUrl"] for e in again["entry"]] == full_urls
    assert load(store, again) == {"created": 0, "updated": 0, "unchanged": len(first["entry"])}

    # A later amendment: the changed resources update in place, only its Provenance is new.
    await amend(doctor, cid, "advice", "多饮温水，三天不退热请复诊", "Added when to come back")
    _, amended = await export(doctor, cid)
    counts = load(store, amended)
    assert counts["created"] == 1 and counts["updated"] >= 1
    assert len(store) == len(amended["entry"])


async def test_the_same_export_from_another_host_name_is_byte_for_byte_the_same(people):
    patient, doctor, cid = await sore_throat(people)
    exports = []
    for host in ("clinic.example.cn", "attacker.example", "127.0.0.1"):
        response = await patient.get(f"/api/consultations/{cid}/fhir", headers={"Host": host})
        assert response.status == 200
        exports.append(await response.read())
    assert b"attacker.example" not in exports[1] and b"clinic.example.cn" not in exports[0]
    assert len({META_TIMES.sub(b"", raw) for raw in exports}) == 1
    assert META_TIMES.sub(b"", exports[0]) != exports[0]  # the times were there, and only they differ
    raw, data = await export(doctor, cid)
    assert META_TIMES.sub(b"", raw) == META_TIMES.sub(b"", exports[0])  # whoever asks
    patient_resource = by_type(data)["Patient"][0]
    assert patient_resource["identifier"] == [{"system": f"{BASE}/fhir/sid/patients", "value": patient.id}]


# ---- the record in it ---------------------------------------------------------------------------

async def test_the_whole_consultation_is_in_the_bundle(people, client):
    patient, doctor, cid = await sore_throat(people)
    _, data = await export(patient, cid)
    found = by_type(data)
    assert {"Organization", "Patient", "Practitioner", "Questionnaire", "Encounter", "QuestionnaireResponse",
            "Observation", "Condition", "Composition", "MedicationRequest", "ServiceRequest", "DocumentReference",
            "Provenance"} <= set(found)
    url_of = {id(e["resource"]): e["fullUrl"] for e in data["entry"]}

    organization, encounter = found["Organization"][0], found["Encounter"][0]
    assert encounter["serviceProvider"]["reference"] == url_of[id(organization)]
    assert encounter["participant"][0]["type"][0]["coding"][0]["code"] == "PPRF"
    assert [r["coding"][0]["code"] for r in encounter["reasonCode"]] == ["sore_throat", "cough"]
    assert encounter["hospitalization"]["dischargeDisposition"]["coding"][0]["code"] == "home"  # amended to advice
    assert found["Patient"][0]["gender"] == "female"

    # The note: SOAP, advice, disposition, with escaped XHTML narrative; amended, with Provenance.
    note = found["Composition"][0]
    assert note["status"] == "amended" and note["type"]["coding"][0]["code"] == "11488-4"
    sections = {s["title"]: s for s in note["section"]}
    assert {"Vital signs", "Subjective", "Objective", "Assessment", "Plan", "Diagnoses", "Medications", "Advice",
            "Disposition", "Notes", "Attachments"} <= set(sections)
    assert "咽痛两天，轻咳" in sections["Subjective"]["text"]["div"]
    advice = sections["Advice"]["text"]["div"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 休息" in advice
    divs = re.findall(r'"div": "((?:[^"\\]|\\.)*)"', json.dumps(data, ensure_ascii=False))
    assert len(divs) > len(data["entry"]) and not any("<script" in div for div in divs)
    assert all(r["text"]["div"].startswith('<div xmlns="http://www.w3.org/1999/xhtml">')
               for r in found["Composition"] + found["Encounter"] + found["Condition"])
    assert "Advice only" in sections["Disposition"]["text"]["div"]
    provenance = found["Provenance"]
    assert [p["reason"][0]["text"] for p in provenance] == [
        "Tonsils were the main finding on review of the photo", "No cough medicine needed", "Can be managed at home"]
    assert all(p["target"] == [{"reference": url_of[id(note)]}] for p in provenance)

    # Conditions as the record now has them; those amended away are entered-in-error.
    status = {c["code"]["coding"][0]["code"]: c["verificationStatus"]["coding"][0]["code"] for c in found["Condition"]}
    assert status == {"J03.9": "confirmed", "J02.9": "entered-in-error", "R05": "entered-in-error"}
    assert [d["condition"]["reference"] for d in encounter["diagnosis"]] == [
        url_of[id(c)] for c in found["Condition"] if c["code"]["coding"][0]["code"] == "J03.9"]
    assert found["ServiceRequest"][0]["status"] == "entered-in-error"  # the referral was taken back

    # Medications: coded where known, structured dosage, the removed line withdrawn.
    paracetamol, cough_medicine = found["MedicationRequest"]
    assert paracetamol["status"] == "active" and cough_medicine["status"] == "entered-in-error"
    assert paracetamol["medicationCodeableConcept"]["coding"][0] == {
        "system": "http://www.whocc.no/atc", "code": "N02BE01", "display": "Paracetamol"}
    dosage = paracetamol["dosageInstruction"][0]
    assert dosage["asNeededBoolean"] is True and dosage["route"]["coding"][0]["code"] == "26643006"
    assert dosage["doseAndRate"][0]["doseQuantity"] == {"value": 500, "unit": "mg", "system": "http://unitsofmeasure.org",
                                                         "code": "mg"}
    assert dosage["maxDosePerPeriod"]["numerator"]["value"] == 2000
    assert dosage["timing"]["repeat"]["boundsDuration"]["value"] == 3

    # Vital signs with the R4 profiles' codes.
    vitals = {o["code"]["coding"][0]["code"]: o for o in found["Observation"]}
    assert [c["code"] for c in vitals["2708-6"]["code"]["coding"]] == ["2708-6", "59408-5"]
    panel = vitals["85354-9"]
    assert "valueQuantity" not in panel and panel["component"][0]["valueQuantity"]["value"] == 122
    assert panel["component"][1]["dataAbsentReason"]["coding"][0]["code"] == "not-asked"
    assert "8480-6" not in vitals  # no lone systolic observation

    # Attachments inline, typed, with their bytes.
    documents = {d["description"]: d for d in found["DocumentReference"]}
    photo = documents["throat.png"]["content"][0]["attachment"]
    assert base64.b64decode(photo["data"]) == png_bytes() and "url" not in photo
    assert documents["throat.png"]["type"]["coding"][0]["code"] == "72170-4"
    assert base64.b64decode(documents["blood count.pdf"]["content"][0]["attachment"]["data"]) == PDF

    # The answers are coded against a Questionnaire the server serves.
    answers = found["QuestionnaireResponse"][0]
    canonical, version = answers["questionnaire"].split("|")
    assert canonical == f"{BASE}/api/fhir/Questionnaire/triage"
    response = await client.get(f"/api/fhir/Questionnaire/triage-{version}")
    assert response.status == 200 and response.content_type == "application/fhir+json"
    served = await response.json()
    assert served["url"] == canonical and served["version"] == version
    assert found["Questionnaire"][0]["url"] == canonical

    def flat(items):
        for item in items:
            yield item
            yield from flat(item.get("item", []))
    questions = {q["linkId"]: q for q in flat(served["item"])}
    for item in flat(answers["item"]):
        question = questions[item["linkId"]]
        for answer in item.get("answer", []):
            if question["type"] == "choice":
                assert {"valueCoding": answer["valueCoding"]} in question["answerOption"]
    given = {i["linkId"]: i["answer"] for i in flat(answers["item"]) if "answer" in i}
    assert [a["valueCoding"]["code"] for a in given["symptoms"]] == ["sore_throat", "cough"]
    (sex,) = given["sex"]
    assert (sex["valueCoding"]["system"], sex["valueCoding"]["code"], sex["valueCoding"]["display"]) == (
        "http://hl7.org/fhir/administrative-gender", "female", "Female")
    chinese = {"url": "http://hl7.org/fhir/StructureDefinition/translation",
               "extension": [{"url": "lang", "valueCode": "zh"}, {"url": "content", "valueString": "女"}]}
    assert sex["valueCoding"]["_display"] == {"extension": [chinese]}  # the patient read it in Chinese
    assert questions["sex"]["_text"]["extension"][0]["extension"][1] == {"url": "content", "valueString": "性别"}
    assert given["epi.close_contact"] == [{"valueBoolean": False}]
    assert (await client.get("/api/fhir/Questionnaire/triage")).status == 200
    missing = await client.get("/api/fhir/Questionnaire/triage-1999-01")
    assert missing.status == 404 and (await missing.json())["error"]["field"] == "id"


async def test_gender_from_the_answers_free_text_diagnosis_and_an_open_consultation(people):
    patient, doctor, cid = await feverish_child(people)
    found = by_type((await export(doctor, cid))[1])
    assert found["Patient"][0]["gender"] == "male"  # the profile has none; the triage answers say male
    (condition,) = found["Condition"]
    assert condition["code"] == {"text": "发热待查（幼儿园聚集性发热）"}
    assert condition["verificationStatus"]["coding"][0]["code"] == "confirmed"
    assert found["ServiceRequest"][0]["status"] == "active" and found["ServiceRequest"][0]["priority"] == "urgent"
    repeat = found["MedicationRequest"][0]["dosageInstruction"][0]["timing"]["repeat"]
    assert (repeat["frequency"], repeat["period"], repeat["periodUnit"]) == (1, 6, "h")

    patient, doctor, cid = await still_open(people)
    found = by_type((await export(doctor, cid))[1])
    assert found["Encounter"][0]["status"] == "in-progress" and "period" in found["Encounter"][0]
    assert not {"Composition", "Condition", "MedicationRequest"} & set(found)
    assert found["Patient"][0]["gender"] == "other"


async def test_bad_type_is_refused_strangers_get_nothing_and_exports_are_audited(people, db):
    patient, doctor, cid = await hypertension(people)
    document = await (await patient.get("/api/openapi.json")).json()
    (parameter,) = [p for p in document["paths"]["/api/consultations/{id}/fhir"]["get"]["parameters"] if p["in"] == "query"]
    assert parameter["name"] == "type" and parameter["schema"]["enum"] == ["transaction", "collection"]
    assert "get" in document["paths"]["/api/fhir/Questionnaire/{id}"]
    bad = await patient.get(f"/api/consultations/{cid}/fhir", params={"type": "batch"})
    assert bad.status == 422 and (await bad.json())["error"]["field"] == "type"
    stranger = await people.patient(name="Someone Else")
    assert (await stranger.get(f"/api/consultations/{cid}/fhir")).status == 403
    found = by_type((await export(patient, cid))[1])
    await export(doctor, cid)
    exports = await audit_rows(db, action="consultation.export_fhir", object_id=cid)
    assert [(str(r["actor_id"]), r["allowed"]) for r in exports] == [
        (stranger.id, False), (patient.id, True), (doctor.id, True)]
    assert {m["intent"] for m in found["MedicationRequest"]} == {"order"}
    metformin = found["MedicationRequest"][1]["dosageInstruction"][0]
    assert metformin["timing"]["repeat"]["frequency"] == 2
    assert metformin["doseAndRate"][0]["doseQuantity"]["value"] == 0.5


def test_public_base_url_is_required_in_production_and_checked():
    production = {"CLINIC_ENV": "production", "COOKIE_SECURE": "1", "SECRET_KEY": "k" * 40}
    with pytest.raises(SettingsError, match="PUBLIC_BASE_URL"):
        Settings.from_env(production)
    with pytest.raises(SettingsError, match="https"):
        Settings.from_env({**production, "PUBLIC_BASE_URL": "http://clinic.example.org"})
    for bad in ("clinic.example.org", "https://clinic.example.org/?x=1", "ftp://clinic.example.org"):
        with pytest.raises(SettingsError, match="PUBLIC_BASE_URL"):
            Settings.from_env({"PUBLIC_BASE_URL": bad})
    good = Settings.from_env({**production, "PUBLIC_BASE_URL": "https://clinic.example.org/"})
    assert good.public_base() == "https://clinic.example.org"
    assert Settings.from_env({"PORT": "9000"}).public_base() == "http://127.0.0.1:9000"
