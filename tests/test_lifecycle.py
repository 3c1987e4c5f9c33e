"""People come and go: grace periods, no-shows, return, transfer, a doctor who drops, automatic mode.

The grace periods are shortened by settings, as an operator would set them.
"""
from __future__ import annotations

import dataclasses

import pytest

from helpers import events_named, queue_changes, queued_patient, wait_for

FEVER_WITH_EXPOSURE = {"age_years": 30, "symptoms": ["fever", "cough"], "temperature_c": 38.2,
                       "epi": {"close_contact": True}}


@pytest.fixture
def settings(settings):
    # Three seconds, not one: on a loaded machine one request can take longer than a second, and a
    # patient without a page open would then be marked away before the doctor's claim arrives.
    return dataclasses.replace(settings, away_grace_seconds=3, call_timeout_seconds=3, rejoin_grace_seconds=3,
                               housekeeping_seconds=0.2)


async def _status(db, entry_id) -> str:
    async with db.acquire() as conn:
        return await conn.fetchval("SELECT status FROM queue_entries WHERE id = $1", int(entry_id))


async def test_patient_who_closes_the_page_is_marked_away_then_gets_the_place_back(people, db):
    first, first_entry = await queued_patient(people, name="First")
    second, second_entry = await queued_patient(people, name="Second")
    second_socket = await second.socket()
    assert (await second_socket.call("queue:subscribe", {}))["entry"]["position"] == 2
    first_socket = await first.socket()
    await first_socket.call("queue:subscribe", {})
    await first_socket.disconnect()                       # closes the tab

    await wait_for(lambda: _is(db, first_entry["id"], "away"), timeout=10)
    await wait_for(lambda: any(r["id"] == first_entry["id"] for c in queue_changes(second_socket) for r in c["removed"]))
    assert (await (await second.get("/api/queue/me")).json())["position"] == 1

    back = await first.socket()                            # opens the page again
    ack = await back.call("queue:subscribe", {})
    assert ack["entry"]["status"] == "waiting" and ack["entry"]["position"] == 1
    await wait_for(lambda: any(c["inserted"] for c in queue_changes(second_socket)))
    assert (await (await second.get("/api/queue/me")).json())["position"] == 2


async def _is(db, entry_id, status) -> bool:
    return await _status(db, entry_id) == status


async def test_called_patient_who_never_joins_is_skipped_once_then_no_show(people, db):
    doctor = await people.doctor()
    doctor_socket = await doctor.socket()
    patient, entry = await queued_patient(people)
    first = await (await doctor.post("/api/doctor/claim", json={})).json()
    await wait_for(lambda: any(e["consultation_id"] == first["id"] and e["reason"] == "patient_absent"
                               for e in events_named(doctor_socket, "consult:ended")), timeout=10)
    me = await (await patient.get("/api/queue/me")).json()
    assert me["status"] == "waiting" and me["position"] == 1

    second = await (await doctor.post("/api/doctor/claim", json={})).json()
    assert second["id"] != first["id"]
    await wait_for(lambda: _is(db, entry["id"], "no_show"), timeout=10)
    assert (await patient.get("/api/queue/me")).status == 404
    assert (await doctor.post("/api/doctor/claim", json={})).status == 404


async def test_doctor_returns_patient_to_the_same_place(people, db):
    doctor = await people.doctor()
    patient, entry = await queued_patient(people, name="Returned")
    other, _ = await queued_patient(people, name="Other")
    other_socket = await other.socket()
    await other_socket.call("queue:subscribe", {})
    consultation = await (await doctor.post("/api/doctor/claim", json={})).json()
    assert consultation["patient"]["name"] == "Returned"
    patient_socket = await patient.socket()
    await patient_socket.call("join", {"consultation_id": consultation["id"]})

    response = await doctor.post(f"/api/consultations/{consultation['id']}/return")
    assert response.status == 200
    await wait_for(lambda: events_named(patient_socket, "consult:ended"))
    assert events_named(patient_socket, "consult:ended")[0]["reason"] == "returned"
    me = await (await patient.get("/api/queue/me")).json()
    assert me["status"] == "waiting" and me["position"] == 1 and me["sort_key"] == entry["sort_key"]
    await wait_for(lambda: any(c["inserted"] for c in queue_changes(other_socket)))
    assert (await (await other.get("/api/queue/me")).json())["position"] == 2
    stranger_doctor = await people.doctor()
    assert (await stranger_doctor.post(f"/api/consultations/{consultation['id']}/return")).status == 403


