"""Accounts, sessions, CSRF and role checks through the real HTTP API and database."""
from __future__ import annotations

from helpers import PASSWORD, wait_for


async def test_patient_registers_signs_in_and_out(client):
    response = await client.post("/api/auth/register", json={
        "phone": "+86 139-1234-5678", "password": PASSWORD, "name": "李雷", "birth_date": "1988-02-03", "sex": "male"})
    assert response.status == 201
    body = await response.json()
    assert body["user"]["role"] == "patient" and body["user"]["name"] == "李雷" and body["csrf_token"]
    cookie = response.cookies["clinic_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"

    me = await client.get("/api/me")
    assert (await me.json())["user"]["id"] == body["user"]["id"]

    out = await client.post("/api/auth/logout", headers={"X-CSRF-Token": body["csrf_token"]})
    assert out.status == 204
    assert (await client.get("/api/me")).status == 401

    again = await client.post("/api/auth/login", json={"login": "13912345678", "password": PASSWORD})
    assert again.status == 200 and (await again.json())["user"]["id"] == body["user"]["id"]


async def test_duplicate_phone_is_a_conflict_and_changes_nothing(client, db):
    payload = {"phone": "13900000001", "password": PASSWORD, "name": "A"}
    assert (await client.post("/api/auth/register", json=payload)).status == 201
    second = await client.post("/api/auth/register", json={**payload, "name": "B"})
    assert second.status == 409
    assert (await second.json())["error"]["code"] == "account_exists"
    async with db.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM users") == 1


async def test_bad_registration_names_the_field(client, db):
    cases = [
        ({"phone": "12345", "password": PASSWORD, "name": "A"}, "phone"),
        ({"phone": "13900000002", "password": "short", "name": "A"}, "password"),
        ({"phone": "13900000003", "password": PASSWORD}, "name"),
        ({"phone": "13900000004", "password": PASSWORD, "name": "A", "sex": "x"}, "sex"),
        ({"phone": "13900000005", "password": PASSWORD, "name": "A", "role": "admin"}, "role"),
    ]
    for payload, field in cases:
        response = await client.post("/api/auth/register", json=payload)
        assert 400 <= response.status < 500, payload
        assert (await response.json())["error"]["field"] == field, payload
    bad_json = await client.post("/api/auth/register", data=b"{not json", headers={"Content-Type": "application/json"})
    assert bad_json.status == 400 and (await bad_json.json())["error"]["code"] == "bad_json"
    async with db.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM users") == 0


async def test_wrong_password_is_refused_without_saying_which_part(client):
    await client.post("/api/auth/register", json={"phone": "13900000006", "password": PASSWORD, "name": "A"})
    for login in ("13900000006", "13900000099"):
        response = await client.post("/api/auth/login", json={"login": login, "password": "wrong-password"})
        assert response.status == 401
        assert (await response.json())["error"]["code"] == "bad_credentials"


async def test_state_change_without_csrf_token_is_refused(people):
    patient = await people.patient()
    response = await patient.client.post("/api/triage/assessments", json={"answers": {"age_years": 30, "symptoms": []}})
    assert response.status == 403
    assert (await response.json())["error"]["code"] == "csrf_failed"
    wrong = await patient.client.post("/api/auth/logout", headers={"X-CSRF-Token": "nope"})
    assert wrong.status == 403


async def test_roles_are_checked_on_every_protected_route(people, client):
    patient = await people.patient()
    doctor = await people.doctor()
    assert (await client.get("/api/doctor/queue")).status == 401
    assert (await patient.get("/api/doctor/queue")).status == 403
    assert (await patient.post("/api/doctor/claim", json={})).status == 403
    assert (await doctor.post("/api/queue", json={"assessment_id": "1"})).status == 403
    assert (await patient.post("/api/admin/users", json={})).status == 403
    assert (await client.get("/api/rtc/ice-servers")).status == 401
    unknown = await client.get("/api/nothing-here")
    assert unknown.status == 404 and (await unknown.json())["error"]["code"] == "not_found"


async def test_admin_creates_staff_and_organisations(people):
    admin = await people.staff("admin")
    org = await admin.post("/api/admin/organisations", json={"name": "Acme"})
    assert org.status == 201
    org_id = (await org.json())["id"]
    doctor = await admin.post("/api/admin/users", json={"role": "doctor", "name": "Dr. Wang",
                                                         "email": "Wang@Example.org", "password": PASSWORD,
                                                         "department": "fever"})
    assert doctor.status == 201 and (await doctor.json())["user"]["department"] == "fever"
    employer = await admin.post("/api/admin/users", json={"role": "employer", "name": "HR", "email": "hr@acme.cn",
                                                           "password": PASSWORD, "organisation_id": org_id})
    assert employer.status == 201
    no_dept = await admin.post("/api/admin/users", json={"role": "doctor", "name": "X", "email": "x@y.cn",
                                                         "password": PASSWORD, "department": "nowhere"})
    assert no_dept.status == 422 and (await no_dept.json())["error"]["field"] == "department"
    login = await admin.client.post("/api/auth/login", json={"login": "wang@example.org", "password": PASSWORD})
    assert login.status == 200 and (await login.json())["user"]["role"] == "doctor"


async def test_pages_follow_language_and_role(client, people):
    zh = await client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "登录" in await zh.text()
    en = await client.get("/", headers={"Accept-Language": "en-US"})
    assert "Sign in" in await en.text()
    switched = await client.get("/?lang=en", headers={"Accept-Language": "zh-CN"})
    assert "Sign in" in await switched.text()
    assert "Sign in" in await (await client.get("/", headers={"Accept-Language": "zh-CN"})).text()  # remembered
    patient = await people.patient()
    page = await patient.get("/doctor", allow_redirects=False)
    assert page.status == 302 and page.headers["Location"].startswith("/?next=")
    assert (await patient.get("/patient")).status == 200


async def test_error_pages_say_what_to_do_next(client):
    response = await client.get("/no/such/page", headers={"Accept-Language": "en"})
    assert response.status == 404
    text = await response.text()
    assert "call the clinic" in text and 'href="/"' in text


async def test_errors_speak_the_clients_language(client):
    zh = await client.post("/api/auth/login", json={"login": "nobody@x.cn", "password": "whatever-1"},
                           headers={"Accept-Language": "zh-CN"})
    assert (await zh.json())["error"]["message"] == "账号或密码错误。"
    en = await client.post("/api/auth/login", json={"login": "nobody@x.cn", "password": "whatever-1"},
                           headers={"Accept-Language": "en"})
    assert (await en.json())["error"]["message"] == "The login or password is wrong."
    bad = await client.post("/api/auth/register", json={"phone": "123", "password": "a-good-password", "name": "A"},
                            headers={"Accept-Language": "zh"})
    body = (await bad.json())["error"]
    assert body["field"] == "phone" and "手机号" in body["message"]


async def test_expired_sessions_sign_nobody_in_and_are_deleted(people, db):
    patient = await people.patient()
    async with db.acquire() as conn:
        await conn.execute("UPDATE sessions SET expires_at = now() - interval '1 minute'")
    assert (await patient.get("/api/me")).status == 401

    async def no_sessions_left() -> bool:
        async with db.acquire() as conn:
            return await conn.fetchval("SELECT count(*) FROM sessions") == 0
    await wait_for(no_sessions_left, timeout=5)  # the housekeeping loop deletes them
