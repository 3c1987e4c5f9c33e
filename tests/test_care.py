"""Care within the internet-consultation rules, through the real HTTP API and PostgreSQL: consent,
real names, dependants, follow-up or first visit, guardians, e-prescriptions and pharmacist review,
the person's export, and records that are never deleted."""
from __future__ import annotations

import json
import logging

import asyncpg
import pytest

from helpers import MILD_ANSWERS, PASSWORD, events_named, queued_patient, wait_for
from server.identity import gb11643
from server.identity.verification import DevelopmentProvider, NoProvider
from server.keys import IDENTITY_PROVIDER

VALID_ID = "11010519491231002X"           # GB 11643's own example, check character X
CHILD_ID = "440106201803051239"           # born 2018-03-05
WRONG_CHECK_DIGIT = "110105194912310021"
FOLLOW_UP = {"visit": "follow_up", "prior_diagnosis": {"hospital": "广州市第一人民医院", "date": "2025-03-02",
                                                       "icd10": "I10"},
             "current_medicines": ["Warfarin 3 mg daily"], "allergies": ["青霉素"]}
AMLODIPINE = {"drug": "Amlodipine", "dose": "5 mg", "route": "oral", "frequency": "once daily", "days": 30,
              "quantity": "30 tablets"}


@pytest.fixture(autouse=True)
def development_identity_provider(app):
    """As with DEMO=1: a valid ID number is verified at once (no real provider is reachable here)."""
    app[IDENTITY_PROVIDER] = DevelopmentProvider()


async def licensed(people, db, role="doctor", **kw):
    """A doctor (on duty) or pharmacist with a licence number and title on file."""
    person = await (people.doctor(**kw) if role == "doctor" else people.staff(role))
    async with db.acquire() as conn:
        await conn.execute("UPDATE users SET licence_number = $2, title = $3 WHERE id = $1", int(person.id),
                           f"LIC-{person.id}-2026", "主治医师" if role == "doctor" else "主管药师")
    return person


async def consultation(people, patient, doctor, answers=None, for_dependant_id=None):
    """The patient answers, queues and is claimed by the doctor; returns the consultation id."""
    body = {"answers": answers or MILD_ANSWERS}
    if for_dependant_id:
        body["for_dependant_id"] = for_dependant_id
    assessment = await patient.post("/api/triage/assessments", json=body)
    assert assessment.status == 201, await assessment.text()
    queued = await patient.post("/api/queue", json={"assessment_id": (await assessment.json())["id"]})
    assert queued.status == 201, await queued.text()
    claim = await doctor.post("/api/doctor/claim", json={})
    assert claim.status == 201, await claim.text()
    return (await claim.json())["id"]


async def verified_patient(people, **kw):
    patient = await people.patient(**kw)
    response = await patient.post("/api/me/identity", json={"name": "王芳", "id_number": VALID_ID})
    assert response.status == 200, await response.text()
    return patient


async def error_of(response):
    return (await response.json())["error"]


# ---- consent ------------------------------------------------------------------------------------

async def test_without_health_data_consent_triage_is_refused_until_it_is_given(people):
    patient = await people.patient(consents=())
    refused = await patient.post("/api/triage/assessments", json={"answers": MILD_ANSWERS})
    assert refused.status == 403 and (await error_of(refused))["code"] == "consent_required"
    consents = await (await patient.get("/api/me/consents")).json()
    assert {c["purpose"]: c["granted"] for c in consents} == {
        "health_data": False, "video": False, "employer_screening": False, "family_access": False}
    given = await patient.post("/api/me/consents", json={"purpose": "health_data", "granted": True})
    assert given.status == 200
    health = next(c for c in await given.json() if c["purpose"] == "health_data")
    assert health["granted"] is True and health["version"] and health["at"]
    assert (await patient.post("/api/triage/assessments", json={"answers": MILD_ANSWERS})).status == 201


