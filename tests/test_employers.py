"""Employers through the real HTTP API and database: staff import, invitations, screening, privacy."""
from __future__ import annotations

import hashlib
import time
from datetime import datetime, timedelta

import aiohttp
import pytest

from helpers import PASSWORD, Person

ENGLISH_CSV = ("employee_ref,name,phone,email,department\r\n"
               "E001,Alice Wang,13800000001,alice@corp.cn,Sales\r\n"
               "E002,Bob Li,+86 138-0000-0002,,Ops\r\n")
CHINESE_CSV = ("工号,姓名,手机号,邮箱,部门\r\n"
               "C001,张三,13800000011,zhangsan@corp.cn,销售部\r\n"
               "C002,李四,13800000012,,研发部\r\n")


# ---- helpers -------------------------------------------------------------------------------------

@pytest.fixture
async def admin(people):
    return await people.staff("admin")


@pytest.fixture
def organisation(admin, make_client):
    """Factory: an organisation and its first employer, both made through the admin API; returns the signed-in employer."""
    async def make(name: str) -> Person:
        response = await admin.post("/api/admin/organisations", json={"name": name})
        assert response.status == 201, await response.text()
        org = await response.json()
        email = f"boss-{org['id']}@test.clinic"
        response = await admin.post("/api/admin/users", json={
            "role": "employer", "name": f"Boss of {name}", "email": email, "password": PASSWORD,
            "organisation_id": org["id"]})
        assert response.status == 201, await response.text()
        return await sign_in(make_client, email)
    return make


async def sign_in(make_client, login: str, password: str = PASSWORD) -> Person:
    client = await make_client()
    response = await client.post("/api/auth/login", json={"login": login, "password": password})
    assert response.status == 200, await response.text()
    body = await response.json()
    return Person(client, body["user"], body["csrf_token"])


async def upload(person: Person, data: bytes | str, filename: str = "staff.csv", content_type: str = "text/csv",
                 headers: dict | None = None):
    form = aiohttp.FormData()
    form.add_field("file", data.encode("utf-8") if isinstance(data, str) else data, filename=filename,
                   content_type=content_type)
    return await person.post("/api/employer/staff/import", data=form, headers=headers)


async def imported(person: Person, data: bytes | str, **kw) -> dict:
    response = await upload(person, data, **kw)
    assert response.status == 200, await response.text()
    return await response.json()


async def staff_of(person: Person, query: str = "") -> dict[str, dict]:
    response = await person.get("/api/employer/staff" + query)
    assert response.status == 200, await response.text()
    return {s["employee_ref"]: s for s in await response.json()}


async def invite(employer: Person, refs: list[str] | None = None) -> dict[str, str]:
    """Issue links; return employee_ref -> token."""
    response = await employer.post("/api/employer/staff/invitations", json={"employee_refs": refs} if refs else {})
    assert response.status == 201, await response.text()
    return {item["employee_ref"]: item["url"].rsplit("/invite/", 1)[1] for item in await response.json()}


async def linked_patient(people, employer: Person, ref: str = "S001", name: str = "Staff Member") -> Person:
    """A registered patient enrolled by `employer` under `ref` who accepted the invitation."""
    patient = await people.patient(name=name)
    await imported(employer, f"employee_ref,name,phone\n{ref},{name},{patient.phone}\n")
    token = (await invite(employer, [ref]))[ref]
    response = await patient.post(f"/api/invitations/{token}/accept")
    assert response.status == 201, await response.text()
    return patient


async def screen(patient: Person, answers: dict, status: int = 201) -> dict:
    response = await patient.post("/api/screenings", json={"answers": answers})
    assert response.status == status, await response.text()
    return await response.json()


# ---- CSV import ----------------------------------------------------------------------------------

