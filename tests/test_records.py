"""The consultation record through the real API: drafts, the end, amendments, history, attachments,
the patient's summary, FHIR export, access and audit, ICD-10 search, and the admin's figures."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
import pytest

from helpers import queued_patient
from helpers.records import PDF, audit_rows, form, png_bytes
from server.accounts import service as auth

VITALS_ANSWERS = {"age_years": 41, "sex": "female", "symptoms": ["sore_throat", "cough"], "duration_days": 2,
                  "temperature_c": 37.9, "spo2": 98, "heart_rate": 88, "resp_rate": 16, "systolic_bp": 122}
DRAFT = {
    "soap": {"subjective": "咽痛两天，轻咳", "objective": "T 37.9, 咽部充血", "assessment": "急性咽炎",
             "plan": "对症治疗，多饮水"},
    "diagnoses": [{"code": "J02.9", "name": "未特指的急性咽炎"}],
    "medications": [{"drug": "对乙酰氨基酚", "dose": "500 mg", "frequency": "必要时，每日不超过4次", "days": 3}],
    "notes": "", "diagnosis": "", "disposition": "advice", "advice": "多饮温水，注意休息",
}


async def in_consultation(people, answers=None, department=None):
    """(patient, doctor, consultation id) with the doctor of the patient's department, in a confirmed follow-up."""
    patient, entry = await queued_patient(people, answers)
    doctor = await people.doctor(department=department or entry["department"])
    response = await doctor.post("/api/doctor/claim", json={})
    assert response.status == 201, await response.text()
    cid = (await response.json())["id"]
    await people.follow_up(patient, doctor, cid)  # the records here carry medications: a confirmed follow-up
    return patient, doctor, cid


# ---- drafts, the end, amendments ----------------------------------------------------------------

async def test_record_is_drafted_ended_read_back_and_amended_keeping_the_original(people, db):
    patient, doctor, cid = await in_consultation(people)

    first = await doctor.client.put(f"/api/consultations/{cid}/record", json={**DRAFT, "advice": "first"},
                                    headers={"X-CSRF-Token": doctor.csrf})
    assert first.status == 200, await first.text()
    second = await doctor.client.put(f"/api/consultations/{cid}/record", json=DRAFT,
                                     headers={"X-CSRF-Token": doctor.csrf})
    assert (await second.json())["revision"] == (await first.json())["revision"] + 1

    # The draft survives: a reloaded page (or another device) reads back the last save.
    record = await (await doctor.get(f"/api/consultations/{cid}/record")).json()
    assert record["state"] == "draft" and record["soap"] == DRAFT["soap"]
    assert record["diagnoses"] == DRAFT["diagnoses"] and record["medications"] == DRAFT["medications"]
    assert record["advice"] == DRAFT["advice"] and record["history"] == []
    assert (await patient.get(f"/api/consultations/{cid}/record")).status == 409  # not the patient's until the end

    # Ending with only part of the record takes the rest from the draft.
    ended = await doctor.post(f"/api/consultations/{cid}/end", json={"disposition": "follow_up_online"})
    assert ended.status == 200, await ended.text()
    consultation = await ended.json()
    assert consultation["status"] == "ended" and consultation["disposition"] == "follow_up_online"
    assert consultation["diagnosis"] == "未特指的急性咽炎 (J02.9)" and consultation["advice"] == DRAFT["advice"]
    assert "S: 咽痛两天，轻咳" in consultation["notes"]
    late = await doctor.client.put(f"/api/consultations/{cid}/record", json=DRAFT, headers={"X-CSRF-Token": doctor.csrf})
    assert late.status == 409

    record = await (await doctor.get(f"/api/consultations/{cid}/record")).json()
    assert record["state"] == "final" and record["disposition"] == "follow_up_online"
    assert record["original"]["diagnoses"] == DRAFT["diagnoses"] and record["amendments"] == []

    # Corrections are amendments: the current values change, the original stays.
    response = await doctor.post(f"/api/consultations/{cid}/amendments", json={
        "field": "diagnoses", "value": [{"code": "j03.9", "name": "未特指的急性扁桃体炎"}],
        "reason": "Tonsils were the main finding on review of the photo"})
    assert response.status == 201, await response.text()
    amendment = await response.json()
    assert amendment["old_value"] == DRAFT["diagnoses"]
    assert amendment["new_value"] == [{"code": "J03.9", "name": "未特指的急性扁桃体炎"}]
    assert amendment["author"]["id"] == doctor.id
    response = await doctor.post(f"/api/consultations/{cid}/amendments", json={
        "field": "advice", "value": "多饮温水，注意休息；三天不退热请复诊", "reason": "Added when to come back"})
    assert response.status == 201

    record = await (await patient.get(f"/api/consultations/{cid}/record")).json()
    assert record["diagnoses"][0]["code"] == "J03.9" and record["advice"].endswith("请复诊")
    assert record["original"]["diagnoses"] == DRAFT["diagnoses"] and record["original"]["advice"] == DRAFT["advice"]
    assert [(a["field"], a["reason"]) for a in record["amendments"]] == [
        ("diagnoses", "Tonsils were the main finding on review of the photo"), ("advice", "Added when to come back")]
    assert (await (await patient.get(f"/api/consultations/{cid}")).json())["advice"] == DRAFT["advice"]

    bad = await doctor.post(f"/api/consultations/{cid}/amendments",
                            json={"field": "disposition", "value": "magic", "reason": "x"})
    assert bad.status == 422 and (await bad.json())["error"]["field"] == "value"
    no_reason = await doctor.post(f"/api/consultations/{cid}/amendments", json={"field": "advice", "value": "y"})
    assert no_reason.status == 422 and (await no_reason.json())["error"]["field"] == "reason"
    assert (await patient.post(f"/api/consultations/{cid}/amendments",
                               json={"field": "advice", "value": "y", "reason": "x"})).status == 403

    # The database itself keeps the original and the amendments as written.
    async with db.acquire() as conn:
        for statement in ("UPDATE consultation_records SET advice = 'changed' WHERE consultation_id = $1",
                          "DELETE FROM consultation_records WHERE consultation_id = $1",
                          "UPDATE record_amendments SET reason = 'changed' WHERE consultation_id = $1",
                          "DELETE FROM record_amendments WHERE consultation_id = $1"):
            with pytest.raises((asyncpg.RaiseError, asyncpg.InsufficientPrivilegeError)):  # the role, then the trigger
                await conn.execute(statement, int(cid))