async def test_withdrawing_consent_takes_effect_at_once_and_is_audited(people, db):
    patient = await people.patient()
    assert (await patient.post("/api/me/consents", json={"purpose": "health_data", "granted": False})).status == 200
    refused = await patient.post("/api/triage/assessments", json={"answers": MILD_ANSWERS})
    assert refused.status == 403 and (await error_of(refused))["field"] == "health_data"
    bad = await patient.post("/api/me/consents", json={"purpose": "marketing", "granted": True})
    assert bad.status == 422 and (await error_of(bad))["field"] == "purpose"
    async with db.acquire() as conn:
        actions = [r["action"] for r in await conn.fetch(
            "SELECT action FROM audit_log WHERE object_type = 'user' AND object_id = $1 ORDER BY id", patient.id)]
    assert actions[-1] == "consent.withdraw" and "consent.grant" in actions


async def test_withdrawn_employer_screening_consent_hides_the_status_from_the_employer(people, make_client, db):
    async with db.acquire() as conn:
        org = await conn.fetchval("INSERT INTO organisations (name) VALUES ('Acme') RETURNING id")
    employer = await people.staff("employer", organisation_id=org)
    csv = "employee_ref,name,phone\nE001,Alice Wang,13800000001\n"
    from aiohttp import FormData
    form = FormData()
    form.add_field("file", csv.encode(), filename="staff.csv", content_type="text/csv")
    assert (await employer.post("/api/employer/staff/import", data=form)).status == 200
    issued = await (await employer.post("/api/employer/staff/invitations", json={})).json()
    token = issued[0]["url"].rsplit("/invite/", 1)[1]
    person = await make_client()
    registered = await person.post("/api/auth/register", json={
        "phone": "13800000001", "password": PASSWORD, "name": "Alice Wang", "consents": ["health_data"]})
    csrf = (await registered.json())["csrf_token"]
    headers = {"X-CSRF-Token": csrf}
    assert (await person.post(f"/api/invitations/{token}/accept", headers=headers)).status == 201
    screened = await person.post("/api/screenings", json={"answers": {"age_years": 30, "symptoms": [], "temperature_c": 36.6}},
                                 headers=headers)
    assert screened.status in (200, 201), await screened.text()

    async def status():
        return (await (await employer.get("/api/employer/staff")).json())[0]["status"]
    assert await status() == "cleared"
    withdrawn = await person.post("/api/me/consents", json={"purpose": "employer_screening", "granted": False},
                                  headers=headers)
    assert withdrawn.status == 200
    assert await status() == "pending"
    member = await (await employer.get("/api/employer/staff/E001")).json()
    assert member["status"] == "pending" and member["screened_at"] is None


# ---- real names ---------------------------------------------------------------------------------

def test_gb11643_check_digit():
    assert gb11643.validate(VALID_ID.lower()) == VALID_ID
    assert gb11643.validate(CHILD_ID) == CHILD_ID
    for bad, reason in ((WRONG_CHECK_DIGIT, "check_digit"), ("11010519491331002X", "birth_date"), ("1234", "format"),
                        ("１１０１０５１９４９１２３１００２X", "format")):
        with pytest.raises(gb11643.InvalidIdNumber) as caught:
            gb11643.validate(bad)
        assert caught.value.reason == reason
    assert gb11643.masked(VALID_ID) == "110*************2X"


async def test_an_id_number_with_a_wrong_check_digit_is_refused_and_the_full_number_is_never_shown(
        people, db, caplog):
    caplog.set_level(logging.DEBUG)
    patient = await people.patient()
    refused = await patient.post("/api/me/identity", json={"name": "王芳", "id_number": WRONG_CHECK_DIGIT})
    assert refused.status == 422
    error = await error_of(refused)
    assert error["field"] == "id_number" and WRONG_CHECK_DIGIT not in json.dumps(error)
    accepted = await patient.post("/api/me/identity", json={"name": "王芳", "id_number": VALID_ID})
    assert accepted.status == 200
    assert await accepted.json() == {"verified": True, "name": "王芳", "id_number_masked": "110*************2X"}

    doctor = await licensed(people, db)
    cid = await consultation(people, patient, doctor)
    texts = [await (await doctor.get(f"/api/consultations/{cid}")).text(),
             await (await doctor.get(f"/api/consultations/{cid}/record")).text(),
             await (await patient.get("/api/me/identity")).text(),
             await (await patient.get("/api/me/export")).text(),
             await (await patient.get("/account")).text()]
    async with db.acquire() as conn:
        stored = [json.dumps([dict(r) for r in await conn.fetch(f"SELECT * FROM {t}")], default=str)
                  for t in ("identities", "audit_log", "users")]
    for text in texts + stored + [caplog.text]:
        assert VALID_ID not in text and VALID_ID[:17] not in text


