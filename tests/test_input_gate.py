"""Every bad input is a 4xx naming its field, never a 500, and every socket event acks.

Each case is a finding of the abuse review (issue 14) that answered 500, hung or was stored before.
"""
from __future__ import annotations

import asyncio
import json
import logging

import aiohttp
import pytest
from test_records import in_consultation

from helpers import queued_patient, wait_for

NUL = "bad\x00value"


async def _error(response, status=None) -> dict:
    assert response.status != 500, await response.text()
    if status is not None:
        assert response.status == status, await response.text()
    assert 400 <= response.status < 500
    return (await response.json())["error"]


# ---- NUL and control characters -----------------------------------------------------------------

async def test_a_nul_in_registration_and_sign_in_is_a_422_naming_the_field(client):
    register = await client.post("/api/auth/register", json={"phone": "13900000001", "password": "long-enough-1",
                                                             "name": NUL})
    assert (await _error(register, 422))["field"] == "name"
    login = await client.post("/api/auth/login", json={"login": NUL, "password": "long-enough-1"})
    assert (await _error(login, 422))["field"] == "login"


async def test_a_nul_in_triage_reassess_rating_and_amendments_is_refused_by_field(people):
    patient = await people.patient()
    answers = {"age_years": 30, "symptoms": ["cough"], "free_text": "cough\x00"}
    error = await _error(await patient.post("/api/triage/assessments", json={"answers": answers}), 422)
    assert error["field"] == "answers.free_text" and error["code"] == "control_character"
    patient, entry = await queued_patient(people)
    error = await _error(await patient.post("/api/queue/me/reassess", json={"answers": answers}), 422)
    assert error["field"] == "answers.free_text"
    patient, doctor, cid = await in_consultation(people)
    record = {"diagnosis": "URTI", "disposition": "advice", "advice": "rest"}
    assert (await doctor.post(f"/api/consultations/{cid}/end", json=record)).status == 200
    error = await _error(await patient.post(f"/api/consultations/{cid}/rating", json={"rating": 5, "comment": NUL}), 422)
    assert error["field"] == "comment"
    error = await _error(await doctor.post(f"/api/consultations/{cid}/amendments", json={
        "field": "advice", "value": NUL, "reason": "typo"}), 422)
    assert error["field"] == "value"
    # Nothing was stored by the refused requests.
    record = await (await doctor.get(f"/api/consultations/{cid}/record")).json()
    assert record["amendments"] == []


async def test_a_nul_in_admin_and_employer_names_paths_and_filters_is_refused(people):
    admin = await people.staff("admin")
    error = await _error(await admin.post("/api/admin/organisations", json={"name": NUL}), 422)
    assert error["field"] == "name"
    error = await _error(await admin.post("/api/admin/users", json={
        "role": "admin", "name": NUL, "email": "a@b.cn", "password": "long-enough-1"}), 422)
    assert error["field"] == "name"
    error = await _error(await admin.get("/api/admin/audit", params={"object_type": NUL}), 422)
    assert error["field"] == "object_type"
    organisation = await (await admin.post("/api/admin/organisations", json={"name": "Gate Co."})).json()
    employer = await people.staff("employer", organisation_id=int(organisation["id"]))
    error = await _error(await employer.post("/api/employer/colleagues", json={
        "name": NUL, "email": "c@gate.cn", "password": "long-enough-1"}), 422)
    assert error["field"] == "name"
    error = await _error(await employer.get("/api/employer/staff/%00"), 404)
    assert error["field"] == "employee_ref"


async def test_a_nul_past_the_first_64_kb_of_a_staff_csv_is_refused(people):
    admin = await people.staff("admin")
    organisation = await (await admin.post("/api/admin/organisations", json={"name": "Big Co."})).json()
    employer = await people.staff("employer", organisation_id=int(organisation["id"]))
    rows = "".join(f"E{n:05d},Name {n},139{n:08d}\n" for n in range(3000))
    assert len(rows) > 65536
    for bad in ("\x00", "\x07"):
        csv_file = "employee_ref,name,phone\n" + rows + f"E99999,Late{bad}Name,13899999999\n"
        error = await _error(await employer.post("/api/employer/staff/import", data={"file": csv_file.encode()}), 422)
        assert error["field"] == "file" and error["code"] == "file_not_text"
    staff = await (await employer.get("/api/employer/staff")).json()
    assert staff == []


# ---- structure, numbers, types, sizes -----------------------------------------------------------

async def test_json_nested_100000_deep_is_a_400(client, people):
    patient = await people.patient()
    body = "[" * 100_000 + "]" * 100_000
    response = await patient.post("/api/triage/assessments", data=body, headers={"Content-Type": "application/json"})
    assert (await _error(response, 400))["code"] in ("too_deep", "bad_json")
    deep = {"answers": {"age_years": 30, "symptoms": []}}
    node = deep["answers"]
    for _ in range(40):
        node["x"] = {}
        node = node["x"]
    error = await _error(await patient.post("/api/triage/assessments", json=deep))
    assert error["code"] == "too_deep"