async def test_end_body_of_api_md_still_works_and_takes_structured_fields(people):
    patient, doctor, cid = await in_consultation(people)
    missing = await doctor.post(f"/api/consultations/{cid}/end", json={"disposition": "advice"})
    assert missing.status == 422 and (await missing.json())["error"]["field"] == "diagnosis"
    no_disposition = await doctor.post(f"/api/consultations/{cid}/end", json={"diagnosis": "Cold"})
    assert no_disposition.status == 422 and (await no_disposition.json())["error"]["field"] == "disposition"
    bad_code = await doctor.post(f"/api/consultations/{cid}/end", json={
        "diagnosis": "Cold", "disposition": "advice", "diagnoses": [{"code": "cold", "name": "Cold"}]})
    assert bad_code.status == 422 and (await bad_code.json())["error"]["field"] == "diagnoses[0].code"

    response = await doctor.post(f"/api/consultations/{cid}/end", json={
        "notes": "", "diagnosis": "", "disposition": "prescription", "advice": "Rest",
        "soap": {"subjective": "cough", "objective": "", "assessment": "", "plan": ""},
        "diagnoses": [{"code": "J00"}], "medications": [{"drug": "Loratadine", "dose": "10 mg",
                                                         "frequency": "once daily", "days": 5}]})
    assert response.status == 200, await response.text()
    assert (await response.json())["diagnosis"] == "Acute nasopharyngitis [common cold] (J00)"
    record = await (await doctor.get(f"/api/consultations/{cid}/record")).json()
    assert record["medications"][0]["days"] == 5 and record["soap"]["subjective"] == "cough"