async def test_without_a_provider_a_valid_number_stays_unverified(people, app):
    app[IDENTITY_PROVIDER] = NoProvider()
    patient = await people.patient()
    answer = await (await patient.post("/api/me/identity", json={"name": "王芳", "id_number": VALID_ID})).json()
    assert answer["verified"] is False and answer["id_number_masked"] == "110*************2X"


async def test_admin_creates_a_pharmacist_and_a_doctor_with_licence_and_title(people):
    admin = await people.staff("admin")
    no_licence = await admin.post("/api/admin/users", json={
        "role": "pharmacist", "name": "李药师", "email": "rx@test.clinic", "password": PASSWORD})
    assert no_licence.status == 422 and (await error_of(no_licence))["field"] == "licence_number"
    made = await admin.post("/api/admin/users", json={
        "role": "pharmacist", "name": "李药师", "email": "rx@test.clinic", "password": PASSWORD,
        "licence_number": "YS-440100-0001", "title": "主管药师"})
    assert made.status == 201
    assert (await made.json())["user"] | {"id": None} == {
        "id": None, "role": "pharmacist", "name": "李药师", "licence_number": "YS-440100-0001", "title": "主管药师"}
    doctor = await admin.post("/api/admin/users", json={
        "role": "doctor", "name": "Dr. Li", "email": "li@test.clinic", "password": PASSWORD, "department": "internal",
        "licence_number": "110440100000123", "title": "主任医师"})
    assert (await doctor.json())["user"]["licence_number"] == "110440100000123"


# ---- follow-up visits and prescriptions --------------------------------------------------------

async def test_a_first_visit_or_unverified_patient_cannot_end_with_a_prescription(people, db):
    doctor = await licensed(people, db)
    patient = await people.patient()                       # not verified
    cid = await consultation(people, patient, doctor)
    ending = {"diagnosis": "Hypertension", "disposition": "prescription", "advice": "Take daily",
              "medications": [{"drug": "Amlodipine", "dose": "5 mg", "frequency": "daily", "days": 30}]}
    first = await doctor.post(f"/api/consultations/{cid}/end", json=ending)
    assert first.status == 409 and await error_of(first) | {"message": ""} == {
        "code": "follow_up_required", "field": "medications", "message": ""}
    no_drug = await doctor.post(f"/api/consultations/{cid}/prescriptions", json={"items": [AMLODIPINE]})
    assert no_drug.status == 409 and (await error_of(no_drug))["code"] == "follow_up_required"

    assert (await doctor.post(f"/api/consultations/{cid}/visit-type", json=FOLLOW_UP)).status == 200
    unverified = await doctor.post(f"/api/consultations/{cid}/end", json=ending)
    assert unverified.status == 409 and (await error_of(unverified))["code"] == "identity_not_verified"
    by_disposition = await doctor.post(f"/api/consultations/{cid}/end", json={**ending, "medications": []})
    assert (await error_of(by_disposition))["field"] == "disposition"
    async with db.acquire() as conn:      # refused: nothing changed
        assert await conn.fetchval("SELECT status FROM consultations WHERE id = $1", int(cid)) == "active"

    # A first visit ends with advice or a referral, and the record says so.
    await doctor.post(f"/api/consultations/{cid}/visit-type", json={"visit": "first"})
    advice = await doctor.post(f"/api/consultations/{cid}/end", json={
        "diagnosis": "Raised blood pressure", "disposition": "referral", "advice": "See your GP in person"})
    assert advice.status == 200, await advice.text()
    care = (await (await patient.get(f"/api/consultations/{cid}")).json())["care"]
    assert care["visit"] == "first" and care["diagnosis_status"] == "provisional"