async def test_import_reads_utf8_bom_and_gbk_files_with_english_or_chinese_headers(organisation):
    employer = await organisation("Acme")
    assert await imported(employer, ENGLISH_CSV) == {"created": 2, "updated": 0, "unchanged": 0, "errors": []}
    bom = await imported(employer, b"\xef\xbb\xbf" + CHINESE_CSV.encode("utf-8"))
    assert (bom["created"], bom["errors"]) == (2, [])
    gbk_file = "工号,姓名,手机,部门\r\nG001,王五,13800000021,市场部\r\nG002,赵六,13800000022,财务部\r\n".encode("gbk")
    gbk = await imported(employer, gbk_file, content_type="application/vnd.ms-excel")
    assert (gbk["created"], gbk["errors"]) == (2, [])
    mixed = "Employee ID,Name,Mobile,E-mail,Dept\nM001,Carol,13800000031,carol@corp.cn,Legal\n"
    assert (await imported(employer, mixed))["created"] == 1

    staff = await staff_of(employer)
    assert set(staff) == {"E001", "E002", "C001", "C002", "G001", "G002", "M001"}
    assert (staff["G001"]["name"], staff["G001"]["department"]) == ("王五", "市场部")
    assert (staff["C001"]["name"], staff["C001"]["department"]) == ("张三", "销售部")
    assert staff["E002"]["status"] == "pending" and staff["E002"]["bound"] is False and staff["E002"]["invited"] is False


async def test_bad_rows_are_listed_by_line_and_field_and_good_rows_still_land(organisation):
    employer = await organisation("Acme")
    lines = [
        "工号,姓名,手机号,邮箱,部门",                      # line 1: header
        "A1,甲,13800000101,,\"Sales\nNorth\"",            # lines 2-3: a quoted department spanning two lines
        "A2,,13800000102,,",                               # 4: name missing
        "A3,丙,12345,,",                                   # 5: bad phone
        "A1,丁,13800000104,,",                             # 6: employee id repeats line 2
        "A5,戊,13800000101,,",                             # 7: phone repeats line 2
        ",己,13800000106,,",                               # 8: employee id missing
        "A7,庚,13800000107,not-an-email,",                 # 9: bad email
        ",,,,",                                            # 10: blank line from Excel: skipped
        "A8,辛,13800000108,,",                             # 11: good
    ]
    answer = await imported(employer, "\r\n".join(lines) + "\r\n")
    assert answer["created"] == 2
    assert sorted((e["row"], e["field"]) for e in answer["errors"]) == [
        (4, "name"), (5, "phone"), (6, "employee_ref"), (7, "phone"), (8, "employee_ref"), (9, "email")]
    assert all(e["message"] for e in answer["errors"])
    assert "2" in next(e["message"] for e in answer["errors"] if e["row"] == 6)  # names the earlier line
    staff = await staff_of(employer)
    assert set(staff) == {"A1", "A8"}
    assert staff["A1"]["department"] == "Sales\nNorth"


async def test_reupload_changes_nothing_and_an_updated_file_updates_by_employee_id(organisation, db):
    employer = await organisation("Acme")
    assert (await imported(employer, ENGLISH_CSV))["created"] == 2
    again = await imported(employer, ENGLISH_CSV)
    assert again == {"created": 0, "updated": 0, "unchanged": 2, "errors": []}
    async with db.acquire() as conn:
        stamp = await conn.fetchval("SELECT max(updated_at) FROM enrollments")

    changed = ENGLISH_CSV.replace("Alice Wang,13800000001", "Alice Zhang,13800000009") + "E003,Dan,13800000003,,\r\n"
    answer = await imported(employer, changed)
    assert (answer["created"], answer["updated"], answer["unchanged"]) == (1, 1, 1)
    staff = await staff_of(employer)
    assert staff["E001"]["name"] == "Alice Zhang" and set(staff) == {"E001", "E002", "E003"}
    async with db.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM enrollments") == 3
        assert await conn.fetchval("SELECT phone FROM enrollments WHERE employee_ref = 'E001'") == "13800000009"
        assert await conn.fetchval("SELECT updated_at FROM enrollments WHERE employee_ref = 'E002'") <= stamp