async def test_the_doctor_sees_the_patients_earlier_consultations_only_while_seeing_them(people, db):
    patient, first_doctor, first = await in_consultation(people)
    assert (await first_doctor.post(f"/api/consultations/{first}/end", json={
        "diagnosis": "Common cold", "disposition": "advice", "advice": "Rest"})).status == 200

    answer = await (await patient.post("/api/triage/assessments", json={"answers": {
        "age_years": 34, "symptoms": ["cough"]}})).json()
    entry = await (await patient.post("/api/queue", json={"assessment_id": answer["id"]})).json()
    second_doctor = await people.doctor(department=entry["department"])
    second = (await (await second_doctor.post("/api/doctor/claim", json={})).json())["id"]

    record = await (await second_doctor.get(f"/api/consultations/{second}/record")).json()
    assert [(h["id"], h["diagnosis"]) for h in record["history"]] == [(first, "Common cold")]
    listed = await second_doctor.get(f"/api/patients/{patient.id}/consultations")
    assert listed.status == 200 and [h["id"] for h in await listed.json()] == [first]
    assert (await first_doctor.get(f"/api/patients/{patient.id}/consultations")).status == 403
    assert (await patient.get(f"/api/patients/{patient.id}/consultations")).status == 403

    reads = await audit_rows(db, action="patient.history_read", object_id=patient.id)
    assert [(r["actor_id"], r["allowed"]) for r in reads] == [
        (int(second_doctor.id), True), (int(second_doctor.id), True), (int(first_doctor.id), False)]


# ---- ICD-10 -------------------------------------------------------------------------------------

async def test_icd10_search_by_code_chinese_and_english(people, client):
    doctor = await people.doctor()

    async def search(q):
        response = await doctor.get("/api/icd10", params={"q": q})
        assert response.status == 200
        return [r["code"] for r in (await response.json())["results"]]

    assert (await search("J06"))[:2] == ["J06.0", "J06.9"]
    assert (await search("i10"))[0] == "I10"
    assert (await search("e119"))[0] == "E11.9"
    assert "I10" in await search("高血压")
    assert "J45.9" in await search("asthma")
    assert "J44.9" in await search("慢性阻塞性肺病")
    assert "B08.4" in await search("手足口病")
    assert len(await search("a")) == 20
    assert await search("zzzz-nothing") == []
    body = await (await doctor.get("/api/icd10", params={"q": "I10"})).json()
    assert body["results"][0] == {"code": "I10", "zh": "特发性（原发性）高血压", "en": "Essential (primary) hypertension"}
    assert body["system"] == "http://hl7.org/fhir/sid/icd-10"
    patient = await people.patient()
    assert (await patient.get("/api/icd10", params={"q": "I10"})).status == 403
    assert (await client.get("/api/icd10", params={"q": "I10"})).status == 401


def test_icd10_list_is_well_formed():
    from server.records import icd10
    codes = icd10.codes()
    assert len(codes) >= 300
    for code in ("I10", "E11.9", "J44.9", "J45.9", "J06.9", "N39.0", "O21.0", "R50.9", "S93.4", "F41.1", "L20.9"):
        assert code in codes
    assert all(icd10.valid_format(c) and entry.zh and entry.en for c, entry in codes.items())


# ---- attachments --------------------------------------------------------------------------------

async def test_attachments_are_checked_by_their_bytes_and_served_only_to_members(people, db):
    patient, doctor, cid = await in_consultation(people)
    url = f"/api/consultations/{cid}/attachments"

    good = await patient.post(url, data=form(png_bytes(), "throat.png", "image/png"))
    assert good.status == 201, await good.text()
    photo = await good.json()
    assert photo["content_type"] == "image/png" and photo["uploaded_by"] == "patient"
    pdf = await doctor.post(url, data=form(PDF, "lab result.pdf", "application/pdf"))
    assert pdf.status == 201

    en = {"Accept-Language": "en"}
    wrong_type = await patient.post(url, data=form(b"hello", "notes.txt", "text/plain"), headers=en)
    assert wrong_type.status == 415
    assert "JPEG or PNG images and PDF" in (await wrong_type.json())["error"]["message"]
    disguised = await patient.post(url, data=form(b"MZ\x90\x00 not really a pdf", "report.pdf", "application/pdf"),
                                   headers=en)
    assert disguised.status == 422
    error = (await disguised.json())["error"]
    assert error["code"] == "content_mismatch" and "not a JPEG, PNG or PDF" in error["message"]
    swapped = await patient.post(url, data=form(png_bytes(), "scan.pdf", "application/pdf"), headers=en)
    assert swapped.status == 422 and "it is a PNG image" in (await swapped.json())["error"]["message"]
    oversized = await patient.post(url, data=form(b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024), "big.pdf",
                                                  "application/pdf"), headers=en)
    assert oversized.status == 413 and "10 MB" in (await oversized.json())["error"]["message"]
    in_chinese = await patient.post(url, data=form(png_bytes(), "scan.pdf", "application/pdf"),
                                    headers={"Accept-Language": "zh-CN"})
    assert "类型不符" in (await in_chinese.json())["error"]["message"]

    listed = await (await doctor.get(url)).json()
    assert [a["filename"] for a in listed] == ["throat.png", "lab result.pdf"]
    download = await doctor.get(f"/api/attachments/{photo['id']}")
    assert download.status == 200 and await download.read() == png_bytes()
    assert download.headers["Content-Type"] == "image/png"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"

    refused = await audit_rows(db, action="attachment.create", allowed=False)
    assert [r["detail"]["reason"] for r in refused] == ["unsupported_type", "content_mismatch", "content_mismatch",
                                                        "file_too_large", "content_mismatch"]
    assert (await doctor.post(f"/api/consultations/{cid}/end", json={
        "diagnosis": "Pharyngitis", "disposition": "advice"})).status == 200
    late = await patient.post(url, data=form(png_bytes(), "late.png", "image/png"))
    assert late.status == 409
    assert (await patient.get(f"/api/attachments/{photo['id']}")).status == 200  # still theirs after the end