async def test_follow_up_needs_the_prior_diagnosis(people, db):
    doctor = await licensed(people, db)
    patient = await verified_patient(people)
    cid = await consultation(people, patient, doctor)
    missing = await doctor.post(f"/api/consultations/{cid}/visit-type", json={"visit": "follow_up"})
    assert missing.status == 422 and (await error_of(missing))["field"] == "prior_diagnosis"
    bad_code = await doctor.post(f"/api/consultations/{cid}/visit-type", json={
        **FOLLOW_UP, "prior_diagnosis": {**FOLLOW_UP["prior_diagnosis"], "icd10": "high"}})
    assert (await error_of(bad_code))["field"] == "prior_diagnosis.icd10"
    assert (await patient.post(f"/api/consultations/{cid}/visit-type", json=FOLLOW_UP)).status == 403


async def test_a_confirmed_follow_up_prescribes_and_the_patient_sees_it_only_once_approved(people, db):
    doctor = await licensed(people, db)
    pharmacist = await licensed(people, db, role="pharmacist")
    patient = await verified_patient(people)
    cid = await consultation(people, patient, doctor)
    assert (await doctor.post(f"/api/consultations/{cid}/visit-type", json=FOLLOW_UP)).status == 200
    written = await doctor.post(f"/api/consultations/{cid}/prescriptions", json={"items": [AMLODIPINE]})
    assert written.status == 201, await written.text()
    prescription = await written.json()
    assert prescription["status"] == "pending_review" and prescription["items"] == [AMLODIPINE]
    assert prescription["doctor"]["licence_number"] and prescription["reviewed_by"] is None
    ended = await doctor.post(f"/api/consultations/{cid}/end", json={
        "diagnosis": "Essential hypertension (I10)", "disposition": "prescription", "advice": "Daily, with water",
        "medications": [{"drug": "Amlodipine", "dose": "5 mg", "frequency": "once daily", "days": 30}]})
    assert ended.status == 200, await ended.text()

    assert await (await patient.get(f"/api/consultations/{cid}/prescriptions")).json() == []
    queue = await (await pharmacist.get("/api/pharmacy/queue")).json()
    assert [p["id"] for p in queue] == [prescription["id"]]
    assert queue[0]["patient"]["current_medicines"] == ["Warfarin 3 mg daily"]
    assert queue[0]["patient"]["allergies"] == ["青霉素"] and queue[0]["patient"]["id_number_masked"].startswith("110*")
    assert (await patient.get("/api/pharmacy/queue")).status == 403
    assert (await doctor.post(f"/api/prescriptions/{prescription['id']}/review",
                              json={"decision": "approve"})).status == 403

    approved = await pharmacist.post(f"/api/prescriptions/{prescription['id']}/review", json={"decision": "approve"})
    assert approved.status == 200
    body = await approved.json()
    assert body["status"] == "approved" and body["reviewed_by"]["id"] == pharmacist.id and body["reviewed_at"]
    seen = await (await patient.get(f"/api/consultations/{cid}/prescriptions")).json()
    assert [p["id"] for p in seen] == [prescription["id"]]
    again = await pharmacist.post(f"/api/prescriptions/{prescription['id']}/review", json={"decision": "return",
                                                                                            "reason": "late"})
    assert again.status == 409 and (await error_of(again))["code"] == "already_reviewed"
    assert await (await pharmacist.get("/api/pharmacy/queue")).json() == []
    async with db.acquire() as conn:
        actions = {r["action"] for r in await conn.fetch(
            "SELECT action FROM audit_log WHERE object_type = 'prescription' AND object_id = $1", prescription["id"])}
        assert {"prescription.create", "prescription.approved"} <= actions
        with pytest.raises(asyncpg.RaiseError):
            await conn.execute("UPDATE prescriptions SET items = '[]' WHERE id = $1", int(prescription["id"]))