async def test_wrong_files_are_refused_with_a_clear_message_naming_the_file(organisation, db):
    employer = await organisation("Acme")
    cases = [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png", 422),
        (b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 64, "application/octet-stream", 422),  # an .xlsx
        (b"employee_ref,name,phone\n\x00\x01\x02\x03binary", "text/csv", 422),
        (b"", "text/csv", 422),
        (b"name,phone\nAlice,13800000001\n", "text/csv", 422),  # no employee id column
    ]
    for data, content_type, status in cases:
        response = await upload(employer, data, content_type=content_type)
        assert response.status == status, (data[:10], await response.text())
        error = (await response.json())["error"]
        assert error["field"] == "file" and error["message"], error
    workbook = await upload(employer, b"PK\x03\x04" + b"\x00" * 64, filename="staff.xlsx",
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "CSV" in (await workbook.json())["error"]["message"]

    too_big = ENGLISH_CSV.encode() + b"X" * (5 * 1024 * 1024 + 10)
    response = await upload(employer, too_big)
    assert response.status == 413
    error = (await response.json())["error"]
    assert error["field"] == "file" and "5 MB" in error["message"]

    no_file = await employer.post("/api/employer/staff/import", json={"file": "x"})
    assert no_file.status == 422 and (await no_file.json())["error"]["field"] == "file"
    async with db.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM enrollments") == 0


async def test_ten_thousand_rows_import_in_seconds(organisation):
    employer = await organisation("Big Co")
    rows = "".join(f"E{i:05d},Person {i},138{i:08d},p{i}@big.cn,Dept {i % 40}\n" for i in range(10_000))
    data = "employee_ref,name,phone,email,department\n" + rows
    started = time.perf_counter()
    first = await imported(employer, data)
    elapsed = time.perf_counter() - started
    assert (first["created"], first["errors"]) == (10_000, [])
    assert elapsed < 10, f"10,000 rows took {elapsed:.1f}s"
    again = await imported(employer, data)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 10_000)
    listed, path = 0, "/api/employer/staff?limit=1000"
    while path:  # the list comes in pages (tests/test_employer_staff_pages.py)
        response = await employer.get(path)
        listed += len(await response.json())
        path = response.links["next"]["url"].path_qs if "next" in response.links else None
    assert listed == 10_000


# ---- invitations ---------------------------------------------------------------------------------

async def test_a_new_person_registers_through_the_invitation_and_is_linked(organisation, client, make_client, db):
    employer = await organisation("Acme")
    await imported(employer, ENGLISH_CSV)
    response = await employer.post("/api/employer/staff/invitations", json={})
    assert response.status == 201
    issued = {i["employee_ref"]: i for i in await response.json()}
    assert set(issued) == {"E001", "E002"}
    item = issued["E001"]
    assert item["name"] == "Alice Wang" and "/invite/" in item["url"]
    expires = datetime.fromisoformat(item["expires_at"])
    assert timedelta(days=13) < expires - datetime.now(expires.tzinfo) <= timedelta(days=14)
    token = item["url"].rsplit("/", 1)[1]
    async with db.acquire() as conn:  # only the hash is kept
        stored = await conn.fetch("SELECT row_to_json(i)::text AS r, token_hash FROM invitations i")
    assert hashlib.sha256(token.encode()).digest() in {r["token_hash"] for r in stored}
    assert not any(token in r["r"] for r in stored)

    page = await client.get(f"/invite/{token}")
    html = await page.text()
    assert page.status == 200 and "Acme" in html and 'value="13800000001"' in html
    info = await (await client.get(f"/api/invitations/{token}")).json()
    assert info["organisation"] == "Acme" and info["phone"] == "13800000001"

    newcomer = await make_client()
    signup = {"phone": info["phone"], "password": PASSWORD, "name": "Alice Wang", "birth_date": "1990-01-01",
              "consents": ["health_data"]}
    # Registering from a link that is not one is refused like the link itself, and makes no account.
    response = await newcomer.post("/api/auth/register", json={**signup, "invitation": "x" * 43})
    assert response.status == 404 and (await response.json())["error"]["code"] == "invitation_not_found"
    async with db.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM users WHERE phone = $1", info["phone"]) == 0
    # The invitation page sends its link with the registration (limited per link, not per office address).
    response = await newcomer.post("/api/auth/register", json={**signup, "invitation": token})
    assert response.status == 201
    csrf = (await response.json())["csrf_token"]
    accepted = await newcomer.post(f"/api/invitations/{token}/accept", headers={"X-CSRF-Token": csrf})
    assert accepted.status == 201, await accepted.text()
    assert (await accepted.json())["organisation"] == "Acme"
    links = await (await newcomer.get("/api/me/employers")).json()
    assert [(link["organisation"], link["employee_ref"]) for link in links] == [("Acme", "E001")]
    staff = await staff_of(employer)
    assert staff["E001"]["bound"] is True and staff["E001"]["invited"] is True and staff["E001"]["status"] == "pending"

    # The link is single-use, for the same person and for anyone else.
    again = await newcomer.post(f"/api/invitations/{token}/accept", headers={"X-CSRF-Token": csrf})
    assert again.status == 409
    error = (await again.json())["error"]
    assert error["code"] == "invitation_used" and "已被使用" in error["message"]  # no Accept-Language: Chinese
    assert (await client.get(f"/invite/{token}")).status == 409
    # Links issued again go only to people not linked yet.
    assert set(await invite(employer)) == {"E002"}