async def test_doctor_transfers_patient_to_another_department(people, db):
    doctor = await people.doctor()
    dermatologist = await people.doctor(department="dermatology")
    derm_socket = await dermatologist.socket()
    patient, _ = await queued_patient(people)
    consultation = await (await doctor.post("/api/doctor/claim", json={})).json()
    bad = await doctor.post(f"/api/consultations/{consultation['id']}/transfer", json={"department": "nowhere"})
    assert bad.status == 422 and (await bad.json())["error"]["field"] == "department"
    response = await doctor.post(f"/api/consultations/{consultation['id']}/transfer", json={"department": "dermatology"})
    assert response.status == 200
    me = await (await patient.get("/api/queue/me")).json()
    assert me["department"] == "dermatology" and me["status"] == "waiting"
    await wait_for(lambda: events_named(derm_socket, "queue:update"))
    queue = await (await dermatologist.get("/api/doctor/queue")).json()
    assert [e["patient"]["id"] for e in queue["entries"]] == [patient.id]


async def test_doctor_who_drops_and_does_not_return_sends_the_patient_to_the_front(people, db):
    doctor = await people.doctor()
    patient, entry = await queued_patient(people, name="Dropped")
    consultation = await (await doctor.post("/api/doctor/claim", json={})).json()
    _, later = await queued_patient(people, name="Later")
    p_sock, d_sock = await patient.socket(), await doctor.socket()
    await p_sock.call("join", {"consultation_id": consultation["id"]})
    await d_sock.call("join", {"consultation_id": consultation["id"]})
    await d_sock.disconnect()
    await wait_for(lambda: events_named(p_sock, "peer:left"))
    assert events_named(p_sock, "peer:left")[0] == {"consultation_id": consultation["id"], "role": "doctor"}
    await wait_for(lambda: events_named(p_sock, "consult:ended"), timeout=10)
    assert events_named(p_sock, "consult:ended")[0]["reason"] == "doctor_left"
    me = await (await patient.get("/api/queue/me")).json()
    assert me["status"] == "waiting" and me["position"] == 1


async def test_patient_who_drops_interrupts_and_the_doctor_calls_them_back(people, db):
    doctor = await people.doctor()
    patient, _ = await queued_patient(people)
    cid = (await (await doctor.post("/api/doctor/claim", json={})).json())["id"]
    p_sock, d_sock = await patient.socket(), await doctor.socket()
    await d_sock.call("join", {"consultation_id": cid})
    await p_sock.call("join", {"consultation_id": cid})
    await p_sock.disconnect()
    await wait_for(lambda: events_named(d_sock, "consult:interrupted"), timeout=10)
    assert (await (await doctor.get(f"/api/consultations/{cid}")).json())["status"] == "interrupted"

    back = await patient.socket()
    assert (await doctor.post(f"/api/consultations/{cid}/recall")).status == 200
    await wait_for(lambda: {"consultation_id": cid} in events_named(back, "consult:ready"))
    assert (await back.call("join", {"consultation_id": cid}))["ok"]
    assert (await (await doctor.get(f"/api/consultations/{cid}")).json())["status"] == "active"
    await wait_for(lambda: {"consultation_id": cid, "role": "patient"} in events_named(d_sock, "peer:joined"))


async def test_automatic_mode_offers_the_next_patient_to_a_free_doctor(people, db):
    doctor = await people.doctor(department="fever", available=False)
    d_sock = await doctor.socket()
    response = await doctor.post("/api/doctor/status", json={"status": "available", "auto_assign": True})
    assert (await response.json()) == {"status": "available", "auto_assign": True}
    patient, entry = await queued_patient(people, FEVER_WITH_EXPOSURE)
    assert entry["department"] == "fever"
    await wait_for(lambda: events_named(d_sock, "consult:ready"), timeout=5)
    cid = events_named(d_sock, "consult:ready")[0]["consultation_id"]
    assert (await (await patient.get("/api/queue/me")).json())["consultation_id"] == cid
    alerts = events_named(d_sock, "queue:alert")
    assert alerts and alerts[0]["kind"] == "new_patient" and alerts[0]["entry_id"] == entry["id"]