async def test_a_returned_prescription_goes_back_to_the_doctor_with_the_reason(people, db):
    doctor = await licensed(people, db)
    pharmacist = await licensed(people, db, role="pharmacist")
    patient = await verified_patient(people)
    cid = await consultation(people, patient, doctor)
    doctor_socket = await doctor.socket()
    await doctor.post(f"/api/consultations/{cid}/visit-type", json=FOLLOW_UP)
    prescription = await (await doctor.post(f"/api/consultations/{cid}/prescriptions",
                                            json={"items": [AMLODIPINE]})).json()
    no_reason = await pharmacist.post(f"/api/prescriptions/{prescription['id']}/review", json={"decision": "return"})
    assert no_reason.status == 422 and (await error_of(no_reason))["field"] == "reason"
    returned = await pharmacist.post(f"/api/prescriptions/{prescription['id']}/review",
                                     json={"decision": "return", "reason": "Dose too high for age: start 2.5 mg"})
    assert (await returned.json())["status"] == "returned"
    event = await wait_for(lambda: events_named(doctor_socket, "prescription:reviewed"))
    assert event[0]["status"] == "returned" and event[0]["reason"].startswith("Dose too high")
    mine = await (await doctor.get(f"/api/consultations/{cid}/prescriptions")).json()
    assert [(p["status"], p["reason"]) for p in mine] == [("returned", "Dose too high for age: start 2.5 mg")]
    assert await (await patient.get(f"/api/consultations/{cid}/prescriptions")).json() == []


async def test_narcotic_and_psychotropic_drugs_are_refused_and_interactions_are_flagged(people, db):
    doctor = await licensed(people, db)
    patient = await verified_patient(people)
    cid = await consultation(people, patient, doctor)
    await doctor.post(f"/api/consultations/{cid}/visit-type", json=FOLLOW_UP)
    for drug, code in (("Morphine sulfate", "controlled_narcotic"), ("曲马多缓释片", "controlled_psychotropic"),
                       ("Zolpidem", "controlled_psychotropic")):
        refused = await doctor.post(f"/api/consultations/{cid}/prescriptions",
                                    json={"items": [AMLODIPINE, {**AMLODIPINE, "drug": drug}]})
        assert refused.status == 422
        assert await error_of(refused) | {"message": ""} == {"code": code, "field": "items[1].drug", "message": ""}
    flagged = await doctor.post(f"/api/consultations/{cid}/prescriptions",
                                json={"items": [{**AMLODIPINE, "drug": "Ibuprofen 400 mg"},
                                                {**AMLODIPINE, "drug": "Amoxicillin"}]})
    assert flagged.status == 201
    warnings = {w["code"]: w for w in (await flagged.json())["warnings"]}
    assert set(warnings) == {"interaction.warfarin_nsaid", "allergy.penicillin"}
    assert "出血" in warnings["interaction.warfarin_nsaid"]["text"] and warnings["interaction.warfarin_nsaid"]["source"]
    pharmacist = await licensed(people, db, role="pharmacist")
    en = await pharmacist.get("/api/pharmacy/queue", headers={"Accept-Language": "en"})
    assert "bleeding" in {w["code"]: w for w in (await en.json())[0]["warnings"]}["interaction.warfarin_nsaid"]["text"]
    async with db.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM prescriptions") == 1   # the refused ones wrote nothing


# ---- dependants and guardians -------------------------------------------------------------------

async def test_a_parent_books_for_a_child_and_the_call_waits_for_a_recorded_guardian(people, db):
    parent = await people.patient(name="王芳")
    added = await parent.post("/api/me/dependants", json={"name": "王小明", "birth_date": "2022-06-01", "sex": "male",
                                                          "relation": "child"})
    assert added.status == 201
    child = await added.json()
    assert child["name"] == "王小明" and child["relation"] == "child" and child["age_years"] <= 4
    assert [d["id"] for d in await (await parent.get("/api/me/dependants")).json()] == [child["id"]]
    stranger = await people.patient()
    foreign = await stranger.post("/api/triage/assessments",
                                  json={"answers": MILD_ANSWERS, "for_dependant_id": child["id"]})
    assert foreign.status == 404 and (await error_of(foreign))["field"] == "for_dependant_id"

    doctor = await licensed(people, db, department="pediatrics")
    cid = await consultation(people, parent, doctor, answers={**MILD_ANSWERS, "age_years": 4},
                             for_dependant_id=child["id"])
    care = (await (await doctor.get(f"/api/consultations/{cid}")).json())["care"]
    assert care["guardian_required"] is True and care["for_dependant"]["name"] == "王小明"
    doctor_socket, parent_socket = await doctor.socket(), await parent.socket()
    for sock in (doctor_socket, parent_socket):
        ack = await sock.call("join", {"consultation_id": cid}, timeout=5)
        assert ack["ok"] is False and ack["error"]["code"] == "guardian_required"
    recorded = await doctor.post(f"/api/consultations/{cid}/guardian", json={"present": True, "name": "王芳",
                                                                              "relation": "mother"})
    assert recorded.status == 200 and (await recorded.json())["guardian"]["name"] == "王芳"
    assert (await doctor_socket.call("join", {"consultation_id": cid}, timeout=5))["ok"] is True
    assert (await parent_socket.call("join", {"consultation_id": cid}, timeout=5))["ok"] is True