# ---- access and audit ---------------------------------------------------------------------------

async def test_strangers_are_refused_the_record_summary_files_and_export_and_every_access_is_audited(people, db):
    patient, doctor, cid = await in_consultation(people)
    upload = await patient.post(f"/api/consultations/{cid}/attachments", data=form(PDF, "r.pdf", "application/pdf"))
    attachment_id = (await upload.json())["id"]
    assert (await doctor.post(f"/api/consultations/{cid}/end", json={
        "diagnosis": "Pharyngitis", "disposition": "advice", "advice": "Fluids"})).status == 200

    async with db.acquire() as conn:
        org = await conn.fetchval("INSERT INTO organisations (name) VALUES ('Acme') RETURNING id")
    employer = await people.staff("employer", organisation_id=org)
    other_patient, other_doctor = await people.patient(), await people.doctor()
    paths = {"record.read": f"/api/consultations/{cid}/record", "summary.read": f"/api/consultations/{cid}/summary",
             "summary.page": f"/consultations/{cid}/summary", "attachment.list": f"/api/consultations/{cid}/attachments",
             "consultation.export_fhir": f"/api/consultations/{cid}/fhir"}
    for stranger in (other_patient, other_doctor, employer):
        for path in paths.values():
            response = await stranger.get(path, allow_redirects=False)
            assert response.status == 403, (stranger.user["role"], path, response.status)
        assert (await stranger.get(f"/api/attachments/{attachment_id}")).status == 403
    for member in (patient, doctor):
        for path in paths.values():
            assert (await member.get(path)).status == 200, path
        assert (await member.get(f"/api/attachments/{attachment_id}")).status == 200

    for action in paths:
        rows = await audit_rows(db, action=action, object_type="consultation", object_id=cid)
        assert {(str(r["actor_id"]), r["allowed"]) for r in rows} == {
            (other_patient.id, False), (other_doctor.id, False), (employer.id, False),
            (patient.id, True), (doctor.id, True)}, action
        assert all(r["ip"] == "127.0.0.1" for r in rows)
    rows = await audit_rows(db, action="attachment.read", object_id=attachment_id)
    assert {(str(r["actor_id"]), r["allowed"]) for r in rows} == {
        (other_patient.id, False), (other_doctor.id, False), (employer.id, False),
        (patient.id, True), (doctor.id, True)}


async def test_admin_lists_and_filters_the_audit_log(people):
    patient, doctor, cid = await in_consultation(people)
    stranger = await people.patient()
    assert (await stranger.get(f"/api/consultations/{cid}/record")).status == 403
    admin = await people.staff("admin")
    response = await admin.get("/api/admin/audit", params={"object_type": "consultation", "object_id": cid,
                                                           "allowed": "false"})
    assert response.status == 200
    entries = (await response.json())["entries"]
    assert [(e["actor_id"], e["action"]) for e in entries] == [(stranger.id, "record.read")]
    mine = (await (await admin.get("/api/admin/audit", params={"actor_id": doctor.id})).json())["entries"]
    assert mine and all(e["actor_id"] == doctor.id for e in mine)
    assert (await admin.get("/api/admin/audit", params={"allowed": "maybe"})).status == 422
    assert (await doctor.get("/api/admin/audit")).status == 403


