"""Triage over HTTP with its governance: dependants, the 2026-12.1 body, version sign-off and handbook,
duty doctors' emergency list with outcomes, and doctors' feedback on triage per chart and version."""
from __future__ import annotations

from datetime import date, timedelta

from helpers import queued_patient
from server import triage

NEW_BODY = {"age_years": 30, "presentations": ["abdominal_pain"], "discriminators": {"acute_abdomen": "yes"}}


async def test_a_two_month_old_from_a_parents_account_is_triaged_at_their_own_age(people, db):
    parent = await people.patient(birth_date="1991-03-01", sex="female")
    born = (date.today() - timedelta(days=61)).isoformat()
    response = await parent.post("/api/me/dependants", json={"relation": "child", "birth_date": born, "sex": "male",
                                                                 "name": "宝宝"})
    assert response.status == 201, await response.text()
    baby = await response.json()
    listed = await (await parent.get("/api/me/dependants")).json()
    me = await (await parent.get("/api/triage/me")).json()
    assert me["birth_date"] == "1991-03-01" and [d["id"] for d in listed] == [baby["id"]]
    # The parent's own age in the body is replaced by the baby's.
    answers = {"age_years": 35, "presentations": ["fever"], "temperature_c": 38.2, "discriminators": {}}
    result = await (await parent.post("/api/triage/assessments",
                                      json={"answers": answers, "for_dependant_id": baby["id"]})).json()
    assert result["disposition"] == "emergency" and result["call"] == "tel:120"
    assert result["answers"]["age_years"] < 0.25 and result["answers"]["for_whom"] == "child"

    stranger = await people.patient()
    other = await stranger.post("/api/triage/assessments", json={"answers": answers, "for_dependant_id": baby["id"]})
    assert other.status == 404 and (await other.json())["error"]["field"] == "for_dependant_id"  # never confirmed to exist
    bad = await parent.post("/api/me/dependants", json={"relation": "child", "birth_date": "2999-01-01", "sex": "male",
                                                                "name": "x"})
    assert bad.status == 422 and (await bad.json())["error"]["field"] == "birth_date"
    async with db.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM assessments WHERE patient_id = $1", int(stranger.id)) == 0


async def test_new_answers_are_validated_naming_the_field(people):
    patient = await people.patient()
    cases = [({**NEW_BODY, "presentations": ["made_up"]}, "answers.presentations"),
             ({**NEW_BODY, "presentations": ["cough", "fever", "rash", "ear"]}, "answers.presentations"),
             ({**NEW_BODY, "discriminators": {"acute_abdomen": "maybe"}}, "answers.discriminators.acute_abdomen"),
             ({**NEW_BODY, "discriminators": {"no_such_question": "yes"}}, "answers.discriminators.no_such_question"),
             ({**NEW_BODY, "for_whom": "cat"}, "answers.for_whom")]
    for answers, field in cases:
        response = await patient.post("/api/triage/assessments", json={"answers": answers})
        assert response.status == 422, answers
        assert (await response.json())["error"]["field"] == field
    ok = await patient.post("/api/triage/assessments", json={"answers": NEW_BODY})
    assert ok.status == 201 and (await ok.json())["disposition"] == "emergency"


async def test_a_version_is_current_only_once_its_content_hash_is_signed_off(people, make_client):
    version = triage.QUESTIONNAIRE_VERSION
    client = await make_client()
    assert (await (await client.get("/api/triage/questionnaire")).json())["version"] == triage.LEGACY_VERSION
    patient = await people.patient()
    refused = await patient.post(f"/api/triage/versions/{version}/signoff", json={"content_hash": "0" * 64})
    assert refused.status == 403
    admin = await people.staff("admin", name="Dr. Lead")
    wrong = await admin.post(f"/api/triage/versions/{version}/signoff", json={"content_hash": "0" * 64})
    assert wrong.status == 422 and (await wrong.json())["error"]["field"] == "content_hash"
    assert (await (await client.get("/api/triage/questionnaire")).json())["version"] == triage.LEGACY_VERSION

    signed = await admin.post(f"/api/triage/versions/{version}/signoff",
                              json={"content_hash": triage.PUBLISHED[version], "note": "reviewed"})
    assert signed.status == 201 and (await signed.json())["signed_by"] == "Dr. Lead"
    current = await (await client.get("/api/triage/questionnaire")).json()
    assert current["version"] == version and current["presentations"] and current["discriminators"]
    assert (await (await client.get(f"/api/triage/questionnaire?version={triage.LEGACY_VERSION}")).json())["symptoms"]

    page = await admin.get(f"/triage/handbook?version={version}&lang=en")
    html = await page.text()
    assert page.status == 200 and triage.PUBLISHED[version] in html and "Dr. Lead" in html
    assert "Face drooping" in html and "NICE NG143" in html  # a discriminator and a cited source
    assert (await patient.get("/triage/handbook", allow_redirects=False)).status == 302