async def test_the_call_does_not_start_without_video_consent(people, db):
    doctor = await licensed(people, db)
    patient = await people.patient(consents=("health_data",))
    cid = await consultation(people, patient, doctor)
    ack = await (await patient.socket()).call("join", {"consultation_id": cid}, timeout=5)
    assert ack["ok"] is False and ack["error"]["code"] == "consent_required"


# ---- export and retention -----------------------------------------------------------------------

async def test_the_export_holds_every_record_of_the_caller_and_nothing_of_anyone_else(people, db):
    doctor = await licensed(people, db)
    patient = await verified_patient(people, name="Export Owner")
    child = await (await patient.post("/api/me/dependants", json={
        "name": "Export Mother", "birth_date": "1950-01-01", "sex": "female", "relation": "parent"})).json()
    own = await consultation(people, patient, doctor, answers={**MILD_ANSWERS, "free_text": "own words"})
    await doctor.post(f"/api/consultations/{own}/end", json={"diagnosis": "Cold", "disposition": "advice",
                                                             "advice": "Rest"})
    kid = await consultation(people, patient, doctor, answers={**MILD_ANSWERS, "age_years": 76},
                             for_dependant_id=child["id"])
    await doctor.post(f"/api/consultations/{kid}/end", json={"diagnosis": "Sore throat", "disposition": "advice"})
    other = await people.patient(name="Someone Else")
    theirs = await consultation(people, other, doctor, answers={**MILD_ANSWERS, "free_text": "private words"})
    await doctor.post(f"/api/consultations/{theirs}/end", json={"diagnosis": "Secret illness",
                                                                 "disposition": "advice"})

    response = await patient.get("/api/me/export")
    assert response.status == 200 and "attachment" in response.headers["Content-Disposition"]
    data = await response.json()
    text = json.dumps(data, ensure_ascii=False)
    assert {c["id"] for c in data["consultations"]} == {own, kid}
    assert [c["record"]["current"]["diagnosis"] for c in data["consultations"]] == ["Cold", "Sore throat"]
    assert len(data["assessments"]) == 2 and "own words" in text
    assert data["dependants"][0]["name"] == "Export Mother" and data["identity"]["id_number_masked"]
    assert data["consultations"][1]["for_dependant_id"] == child["id"]
    assert theirs not in {c["id"] for c in data["consultations"]}
    assert "Someone Else" not in text and "private words" not in text and "Secret illness" not in text
    assert "password" not in text and (await doctor.get("/api/me/export")).status == 403


async def test_records_are_never_deleted(people, db, database_url):
    patient, _ = await queued_patient(people)
    # The triggers stop even the owner; the app's role is stopped by its grants or by the same triggers.
    owner = await asyncpg.connect(database_url)
    try:
        for table in ("users", "assessments", "queue_entries", "consents"):
            with pytest.raises(asyncpg.RaiseError, match="kept"):
                await owner.execute(f"DELETE FROM {table}")
            with pytest.raises(asyncpg.RaiseError, match="kept"):
                await owner.execute(f"TRUNCATE {table} CASCADE")
    finally:
        await owner.close()
    async with db.acquire() as conn:
        with pytest.raises((asyncpg.RaiseError, asyncpg.InsufficientPrivilegeError)):
            await conn.execute("DELETE FROM users")
        assert await conn.fetchval("SELECT count(*) FROM users WHERE id = $1", int(patient.id)) == 1
        # A deletion request restricts the account instead: it signs in no more, its records stay.
        await conn.execute("UPDATE users SET restricted_at = now() WHERE id = $1", int(patient.id))
    assert (await patient.get("/api/me")).status == 401
    login = await patient.client.post("/api/auth/login", json={"login": patient.phone, "password": PASSWORD})
    assert login.status == 401


