"""Staff accounts have a lifecycle: disabling or a new password ends every session and socket, on every
process; admins sign in with a second factor; idle doctor sessions end (issue 14)."""
from __future__ import annotations

import os

import aiohttp
import socketio

from helpers import PASSWORD, cookie_headers, wait_for
from server.accounts import totp
from server.app import create_app
from server.keys import DB_POOL
from server.settings import Settings

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


async def _socket(url: str, cookie: str) -> socketio.AsyncClient:
    sio = socketio.AsyncClient(reconnection=False)
    await sio.connect(url, headers=cookie_headers(cookie), transports=["websocket"], wait_timeout=5)
    return sio


async def test_sign_out_on_one_process_closes_the_sessions_socket_on_another(app_database_url, db, aiohttp_server,
                                                                                people, make_client):
    """Two processes sharing Redis: the socket lives on B, the sign-out happens on A."""
    servers = []
    for _ in range(2):
        application = create_app(Settings(database_url=app_database_url, redis_url=REDIS_URL,
                                          housekeeping_seconds=0.2))
        application[DB_POOL] = db
        servers.append(await aiohttp_server(application, host="127.0.0.1"))
    a, b = servers
    doctor = await people.staff("doctor", department="internal")
    async with aiohttp.ClientSession() as http:
        login = await http.post(f"http://127.0.0.1:{a.port}/api/auth/login",
                                json={"login": people.emails[doctor.id], "password": PASSWORD})
        assert login.status == 200
        body = await login.json()
        cookie = f"clinic_session={login.cookies['clinic_session'].value}"
        sock = await _socket(f"http://127.0.0.1:{b.port}", cookie)
        other = await _socket(f"http://127.0.0.1:{b.port}", doctor.cookie_header())  # another session of theirs
        out = await http.post(f"http://127.0.0.1:{a.port}/api/auth/logout",
                              headers={"X-CSRF-Token": body["csrf_token"], "Cookie": cookie})
        assert out.status == 204
        await wait_for(lambda: not sock.connected, timeout=5)
        assert other.connected
        await other.disconnect()


async def test_disabling_a_doctor_ends_their_sessions_and_sockets(people, make_client, db):
    admin = await people.staff("admin")
    doctor = await people.doctor()
    sock = await doctor.socket()
    response = await admin.post(f"/api/admin/users/{doctor.id}/disable")
    assert response.status == 204
    await wait_for(lambda: not sock.connected, timeout=5)
    assert (await doctor.get("/api/me")).status == 401
    again = await (await make_client()).post("/api/auth/login", json={"login": people.emails[doctor.id],
                                                                     "password": PASSWORD})
    assert again.status == 401
    assert (await admin.post(f"/api/admin/users/{doctor.id}/disable")).status == 204  # once is enough
    listed = await (await admin.get("/api/admin/users?role=doctor")).json()
    assert next(d for d in listed if d["id"] == doctor.id)["disabled"] is True  # the PATCH route's view of it
    async with db.acquire() as conn:  # one audited change, whichever route made it
        assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'user.update' AND object_id = $1",
                                   doctor.id) == 2
    assert (await admin.post(f"/api/admin/users/{admin.id}/disable")).status == 422
    assert (await admin.patch(f"/api/admin/users/{admin.id}", json={"disabled": True})).status == 422
    assert (await doctor.post(f"/api/admin/users/{admin.id}/disable")).status == 401


async def test_a_new_password_ends_every_other_session_and_socket(people, make_client):
    doctor = await people.doctor()
    email = people.emails[doctor.id]
    second_client = await make_client()
    assert (await second_client.post("/api/auth/login", json={"login": email, "password": PASSWORD})).status == 200
    sock = await doctor.socket()
    wrong = await doctor.post("/api/me/password", json={"current_password": "not-it-at-all", "new_password": "x" * 12})
    assert wrong.status == 401 and (await wrong.json())["error"]["field"] == "current_password"
    changed = await doctor.post("/api/me/password", json={"current_password": PASSWORD, "new_password": "new-password-2"})
    assert changed.status == 200, await changed.text()
    doctor.csrf = (await changed.json())["csrf_token"]
    await wait_for(lambda: not sock.connected, timeout=5)
    assert (await second_client.get("/api/me")).status == 401
    assert (await doctor.get("/api/me")).status == 200  # the one who changed it stays signed in
    fresh = await make_client()
    assert (await fresh.post("/api/auth/login", json={"login": email, "password": PASSWORD})).status == 401
    assert (await fresh.post("/api/auth/login", json={"login": email, "password": "new-password-2"})).status == 200


async def test_an_enrolled_admin_signs_in_only_with_a_current_code(people, make_client):
    admin = await people.staff("admin")
    email = people.emails[admin.id]
    started = await admin.post("/api/me/totp")
    assert started.status == 201
    secret = (await started.json())["secret"]
    assert (await started.json())["otpauth_url"].startswith("otpauth://totp/")
    # Pending: the password alone still works until a code confirms the enrolment.
    assert (await (await make_client()).post("/api/auth/login", json={"login": email, "password": PASSWORD})).status == 200
    assert (await admin.post("/api/me/totp/confirm", json={"code": "000000" if totp.code(secret) != "000000"
                                                                   else "111111"})).status == 422
    assert (await admin.post("/api/me/totp/confirm", json={"code": totp.code(secret)})).status == 204
    client = await make_client()
    missing = await client.post("/api/auth/login", json={"login": email, "password": PASSWORD})
    assert missing.status == 401 and (await missing.json())["error"]["code"] == "totp_required"
    assert "clinic_session" not in missing.cookies
    wrong = await client.post("/api/auth/login", json={"login": email, "password": PASSWORD,
                                                       "totp": str((int(totp.code(secret)) + 500_000) % 1_000_000).zfill(6)})
    assert wrong.status == 401 and (await wrong.json())["error"]["field"] == "totp"
    right = await client.post("/api/auth/login", json={"login": email, "password": PASSWORD, "totp": totp.code(secret)})
    assert right.status == 200


async def test_an_idle_doctor_session_ends_but_a_patients_does_not(people, db):
    doctor = await people.doctor()
    patient = await people.patient()
    async with db.acquire() as conn:
        await conn.execute("UPDATE sessions SET last_seen_at = now() - interval '31 minutes'")
    assert (await doctor.get("/api/me")).status == 401
    assert (await patient.get("/api/me")).status == 200


async def test_a_json_request_with_a_valid_token_and_no_origin_is_accepted(people):
    doctor = await people.doctor()
    response = await doctor.post("/api/doctor/status", json={"status": "away"})  # aiohttp sends no Origin
    assert response.status == 200