async def test_audit_log_refuses_update_delete_and_truncate(db):
    async with db.acquire() as conn:
        await conn.execute("INSERT INTO audit_log (action, object_type, allowed) VALUES ('test.write', 'test', true)")
        for statement in ("UPDATE audit_log SET allowed = false", "DELETE FROM audit_log", "TRUNCATE audit_log"):
            with pytest.raises((asyncpg.RaiseError, asyncpg.InsufficientPrivilegeError)):  # the role, then the trigger
                await conn.execute(statement)
        assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'test.write' AND allowed") == 1


# ---- the patient's summary ----------------------------------------------------------------------

async def test_summary_in_the_patients_language_with_next_steps_and_history_page(people):
    patient, doctor, cid = await in_consultation(people)
    assert (await patient.get(f"/api/consultations/{cid}/summary")).status == 409
    assert (await doctor.post(f"/api/consultations/{cid}/end", json={**DRAFT, "disposition": "fever_clinic"})).status == 200

    zh = await (await patient.get(f"/api/consultations/{cid}/summary", params={"lang": "zh"})).json()
    assert zh["diagnoses"] == [{"code": "J02.9", "name": "未特指的急性咽炎"}]
    assert zh["disposition"] == {"code": "fever_clinic", "text": "前往发热门诊"}
    assert any("发热门诊" in step for step in zh["next_steps"]) and any("120" in s for s in zh["next_steps"])
    assert zh["medications"] == DRAFT["medications"] and zh["advice"] == DRAFT["advice"]
    en = await (await patient.get(f"/api/consultations/{cid}/summary", params={"lang": "en"})).json()
    assert en["diagnoses"] == [{"code": "J02.9", "name": "Acute pharyngitis, unspecified"}]
    assert any("fever clinic" in step for step in en["next_steps"]) and en["amended"] is False

    page = await patient.get(f"/consultations/{cid}/summary")
    assert page.status == 200 and "summary-page.js" in await page.text()
    history = await patient.get("/patient/history")
    assert history.status == 200
    listed = await (await patient.get("/api/consultations/history")).json()
    assert [c["id"] for c in listed] == [cid]
    mine = await (await doctor.get("/api/consultations/history")).json()
    assert [(c["id"], c["patient"]) for c in mine] == [(cid, patient.user["name"])] and "doctor" not in mine[0]
    other_doctor = await people.doctor()
    assert await (await other_doctor.get("/api/consultations/history")).json() == []


# ---- admin figures ------------------------------------------------------------------------------