# ---- a third participant ------------------------------------------------------------------------

async def test_a_guest_joins_by_link_with_the_patients_consent_and_both_sides_are_told(people, db, client):
    import socketio
    doctor = await licensed(people, db)
    patient = await people.patient(name="奶奶")
    cid = await consultation(people, patient, doctor)
    refused = await patient.post(f"/api/consultations/{cid}/guests", json={"name": "小孙女", "relation": "family"})
    assert refused.status == 403 and (await error_of(refused))["code"] == "consent_required"
    await patient.post("/api/me/consents", json={"purpose": "family_access", "granted": True})
    assert (await doctor.post(f"/api/consultations/{cid}/guests", json={"name": "x", "relation": "family"})).status == 403
    invited = await patient.post(f"/api/consultations/{cid}/guests", json={"name": "小孙女", "relation": "family"})
    assert invited.status == 201
    token = (await invited.json())["url"].rsplit("/join/", 1)[1]
    assert (await client.get(f"/join/{token}")).status == 200
    assert (await client.get("/join/not-a-real-token-at-all")).status == 404

    patient_socket, doctor_socket = await patient.socket(), await doctor.socket()
    for sock in (patient_socket, doctor_socket):
        assert (await sock.call("join", {"consultation_id": cid}, timeout=5))["ok"] is True
    url = str(patient.client.make_url("/"))
    guest = socketio.AsyncClient(reconnection=False)
    guest.received = []
    guest.on("*", lambda event, data=None: guest.received.append((event, data)))
    await guest.connect(url, auth={"guest_token": token}, transports=["websocket"], wait_timeout=5)
    try:
        ack = await guest.call("join", {"consultation_id": cid}, timeout=5)
        assert ack["ok"] is True and ack["role"] == "guest" and ack["peers"] == ["doctor", "patient"]
        for sock in (patient_socket, doctor_socket):
            joined = await wait_for(lambda s=sock: events_named(s, "guest:joined"))
            assert joined[0]["name"] == "小孙女" and joined[0]["relation"] == "family"
        assert (await guest.call("join", {"consultation_id": str(int(cid) + 1)}, timeout=5))["ok"] is False
        no_target = await guest.call("signal", {"consultation_id": cid, "kind": "hangup", "data": None}, timeout=5)
        assert no_target["ok"] is False and no_target["error"]["code"] == "bad_target"
        sent = await guest.call("signal", {"consultation_id": cid, "kind": "hangup", "data": None, "to": "doctor"},
                                timeout=5)
        assert sent["ok"] is True
        relayed = await wait_for(lambda: events_named(doctor_socket, "signal"))
        assert relayed[0]["from_role"] == "guest" and not events_named(patient_socket, "signal")
        chat = await guest.call("chat", {"consultation_id": cid, "text": "hi"}, timeout=5)
        assert chat["ok"] is False  # the chat is part of the record: patient and doctor only
    finally:
        await guest.disconnect()
    await wait_for(lambda: events_named(patient_socket, "guest:left"))
    stranger = socketio.AsyncClient(reconnection=False)
    with pytest.raises(socketio.exceptions.ConnectionError):
        await stranger.connect(url, auth={"guest_token": "x" * 32}, transports=["websocket"], wait_timeout=5)


async def test_a_lost_phone_is_changed_by_the_admin_only_with_the_right_id_number(people, make_client):
    patient = await verified_patient(people)
    admin = await people.staff("admin")
    wrong = await admin.post(f"/api/admin/users/{patient.id}/phone", json={"phone": "13711112222",
                                                                          "id_number": CHILD_ID})
    assert wrong.status == 422 and (await error_of(wrong))["code"] == "identity_mismatch"
    assert (await patient.post(f"/api/admin/users/{patient.id}/phone", json={
        "phone": "13711112222", "id_number": VALID_ID})).status == 403
    changed = await admin.post(f"/api/admin/users/{patient.id}/phone", json={"phone": "137 1111 2222",
                                                                            "id_number": VALID_ID})
    assert changed.status == 204
    assert (await patient.get("/api/me")).status == 401          # sessions on the lost phone end
    fresh = await make_client()
    assert (await fresh.post("/api/auth/login", json={"login": "13711112222", "password": PASSWORD})).status == 200