async def test_an_existing_patient_signs_in_and_accepts(organisation, people, make_client):
    employer = await organisation("Acme")
    patient = await people.patient(name="Existing Person")
    await imported(employer, f"工号,姓名,手机号\nX1,Existing Person,{patient.phone}\n")
    token = (await invite(employer))["X1"]
    signed_in = await sign_in(make_client, patient.phone)  # as on the invitation page's sign-in form
    page = await signed_in.get(f"/invite/{token}")
    assert page.status == 200 and 'id="accept-invite"' in await page.text()
    response = await signed_in.post(f"/api/invitations/{token}/accept")
    assert response.status == 201, await response.text()
    assert (await staff_of(employer))["X1"]["bound"] is True
    assert len(await (await patient.get("/api/me/employers")).json()) == 1


async def test_expired_used_and_unknown_invitations_are_refused_clearly(organisation, people, client, db):
    employer = await organisation("Acme")
    await imported(employer, ENGLISH_CSV)
    tokens = await invite(employer)
    async with db.acquire() as conn:
        await conn.execute("UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE token_hash = $1",
                           hashlib.sha256(tokens["E001"].encode()).digest())
    patient = await people.patient()
    expired = await patient.post(f"/api/invitations/{tokens['E001']}/accept", headers={"Accept-Language": "en"})
    assert expired.status == 410
    error = (await expired.json())["error"]
    assert error["code"] == "invitation_expired" and "expired" in error["message"]
    page = await client.get(f"/invite/{tokens['E001']}", headers={"Accept-Language": "zh-CN"})
    assert page.status == 410 and "过期" in await page.text()

    unknown = await patient.post("/api/invitations/" + "x" * 43 + "/accept")
    assert unknown.status == 404 and (await unknown.json())["error"]["code"] == "invitation_not_found"
    assert (await client.get("/invite/nope")).status == 404

    # Anyone but a signed-in patient is refused before the token is looked at.
    assert (await client.post(f"/api/invitations/{tokens['E002']}/accept")).status == 401
    assert (await employer.post(f"/api/invitations/{tokens['E002']}/accept")).status == 403
    assert (await staff_of(employer))["E002"]["bound"] is False


# ---- privacy -------------------------------------------------------------------------------------

async def test_an_employer_sees_only_its_own_organisation(organisation, people, client):
    acme = await organisation("Acme")
    other = await organisation("Other Co")
    await imported(acme, ENGLISH_CSV)
    await imported(other, "employee_ref,name,phone\nB001,Bea,13900000001\n")

    assert set(await staff_of(acme)) == {"E001", "E002"}
    assert set(await staff_of(acme, f"?organisation_id={other.user['organisation_id']}")) == {"E001", "E002"}
    assert set(await staff_of(other)) == {"B001"}
    assert (await acme.get("/api/employer/staff/B001")).status == 404
    assert (await acme.get("/api/employer/staff/E001")).status == 200
    foreign = await acme.post("/api/employer/staff/invitations", json={"employee_refs": ["B001"]})
    assert foreign.status == 404 and (await foreign.json())["error"]["field"] == "employee_refs"
    summary = await (await acme.get("/api/employer/summary")).json()
    assert summary["counts"]["total"] == 2
    assert "B001" not in await (await acme.get("/api/employer/staff.csv")).text()

    patient = await people.patient()
    doctor = await people.doctor()
    for person in (patient, doctor):
        assert (await person.get("/api/employer/staff")).status == 403
        assert (await person.get("/api/employer/summary")).status == 403
        assert (await person.post("/api/employer/staff/invitations", json={})).status == 403
        assert (await upload(person, ENGLISH_CSV)).status == 403
    assert (await client.get("/api/employer/staff")).status == 401
    assert (await client.get("/api/employer/staff.csv")).status == 401
    assert (await acme.post("/api/screenings", json={"answers": {}})).status == 403


