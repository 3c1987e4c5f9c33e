"""A way back in: sign-in by SMS code and password reset, through the outbox and its development sender
(the code is read from the server log, as a developer would); codes are single-use, short-lived and
rate-limited per phone."""
from __future__ import annotations

import logging
import re

from helpers import PASSWORD

CODE_IN_LOG = re.compile(r"验证码 (\d{6})")


async def ask_code(client, phone, caplog) -> str:
    """Ask for a code and read it from the development sender's log line."""
    caplog.clear()
    response = await client.post("/api/auth/code", json={"phone": phone})
    assert response.status == 202, await response.text()
    codes = CODE_IN_LOG.findall(caplog.text)
    assert len(codes) == 1, caplog.text
    return codes[0]


async def allow_next_code(db, phone):
    """Let a test ask again without waiting out the one-a-minute limit."""
    async with db.acquire() as conn:
        await conn.execute("UPDATE phone_codes SET created_at = created_at - interval '61 seconds' WHERE phone = $1",
                           phone)


async def test_sign_in_with_an_sms_code_which_works_once(people, make_client, db, caplog):
    caplog.set_level(logging.INFO)
    patient = await people.patient()
    client = await make_client()
    code = await ask_code(client, patient.phone, caplog)
    line = next(r.getMessage() for r in caplog.records if code in r.getMessage())
    assert patient.phone not in line and patient.phone[:3] + "****" + patient.phone[-4:] in line
    async with db.acquire() as conn:
        row = await conn.fetchrow("SELECT status, body, recipient FROM outbox")
        assert row["status"] == "sent" and code not in row["body"] and row["recipient"] == patient.phone
        assert code.encode() not in b"".join(r["code_hash"] for r in await conn.fetch("SELECT code_hash FROM phone_codes"))

    signed_in = await client.post("/api/auth/login-code", json={"phone": patient.phone, "code": code})
    assert signed_in.status == 200, await signed_in.text()
    body = await signed_in.json()
    assert body["user"]["id"] == patient.id and body["csrf_token"]
    assert (await (await client.get("/api/me")).json())["user"]["id"] == patient.id

    again = await (await make_client()).post("/api/auth/login-code", json={"phone": patient.phone, "code": code})
    assert again.status == 401 and (await again.json())["error"] | {"message": ""} == {
        "code": "bad_code", "field": "code", "message": ""}


async def test_an_expired_code_is_refused(people, make_client, db, caplog):
    caplog.set_level(logging.INFO)
    patient = await people.patient()
    client = await make_client()
    code = await ask_code(client, patient.phone, caplog)
    async with db.acquire() as conn:
        await conn.execute("UPDATE phone_codes SET expires_at = now() - interval '1 second'")
    expired = await client.post("/api/auth/login-code", json={"phone": patient.phone, "code": code})
    assert expired.status == 401 and (await expired.json())["error"]["code"] == "bad_code"


async def test_five_wrong_codes_lock_codes_for_that_phone(people, make_client, db, caplog):
    caplog.set_level(logging.INFO)
    patient = await people.patient()
    client = await make_client()
    code = await ask_code(client, patient.phone, caplog)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        response = await client.post("/api/auth/login-code", json={"phone": patient.phone, "code": wrong})
        assert response.status == 401
    locked = await client.post("/api/auth/login-code", json={"phone": patient.phone, "code": code})
    assert locked.status == 429 and (await locked.json())["error"]["code"] == "codes_locked"
    await allow_next_code(db, patient.phone)
    no_new_code = await client.post("/api/auth/code", json={"phone": patient.phone})
    assert no_new_code.status == 429
    other = await people.patient()  # the lock is per phone
    assert (await client.post("/api/auth/code", json={"phone": other.phone})).status == 202


async def test_codes_are_rate_limited_per_phone_and_unknown_phones_get_no_sms(people, make_client, db, caplog):
    caplog.set_level(logging.INFO)
    patient = await people.patient()
    client = await make_client()
    await ask_code(client, patient.phone, caplog)
    too_soon = await client.post("/api/auth/code", json={"phone": patient.phone})
    assert too_soon.status == 429 and too_soon.headers["Retry-After"]
    bad = await client.post("/api/auth/code", json={"phone": "12345"})
    assert bad.status == 422 and (await bad.json())["error"]["field"] == "phone"
    caplog.clear()
    unknown = await client.post("/api/auth/code", json={"phone": "13999999999"})
    assert unknown.status == 202 and not CODE_IN_LOG.findall(caplog.text)
    async with db.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM outbox WHERE recipient = '13999999999'") == 0


async def test_password_reset_by_code_ends_every_session(people, make_client, caplog):
    caplog.set_level(logging.INFO)
    patient = await people.patient()
    assert (await patient.get("/api/me")).status == 200
    stranger = await make_client()
    code = await ask_code(stranger, patient.phone, caplog)
    short = await stranger.post("/api/auth/reset-password", json={"phone": patient.phone, "code": code,
                                                                  "new_password": "short"})
    assert short.status == 422 and (await short.json())["error"]["field"] == "new_password"
    reset = await stranger.post("/api/auth/reset-password", json={"phone": patient.phone, "code": code,
                                                                  "new_password": "a-brand-new-password"})
    assert reset.status == 204
    assert (await patient.get("/api/me")).status == 401            # the old session is gone
    fresh = await make_client()
    old = await fresh.post("/api/auth/login", json={"login": patient.phone, "password": PASSWORD})
    assert old.status == 401
    new = await fresh.post("/api/auth/login", json={"login": patient.phone, "password": "a-brand-new-password"})
    assert new.status == 200
    reused = await stranger.post("/api/auth/reset-password", json={"phone": patient.phone, "code": code,
                                                                   "new_password": "yet-another-password"})
    assert reused.status == 401