@pytest.mark.slow
async def test_admin_stats_for_a_known_data_set(people, db):
    async with db.acquire() as conn:
        day0 = await conn.fetchval("SELECT date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'")
        doctor = await auth.create_user(conn, role="doctor", name="Dr Stats", email="stats@test.clinic",
                                        password="test-password-1", department="internal")

        async def consultation(department, start, wait, length=None, diagnosis=None, rating=None,
                               interrupted=False, quality=()):
            patient = await auth.create_user(conn, role="patient", name="P", phone=f"1370000{consultation.n:04d}",
                                             password="test-password-1")
            consultation.n += 1
            aid = await conn.fetchval(
                "INSERT INTO assessments (patient_id, questionnaire_version, answers, level, disposition, department,"
                " result) VALUES ($1, 'test', '{}', 4, 'online_consult', $2, '{}') RETURNING id", patient["id"], department)
            eid = await conn.fetchval(
                "INSERT INTO queue_entries (patient_id, assessment_id, department, level, status, enqueued_at, due_at)"
                " VALUES ($1, $2, $3, 4, 'done', $4, $4) RETURNING id", patient["id"], aid, department,
                start - timedelta(minutes=wait))
            cid = await conn.fetchval(
                "INSERT INTO consultations (entry_id, patient_id, doctor_id, department, started_at)"
                " VALUES ($1, $2, $3, $4, $5) RETURNING id", eid, patient["id"], doctor["id"], department, start)
            if interrupted:
                await conn.execute("UPDATE consultations SET status = 'interrupted' WHERE id = $1", cid)
                await conn.execute("UPDATE consultations SET status = 'active' WHERE id = $1", cid)
            if length is not None:
                await conn.execute("UPDATE consultations SET status = 'ended', ended_at = $2, diagnosis = $3,"
                                   " rating = $4 WHERE id = $1", cid, start + timedelta(minutes=length), diagnosis, rating)
            for loss, rtt in quality:
                await conn.execute("INSERT INTO call_quality (consultation_id, user_id, role, packet_loss_pct, rtt_ms)"
                                   " VALUES ($1, $2, 'doctor', $3, $4)", cid, doctor["id"], loss, rtt)
        consultation.n = 0

        today = day0 + timedelta(hours=1)
        await consultation("internal", today, wait=10, length=20, diagnosis="Cold", rating=5, quality=[(1.0, 80)])
        await consultation("internal", today, wait=30, length=10, diagnosis="Flu", rating=3, interrupted=True,
                           quality=[(0.5, 90), (2.0, 650)])
        await consultation("internal", today, wait=5, length=1)  # ended without a record: patient never came
        await consultation("dermatology", day0 - timedelta(hours=20), wait=40, length=15, diagnosis="Eczema",
                           rating=4, quality=[(12.0, 50)])
        await consultation("internal", day0 - timedelta(days=30), wait=1, length=1, diagnosis="Old", rating=1)
        await consultation("internal", today, wait=50)  # still going (a doctor has one open at a time: last)

    admin = await people.staff("admin")
    response = await admin.get("/api/admin/stats", params={"days": "2", "tz": "UTC"})
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["day_list"] == [(day0 - timedelta(days=1)).date().isoformat(), day0.date().isoformat()]
    departments = {d["department"]: d for d in body["departments"]}
    assert set(departments) == {"internal", "dermatology"}
    internal = departments["internal"]["days"]
    assert len(internal) == 1 and internal[0]["day"] == day0.date().isoformat()
    figures = internal[0]
    assert (figures["claimed"], figures["ended"], figures["completed"]) == (4, 3, 2)
    assert figures["completion_rate"] == 0.5
    assert (figures["ratings"], figures["rating_avg"]) == (2, 4.0)
    assert figures["wait_median_minutes"] == 20.0  # 5, 10, 30, 50
    assert figures["wait_p90_minutes"] == 44.0     # 30 + 0.7 * (50 - 30)
    assert figures["length_median_minutes"] == 10.0  # 1, 10, 20
    assert figures["length_p90_minutes"] == 18.0     # 10 + 0.8 * (20 - 10)
    assert (figures["calls_reported"], figures["poor_quality_calls"], figures["interrupted"]) == (2, 1, 1)
    assert departments["internal"]["total"]["claimed"] == 4
    derm = departments["dermatology"]["days"][0]
    assert derm["day"] == (day0 - timedelta(days=1)).date().isoformat()
    assert (derm["completed"], derm["poor_quality_calls"], derm["wait_median_minutes"]) == (1, 1, 40.0)

    one_day = await (await admin.get("/api/admin/stats", params={"days": "1", "tz": "UTC"})).json()
    assert [d["department"] for d in one_day["departments"]] == ["internal"]
    assert (await admin.get("/api/admin/stats", params={"days": "0"})).status == 422
    assert (await admin.get("/api/admin/stats", params={"tz": "Mars/Olympus"})).status == 422
    doctor_person = await people.doctor()
    assert (await doctor_person.get("/api/admin/stats")).status == 403
    default = await (await admin.get("/api/admin/stats")).json()
    assert default["days"] == 14 and default["tz"] == "Asia/Shanghai"


async def test_a_dropped_draft_save_is_safe_to_repeat(people):
    """Autosave may send the same draft twice (a retry after a dropped connection): both succeed."""
    _, doctor, cid = await in_consultation(people)
    results = await asyncio.gather(*(doctor.client.put(f"/api/consultations/{cid}/record", json=DRAFT,
                                                       headers={"X-CSRF-Token": doctor.csrf}) for _ in range(3)))
    assert [r.status for r in results] == [200, 200, 200]
    record = await (await doctor.get(f"/api/consultations/{cid}/record")).json()
    assert record["revision"] == 3 and record["soap"] == DRAFT["soap"]
    anonymous_put = await doctor.client.put(f"/api/consultations/{cid}/record", json=DRAFT)
    assert anonymous_put.status == 403  # no CSRF token


# ---- the pages, in headless Chromium ------------------------------------------------------------

async def _sign_in(browser, base, login):
    from helpers.browser import new_page
    page = await new_page(browser, base)
    await page.goto("/")
    form = page.locator("#login-form")
    await form.locator("[name=login]").fill(login)
    await form.locator("[name=password]").fill("test-password-1")
    await form.locator("button[type=submit]").click()
    await page.wait_for_load_state("networkidle")
    return page