async def test_no_employer_answer_ever_contains_answers_symptoms_or_temperatures(organisation, people, db):
    employer = await organisation("Acme")
    patient = await linked_patient(people, employer, "S001", "Staff Member")
    free_text = "my knee hurts after the marathon"
    result = await screen(patient, {"age_years": 35, "symptoms": ["cough"], "temperature_c": 38.6,
                                    "free_text": free_text})
    assert result["result"] == "not_cleared" and result["valid_until"] is None
    assert result["assessment"]["department"] == "internal"
    await imported(employer, "employee_ref,name,phone,department\nS002,Other Person,13700000002,Sales\n")

    bodies = {}
    for lang in ("en", "zh-CN"):
        headers = {"Accept-Language": lang}
        for path in ("/api/employer/staff", "/api/employer/staff?status=not_cleared", "/api/employer/staff/S001",
                     "/api/employer/staff.csv", "/api/employer/summary"):
            response = await employer.get(path, headers=headers)
            assert response.status == 200, path
            bodies[f"GET {path} {lang}"] = await response.text()
        response = await employer.post("/api/employer/staff/invitations", json={}, headers=headers)
        bodies[f"invitations {lang}"] = await response.text()
        response = await upload(employer, f"employee_ref,name,phone\nS001,Staff Member,{patient.phone}\n,x,1\n",
                                headers=headers)
        bodies[f"import {lang}"] = await response.text()
    response = await employer.post("/api/employer/colleagues", json={
        "name": "Colleague", "email": "colleague@acme.cn", "password": PASSWORD})
    assert response.status == 201
    bodies["colleagues"] = await response.text()

    assert "not_cleared" in bodies["GET /api/employer/staff/S001 en"]
    forbidden = ["cough", "咳嗽", "38.6", "temperature", "体温", free_text, "internal", "内科", '"level"', "disposition",
                 "red_flags", "reasons", "instruction", "answers", "assessment", "symptom"]
    for name, body in bodies.items():
        for word in forbidden:
            assert word not in body, f"{word!r} leaked in {name}"

    async with db.acquire() as conn:
        actions = {r["action"] for r in await conn.fetch("SELECT action FROM audit_log")}
    assert {"screening.create", "assessment.create", "screening_status.read", "staff.import",
            "enrollment.bind"} <= actions


async def test_a_person_can_see_and_withdraw_their_employer_link(organisation, people):
    employer = await organisation("Acme")
    patient = await linked_patient(people, employer, "S001")
    await screen(patient, {"age_years": 30, "symptoms": [], "temperature_c": 36.5})
    assert (await staff_of(employer))["S001"]["status"] == "cleared"

    links = await (await patient.get("/api/me/employers")).json()
    stranger = await people.patient()
    assert (await stranger.delete(f"/api/me/employers/{links[0]['id']}")).status == 404
    assert (await patient.delete(f"/api/me/employers/{links[0]['id']}")).status == 204
    assert await (await patient.get("/api/me/employers")).json() == []

    member = (await staff_of(employer))["S001"]
    assert (member["status"], member["bound"], member["screened_at"], member["valid_until"]) == (
        "pending", False, None, None)
    refused = await patient.post("/api/screenings", json={"answers": {"age_years": 30, "symptoms": [],
                                                                       "temperature_c": 36.5}})
    assert refused.status == 409 and (await refused.json())["error"]["code"] == "not_enrolled"
    # A fresh invitation links again; a screening from before that is never shown.
    token = (await invite(employer, ["S001"]))["S001"]
    assert (await patient.post(f"/api/invitations/{token}/accept")).status == 201
    assert (await staff_of(employer))["S001"]["status"] == "pending"


# ---- screening -----------------------------------------------------------------------------------