async def test_huge_numbers_are_refused_by_field(people):
    patient, doctor, cid = await in_consultation(people)
    error = await _error(await patient.post(f"/api/consultations/{cid}/quality", json={"frames_decoded": 1e30}), 422)
    assert error["field"] == "frames_decoded"
    error = await _error(await patient.post(f"/api/consultations/{cid}/quality",
                                            json={"frames_decoded": 2**40}), 422)
    assert error["field"] == "frames_decoded"
    admin = await people.staff("admin")
    error = await _error(await admin.post("/api/admin/users", data='{"role": "employer", "name": "HR", '
                                          '"email": "hr@x.cn", "password": "long-enough-1", "organisation_id": 1e30}',
                                          headers={"Content-Type": "application/json"}), 422)
    assert error["field"] == "organisation_id"


async def test_booleans_and_integers_are_strict(people):
    patient, doctor, cid = await in_consultation(people)
    record = {"diagnosis": "URTI", "disposition": "advice", "advice": "rest"}
    assert (await doctor.post(f"/api/consultations/{cid}/end", json=record)).status == 200
    for rating in (True, "5", 4.5):
        error = await _error(await patient.post(f"/api/consultations/{cid}/rating", json={"rating": rating}), 422)
        assert error["field"] == "rating"
    error = await _error(await doctor.post("/api/doctor/status", json={"status": "available", "auto_assign": "yes"}), 422)
    assert error["field"] == "auto_assign"
    assert (await patient.post(f"/api/consultations/{cid}/rating", json={"rating": 5})).status == 204


async def test_a_body_past_the_limit_is_a_413(people):
    patient = await people.patient()
    big = json.dumps({"answers": {"free_text": "x" * 400_000}})
    error = await _error(await patient.post("/api/triage/assessments", data=big,
                                            headers={"Content-Type": "application/json"}), 413)
    assert error["code"] == "body_too_large"


async def test_a_time_zone_postgresql_does_not_know_is_a_422_not_a_500(people):
    admin = await people.staff("admin")
    for tz in ("posixrules", "Mars/Olympus", "Factory"):
        response = await admin.get("/api/admin/stats", params={"tz": tz})
        assert response.status in (200, 422), (tz, response.status)
        if response.status == 422:
            assert (await response.json())["error"]["field"] == "tz"


async def test_a_405_says_which_methods_the_path_takes(client):
    response = await client.put("/api/departments")
    assert response.status == 405
    assert "GET" in response.headers["Allow"]


async def test_garbage_sdp_to_the_precheck_is_a_422_naming_sdp(people):
    patient = await people.patient()
    for sdp in ("v=0\r\nm=audio x y z\r\n", "v=0\r\no=- 1 1 IN IP4 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=rtpmap:x\r\n",
                "garbage that is long enough"):
        error = await _error(await patient.post("/api/rtc/precheck", json={"sdp": sdp, "type": "offer"}), 422)
        assert error["field"] == "sdp"


