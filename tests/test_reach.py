"""A patient who is not on the page when the doctor is ready gets an SMS through the outbox within
5 s, and the doctor is told when; a patient in the room gets none."""
from __future__ import annotations

import asyncio
import time

from helpers import events_named, queued_patient, wait_for


async def _messages(db, phone: str) -> list:
    async with db.acquire() as conn:
        return await conn.fetch("SELECT status, body FROM outbox WHERE recipient = $1", phone)


async def test_an_absent_patient_is_sent_an_sms_and_the_doctor_sees_when(people, db):
    doctor = await people.doctor()
    d_sock = await doctor.socket()
    patient, _ = await queued_patient(people, name="Off the page")
    started = time.monotonic()
    consultation = await (await doctor.post("/api/doctor/claim", json={})).json()
    sent = await wait_for(lambda: _messages(db, patient.phone), timeout=5, interval=0.2)
    assert time.monotonic() - started < 5
    assert sent[0]["status"] == "sent" and "医生已准备好" in sent[0]["body"]
    await wait_for(lambda: events_named(d_sock, "consult:notified"), timeout=3)
    assert events_named(d_sock, "consult:notified")[0]["consultation_id"] == consultation["id"]
    view = await (await doctor.get(f"/api/consultations/{consultation['id']}")).json()
    assert view["patient_notified_at"] is not None


async def test_a_patient_in_the_room_is_not_sent_an_sms(people, db):
    doctor = await people.doctor()
    patient, _ = await queued_patient(people, name="On the page")
    p_sock = await patient.socket()
    claimed = await doctor.post("/api/doctor/claim", json={})
    assert claimed.status == 201, await claimed.text()
    consultation = await claimed.json()
    assert (await p_sock.call("join", {"consultation_id": consultation["id"]}))["ok"]
    await asyncio.sleep(3.5)  # past the moment an absent patient would have been sent one
    assert await _messages(db, patient.phone) == []