async def test_screening_needs_an_employer_link_and_valid_answers(people, organisation):
    patient = await people.patient()
    refused = await patient.post("/api/screenings", json={"answers": {"age_years": 30, "symptoms": [],
                                                                       "temperature_c": 36.5}})
    assert refused.status == 409
    error = (await refused.json())["error"]
    assert error["code"] == "not_enrolled" and "邀请链接" in error["message"]

    employer = await organisation("Acme")
    patient = await linked_patient(people, employer)
    cases = [({"symptoms": []}, "answers.temperature_c"), ({"symptoms": ["nope"], "temperature_c": 36.5}, "answers.symptoms"),
             ({"symptoms": [], "temperature_c": 60}, "answers.temperature_c")]
    for answers, field in cases:
        response = await patient.post("/api/screenings", json={"answers": answers})
        assert response.status == 422 and (await response.json())["error"]["field"] == field, answers
    assert (await patient.post("/api/screenings", json={})).status == 422


async def test_a_cleared_screening_is_valid_for_24_hours_then_expires(organisation, people, db):
    employer = await organisation("Acme")
    patient = await linked_patient(people, employer, "S001")
    # The age comes from the birth date given at registration.
    result = await screen(patient, {"symptoms": ["acne"], "temperature_c": 36.6})
    assert result["result"] == "cleared" and result["can_consult_now"] is False
    screened, valid = datetime.fromisoformat(result["screened_at"]), datetime.fromisoformat(result["valid_until"])
    assert valid - screened == timedelta(hours=24)
    member = (await staff_of(employer))["S001"]
    assert member["status"] == "cleared" and member["valid_until"] is not None
    assert set(await staff_of(employer, "?status=cleared")) == {"S001"}

    async with db.acquire() as conn:  # as if linked and screened yesterday
        await conn.execute("UPDATE enrollments SET bound_at = bound_at - interval '2 days'")
        await conn.execute("UPDATE screenings SET screened_at = screened_at - interval '25 hours', "
                           "valid_until = valid_until - interval '25 hours'")
    assert (await staff_of(employer))["S001"]["status"] == "expired"
    assert set(await staff_of(employer, "?status=expired")) == {"S001"}
    assert await staff_of(employer, "?status=cleared") == {}
    bad = await employer.get("/api/employer/staff?status=sick")
    assert bad.status == 422 and (await bad.json())["error"]["field"] == "status"

    latest = await (await patient.get("/api/screenings/latest")).json()
    assert latest["result"] == "cleared" and latest["assessment"]["id"] == result["assessment"]["id"]

    for answers in ({"symptoms": [], "temperature_c": 37.3},
                    {"symptoms": [], "temperature_c": 36.5, "epi": {"cluster": True}},
                    {"symptoms": ["sore_throat"], "temperature_c": 36.5}):
        assert (await screen(patient, answers))["result"] == "not_cleared", answers


async def test_not_cleared_goes_straight_into_the_right_department_queue(organisation, people):
    employer = await organisation("Acme")
    fever_doctor = await people.doctor(department="fever")
    internal_doctor = await people.doctor(department="internal")

    exposed = await linked_patient(people, employer, "S001", "Exposed Person")
    result = await screen(exposed, {"age_years": 40, "symptoms": ["fever", "cough"], "temperature_c": 38.6,
                                    "epi": {"close_contact": True}})
    assert result["result"] == "not_cleared" and result["can_consult_now"] is True
    assert result["assessment"]["department"] == "fever"
    response = await exposed.post("/api/queue", json={"assessment_id": result["assessment"]["id"]})
    assert response.status == 201, await response.text()

    coughing = await linked_patient(people, employer, "S002", "Coughing Person")
    result = await screen(coughing, {"age_years": 40, "symptoms": ["cough"], "temperature_c": 38.2})
    assert result["can_consult_now"] is True
    assert (await coughing.post("/api/queue", json={"assessment_id": result["assessment"]["id"]})).status == 201

    fever_queue = await (await fever_doctor.get("/api/doctor/queue")).json()
    internal_queue = await (await internal_doctor.get("/api/doctor/queue")).json()
    assert "Exposed Person" in str(fever_queue["entries"]) and "Coughing Person" not in str(fever_queue["entries"])
    assert "Coughing Person" in str(internal_queue["entries"]) and "Exposed Person" not in str(internal_queue["entries"])
    assert (await staff_of(employer, "?status=not_cleared")).keys() == {"S001", "S002"}