async def test_malformed_multipart_is_a_422_and_the_raw_header_is_not_logged(people, caplog):
    patient, doctor, cid = await in_consultation(people)
    no_boundary = await patient.post(f"/api/consultations/{cid}/attachments", data=b"--x\r\n\r\nhello\r\n--x--\r\n",
                                     headers={"Content-Type": "multipart/form-data"})
    assert (await _error(no_boundary, 422))["field"] == "file"
    secret = "Secret\x01Header"
    body = (f"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nX-{secret}: 1\r\n\r\n"
            "data\r\n--b--\r\n").encode()
    with caplog.at_level(logging.DEBUG):
        response = await patient.post(f"/api/consultations/{cid}/attachments", data=body,
                                      headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert response.status != 500 and 400 <= response.status < 500
    assert "Secret" not in caplog.text


async def test_the_csv_export_neutralises_semicolon_locale_formulas(people, db):
    admin = await people.staff("admin")
    organisation = await (await admin.post("/api/admin/organisations", json={"name": "Semi Co."})).json()
    employer = await people.staff("employer", organisation_id=int(organisation["id"]))
    csv_file = 'employee_ref,name,phone\nE1,"a;=cmd|\' /C calc\'!A0",13800000001\nE2,=1+1,13800000002\n'
    assert (await employer.post("/api/employer/staff/import", data={"file": csv_file.encode()})).status == 200
    text = (await (await employer.get("/api/employer/staff.csv")).read()).decode("utf-8-sig")
    assert "a;'=cmd" in text and "'=1+1" in text
    assert ";=" not in text


# ---- Socket.IO: every event acks ----------------------------------------------------------------

async def test_every_socket_event_acks_whatever_the_payload(people):
    patient, doctor, cid = await in_consultation(people)
    sock = await patient.socket()
    for event, args in (("join", ()), ("join", ({"consultation_id": 1e20},)), ("join", ({"consultation_id": 10**20},)),
                        ("join", ({"consultation_id": "1" * 5000},)), ("join", ("text",)), ("signal", ()),
                        ("chat", ({"consultation_id": cid, "text": "hi\x00"},)), ("chat", (None,)),
                        ("no-such-event", ({},))):
        ack = await asyncio.wait_for(sock.call(event, *args, timeout=5), 6)
        assert ack["ok"] is False and ack["error"]["code"], (event, args, ack)
    assert sock.connected
    ack = await sock.call("join", {"consultation_id": cid})
    assert ack["ok"] is True
    ack = await sock.call("chat", {"consultation_id": cid, "text": "hi\x00there"})
    assert ack["ok"] is False and ack["error"]["code"] == "bad_text"


async def test_a_resent_chat_with_its_client_id_is_stored_once(people, db):
    patient, doctor, cid = await in_consultation(people)
    sock = await patient.socket()
    await sock.call("join", {"consultation_id": cid})
    first = await sock.call("chat", {"consultation_id": cid, "text": "hello", "client_id": "m-1"})
    again = await sock.call("chat", {"consultation_id": cid, "text": "hello", "client_id": "m-1"})
    assert first["ok"] and again["ok"] and first["message"]["id"] == again["message"]["id"]
    async with db.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM messages WHERE consultation_id = $1", int(cid)) == 1


# ---- sockets bound to their session and consultation --------------------------------------------

async def test_sign_out_disconnects_the_sessions_sockets_and_its_chat_is_refused(people, db):
    patient, doctor, cid = await in_consultation(people)
    sock = await patient.socket()
    other_device = await doctor.socket()
    assert (await sock.call("join", {"consultation_id": cid}))["ok"]
    assert (await patient.post("/api/auth/logout")).status == 204
    await wait_for(lambda: not sock.connected, timeout=5)
    assert other_device.connected  # someone else's session is untouched
    async with db.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM messages") == 0


async def test_after_the_end_chat_and_relays_are_refused(people, db):
    patient, doctor, cid = await in_consultation(people)
    p_sock, d_sock = await patient.socket(), await doctor.socket()
    assert (await p_sock.call("join", {"consultation_id": cid}))["ok"]
    assert (await d_sock.call("join", {"consultation_id": cid}))["ok"]
    record = {"diagnosis": "URTI", "disposition": "advice", "advice": "rest"}
    assert (await doctor.post(f"/api/consultations/{cid}/end", json=record)).status == 200
    chat = await p_sock.call("chat", {"consultation_id": cid, "text": "still there?"})
    assert chat["ok"] is False
    relay = await d_sock.call("signal", {"consultation_id": cid, "kind": "hangup"})
    assert relay["ok"] is False
    await asyncio.sleep(0.2)
    assert [e for e, _ in p_sock.received if e == "signal"] == []
    async with db.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM messages") == 0


@pytest.mark.parametrize("content_type", ["multipart/form-data; boundary=\x01"])
async def test_a_control_character_in_the_boundary_is_no_500(people, content_type):
    patient = await people.patient()
    admin = await people.staff("admin")
    organisation = await (await admin.post("/api/admin/organisations", json={"name": "Boundary Co."})).json()
    employer = await people.staff("employer", organisation_id=int(organisation["id"]))
    try:
        response = await employer.post("/api/employer/staff/import", data=b"--\x01\r\n",
                                       headers={"Content-Type": content_type})
    except (aiohttp.ClientError, ValueError):
        return  # the client library itself refuses to send it
    assert response.status != 500 and response.status >= 400
    del patient


# ---- the app's database role --------------------------------------------------------------------

async def test_the_app_role_cannot_switch_off_or_rewrite_the_audit_log(db):
    import asyncpg
    async with db.acquire() as conn:
        assert not await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        await conn.execute("INSERT INTO audit_log (action, object_type, allowed) VALUES ('test.write', 'test', true)")
        for statement in ("ALTER TABLE audit_log DISABLE TRIGGER USER", "UPDATE audit_log SET allowed = false",
                          "DELETE FROM audit_log", "TRUNCATE audit_log", "DELETE FROM record_amendments",
                          "UPDATE record_amendments SET reason = 'x'", "CREATE TABLE evil (id int)",
                          "DROP TABLE messages", "DELETE FROM schema_migrations"):
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                await conn.execute(statement)
        assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'test.write' AND allowed") == 1