@pytest.mark.browser
async def test_record_panel_autosaves_codes_and_ends_then_summary_and_admin_pages(server, people):
    from playwright.async_api import async_playwright

    from helpers.browser import launch
    base = f"http://127.0.0.1:{server.port}"
    patient, doctor, cid = await in_consultation(people)
    admin = await people.staff("admin")
    async with async_playwright() as pw:
        browser = await launch(pw)
        try:
            page = await _sign_in(browser, base, people.emails[doctor.id])
            await page.wait_for_selector("#step-call:not([hidden])")
            form = page.locator("#record-form")
            await form.locator("[name=subjective]").fill("Sore throat for two days")
            await page.locator("#icd10-query").fill("J06.9")
            await page.locator("#icd10-results .icd10-pick").first.click()
            assert "J06.9" in await page.locator("#record-diagnoses").text_content()
            assert await form.locator("[name=diagnosis]").input_value() == "Acute upper respiratory infection, unspecified"
            await page.locator("#add-medication").click()
            await page.locator("#medication-rows .med-drug").fill("Paracetamol")
            await page.locator("#medication-rows .med-dose").fill("500 mg")
            await page.locator("#medication-rows .med-days").fill("3")
            await page.wait_for_selector("#draft-status[data-state=draft_saved]")

            saved = await (await doctor.get(f"/api/consultations/{cid}/record")).json()
            assert saved["soap"]["subjective"] == "Sore throat for two days"
            assert saved["diagnoses"] == [{"code": "J06.9", "name": "Acute upper respiratory infection, unspecified"}]
            assert saved["medications"] == [{"drug": "Paracetamol", "dose": "500 mg", "frequency": "", "days": 3}]

            await page.reload()  # the draft comes back after a reload
            await page.wait_for_function(
                "document.querySelector('#record-form [name=subjective]').value === 'Sore throat for two days'")
            assert await page.locator("#medication-rows .med-drug").input_value() == "Paracetamol"
            assert "J06.9" in await page.locator("#record-diagnoses").text_content()

            await form.locator("[name=disposition]").select_option("referral")
            await form.locator("[name=advice]").fill("See the ENT clinic this week")
            await form.locator("button[type=submit]").click()
            await page.wait_for_selector("#step-call", state="hidden")
            ended = await (await doctor.get(f"/api/consultations/{cid}/record")).json()
            assert ended["state"] == "final" and ended["disposition"] == "referral"
            assert ended["diagnoses"][0]["code"] == "J06.9" and ended["medications"][0]["days"] == 3

            await page.goto(f"/consultations/{cid}/summary")  # the doctor corrects the advice
            await page.wait_for_selector("#amend-section:not([hidden])")
            amend = page.locator("#amend-form")
            await amend.locator("[name=field]").select_option("advice")
            assert await amend.locator("[name=value]").input_value() == "See the ENT clinic this week"
            await amend.locator("[name=value]").fill("See the ENT clinic within three days")
            await amend.locator("[name=reason]").fill("Earlier review is safer")
            await amend.locator("button[type=submit]").click()
            await page.wait_for_selector("#amendment-list li:has-text('Earlier review is safer')")
            assert await page.locator("#summary-advice").text_content() == "See the ENT clinic within three days"

            patient_page = await _sign_in(browser, base, patient.phone)
            await patient_page.goto(f"/consultations/{cid}/summary")
            await patient_page.wait_for_selector("#summary-next-steps li")
            assert await patient_page.locator("#summary-diagnosis").text_content() == \
                "Acute upper respiratory infection, unspecified"
            assert "Paracetamol" in await patient_page.locator("#summary-medications").text_content()
            assert await patient_page.locator("#summary-advice").text_content() == "See the ENT clinic within three days"
            assert await patient_page.locator("#amend-section").count() == 0
            await patient_page.goto("/patient/history")
            await patient_page.wait_for_selector(f"#history-table a[href='/consultations/{cid}/summary']")

            admin_page = await _sign_in(browser, base, people.emails[admin.id])
            await admin_page.wait_for_selector("#stats-charts svg")
            assert await admin_page.locator("#stats-charts svg").count() == 9
            await admin_page.wait_for_selector("#audit-rows tr")
            await admin_page.locator("#audit-form [name=object_id]").fill(cid)
            await admin_page.locator("#audit-form [name=object_type]").select_option("consultation")
            await admin_page.locator("#audit-form button").click()
            await admin_page.wait_for_selector("#audit-rows tr:has-text('Read a record')")  # the action in words
        finally:
            await browser.close()