async def test_a_red_flag_shows_the_emergency_instruction_and_no_online_queue(organisation, people):
    employer = await organisation("Acme")
    patient = await linked_patient(people, employer)
    result = await screen(patient, {"age_years": 50, "symptoms": ["severe_breathing_difficulty"], "temperature_c": 36.8})
    assert result["result"] == "not_cleared" and result["can_consult_now"] is False
    assert result["assessment"]["disposition"] == "emergency" and "120" in result["assessment"]["instruction"]
    response = await patient.post("/api/queue", json={"assessment_id": result["assessment"]["id"]})
    assert response.status == 422


# ---- dashboard, export, colleagues, pages -------------------------------------------------------

async def test_summary_counts_per_status_and_per_day(organisation, people):
    employer = await organisation("Acme")
    well = await linked_patient(people, employer, "S001")
    unwell = await linked_patient(people, employer, "S002")
    await imported(employer, "employee_ref,name,phone\nS003,Not Yet,13700000003\n")
    await screen(well, {"symptoms": [], "temperature_c": 36.4})
    await screen(unwell, {"symptoms": [], "temperature_c": 36.4})
    await screen(unwell, {"symptoms": ["cough"], "temperature_c": 38.0})  # the day's last screening counts

    summary = await (await employer.get("/api/employer/summary")).json()
    assert summary["counts"] == {"pending": 1, "cleared": 1, "not_cleared": 1, "expired": 0, "total": 3}
    assert len(summary["days"]) == 14
    assert summary["days"][-1]["cleared"] == 1 and summary["days"][-1]["not_cleared"] == 1
    assert all(d["cleared"] == d["not_cleared"] == 0 for d in summary["days"][:-1])


async def test_the_csv_export_opens_in_excel_and_cannot_run_formulas(organisation):
    employer = await organisation("Acme")
    await imported(employer, "employee_ref,name,phone\nE1,=HYPERLINK(\"http://x\"),13800000001\nE2,李雷,13800000002\n")
    response = await employer.get("/api/employer/staff.csv", headers={"Accept-Language": "zh-CN"})
    assert response.status == 200 and response.content_type == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = await response.read()
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("工号,姓名")
    assert "'=HYPERLINK" in text and "李雷" in text and "待筛查" in text


async def test_an_employer_adds_a_colleague_of_the_same_organisation(organisation, make_client, people):
    employer = await organisation("Acme")
    await imported(employer, ENGLISH_CSV)
    response = await employer.post("/api/employer/colleagues", json={
        "name": "Second Boss", "email": "second@acme.cn", "password": PASSWORD})
    assert response.status == 201
    user = (await response.json())["user"]
    assert user["role"] == "employer" and user["organisation_id"] == employer.user["organisation_id"]
    colleague = await sign_in(make_client, "second@acme.cn")
    assert set(await staff_of(colleague)) == {"E001", "E002"}
    duplicate = await employer.post("/api/employer/colleagues", json={
        "name": "Again", "email": "second@acme.cn", "password": PASSWORD})
    assert duplicate.status == 409
    patient = await people.patient()
    assert (await patient.post("/api/employer/colleagues", json={
        "name": "X", "email": "x@acme.cn", "password": PASSWORD})).status == 403


async def test_printable_invitations_carry_qr_codes_and_pages_check_roles(organisation, people, client):
    employer = await organisation("Acme")
    await imported(employer, ENGLISH_CSV)
    response = await employer.post("/api/employer/staff/invitations", json={"employee_refs": ["E001"], "qr": True})
    assert response.status == 201
    [item] = await response.json()
    assert item["qr"].startswith("data:image/svg+xml")
    page = await employer.get("/employer/invitations")
    assert page.status == 200 and 'data-page="employer-invitations"' in await page.text()
    assert (await employer.get("/employer")).status == 200

    patient = await people.patient()
    screening_page = await patient.get("/screening")
    assert screening_page.status == 200 and 'id="screening-form"' in await screening_page.text()
    for path in ("/screening", "/employer/invitations"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 302 and response.headers["Location"].startswith("/?next=")
    assert (await patient.get("/employer/invitations", allow_redirects=False)).status == 302