async def test_duty_doctors_see_emergencies_call_back_and_record_the_outcome(people):
    patient = await people.patient()
    result = await (await patient.post("/api/triage/assessments", json={"answers": {
        "age_years": 70, "presentations": ["stroke_signs"], "discriminators": {"face_droop": "yes"}}})).json()
    assert result["disposition"] == "emergency" and result["department"] == "internal"
    doctor = await people.doctor("internal")
    rows = await (await doctor.get("/api/doctor/emergencies")).json()
    mine = [r for r in rows if r["assessment_id"] == result["id"]]
    assert mine and mine[0]["call_back"] == f"tel:{patient.phone}" and mine[0]["outcome"] is None
    saved = await doctor.post(f"/api/doctor/emergencies/{result['id']}/outcome", json={"outcome": "reached_ed"})
    assert saved.status == 200
    rows = await (await doctor.get("/api/doctor/emergencies")).json()
    assert next(r for r in rows if r["assessment_id"] == result["id"])["outcome"] == "reached_ed"

    elsewhere = await people.doctor("dermatology")
    assert not [r for r in await (await elsewhere.get("/api/doctor/emergencies")).json()
                if r["assessment_id"] == result["id"]]
    assert (await elsewhere.post(f"/api/doctor/emergencies/{result['id']}/outcome",
                                 json={"outcome": "other"})).status == 404
    assert (await patient.get("/api/doctor/emergencies")).status == 403
    bad = await doctor.post(f"/api/doctor/emergencies/{result['id']}/outcome", json={"outcome": "fine"})
    assert bad.status == 422 and (await bad.json())["error"]["field"] == "outcome"


async def test_doctors_mark_triage_and_the_report_counts_it_per_chart_and_version(people):
    answers = {"age_years": 30, "presentations": ["cough"], "discriminators": {"breathless": "yes"}}
    patient, entry = await queued_patient(people, answers=answers)
    doctor = await people.doctor(entry["department"])
    consultation = await (await doctor.post("/api/doctor/claim", json={})).json()
    marked = await doctor.post(f"/api/consultations/{consultation['id']}/triage-feedback", json={"rating": "too_high"})
    assert marked.status == 200, await marked.text()
    other = await people.doctor(entry["department"])
    assert (await other.post(f"/api/consultations/{consultation['id']}/triage-feedback",
                             json={"rating": "right"})).status == 404
    assert (await patient.post(f"/api/consultations/{consultation['id']}/triage-feedback",
                               json={"rating": "right"})).status == 403
    admin = await people.staff("admin")
    report = await (await admin.get("/api/triage/feedback-report")).json()
    row = next(r for r in report if r["presentation"] == "cough")
    assert row["version"] == triage.QUESTIONNAIRE_VERSION and row["too_high"] == 1 and row["week"].startswith("20")


async def test_i_feel_worse_keeps_the_dependant_and_urgency_only_rises(people):
    parent = await people.patient()
    born = (date.today() - timedelta(days=3 * 365)).isoformat()
    child = await (await parent.post("/api/me/dependants", json={"relation": "child", "birth_date": born,
                                                                     "sex": "female", "name": "Mei"})).json()
    first = {"age_years": 3, "presentations": ["cough"], "discriminators": {"fast_breathing": "yes"}}
    assessment = await (await parent.post("/api/triage/assessments",
                                          json={"answers": first, "for_dependant_id": child["id"]})).json()
    assert assessment["disposition"] == "online_consult"
    entry = await (await parent.post("/api/queue", json={"assessment_id": assessment["id"]})).json()
    # Worse: the same answers plus a new one; the body's age is the parent's guess, the dependant's is used.
    worse = {**assessment["answers"], "age_years": 40, "discriminators": {**first["discriminators"],
                                                                          "chest_sucks_in": "unsure"}}
    result = await (await parent.post("/api/queue/me/reassess", json={"answers": worse})).json()
    assert result["assessment"]["disposition"] == "emergency"
    assert result["assessment"]["answers"]["age_years"] < 4 and result["entry"]["status"] == "escalated"
    assert entry["status"] == "waiting"
