"""The walking skeleton through the real API and real Socket.IO clients: queue, claim, room, chat, end."""
from __future__ import annotations

import asyncio

import socketio

from helpers import events_named, queued_patient, wait_for


async def test_patient_queues_doctor_claims_both_get_consult_ready(people, db):
    doctor = await people.doctor()
    doctor_socket = await doctor.socket()
    patient, entry = await queued_patient(people)
    assert entry["status"] == "waiting" and entry["position"] == 1 and entry["department"] == "internal"
    patient_socket = await patient.socket()

    claim = await doctor.post("/api/doctor/claim", json={})
    assert claim.status == 201
    consultation = await claim.json()
    assert consultation["status"] == "active" and consultation["patient"]["id"] == patient.id

    ready = {"consultation_id": consultation["id"]}
    await wait_for(lambda: ready in events_named(patient_socket, "consult:ready"))
    await wait_for(lambda: ready in events_named(doctor_socket, "consult:ready"))
    me = await (await patient.get("/api/queue/me")).json()
    assert me["status"] == "called" and me["consultation_id"] == consultation["id"]
    assert (await doctor.post("/api/doctor/claim", json={})).status == 409  # one consultation at a time


async def test_claim_with_nobody_waiting_is_404(people):
    doctor = await people.doctor()
    response = await doctor.post("/api/doctor/claim", json={})
    assert response.status == 404 and (await response.json())["error"]["code"] == "nobody_waiting"


async def test_second_enqueue_is_409_and_leaving_works(people, db):
    patient, entry = await queued_patient(people)
    again = await patient.post("/api/triage/assessments", json={"answers": {"age_years": 30, "symptoms": ["cough"]}})
    second = await patient.post("/api/queue", json={"assessment_id": (await again.json())["id"]})
    assert second.status == 409 and (await second.json())["error"]["code"] == "already_queued"
    assert (await patient.delete("/api/queue/me")).status == 204
    assert (await patient.get("/api/queue/me")).status == 404
    async with db.acquire() as conn:
        assert await conn.fetchval("SELECT status FROM queue_entries WHERE id = $1", int(entry["id"])) == "left"


async def test_someone_elses_assessment_cannot_be_queued(people):
    owner = await people.patient()
    other = await people.patient()
    assessment = await (await owner.post("/api/triage/assessments",
                                         json={"answers": {"age_years": 30, "symptoms": ["cough"]}})).json()
    response = await other.post("/api/queue", json={"assessment_id": assessment["id"]})
    assert response.status == 403
    assert (await other.get("/api/queue/me")).status == 404


async def _in_consultation(people):
    doctor = await people.doctor()
    patient, _ = await queued_patient(people)
    consultation = await (await doctor.post("/api/doctor/claim", json={})).json()
    return patient, doctor, consultation["id"]


async def test_only_members_join_and_signals_reach_only_the_other_member(people):
    patient, doctor, cid = await _in_consultation(people)
    stranger = await people.patient(name="Stranger")
    other_doctor = await people.doctor()
    p_sock, d_sock = await patient.socket(), await doctor.socket()
    s_sock, od_sock = await stranger.socket(), await other_doctor.socket()

    assert (await d_sock.call("join", {"consultation_id": cid}))["ok"] is True
    ack = await p_sock.call("join", {"consultation_id": cid})
    assert ack == {"ok": True, "role": "patient", "peers": ["doctor"]}
    for sock in (s_sock, od_sock):
        refused = await sock.call("join", {"consultation_id": cid})
        assert refused["ok"] is False and refused["error"]["code"] == "forbidden"
        not_joined = await sock.call("signal", {"consultation_id": cid, "kind": "offer",
                                                "data": {"type": "offer", "sdp": "v=0"}})
        assert not_joined["ok"] is False

    offer = {"type": "offer", "sdp": "v=0\r\n"}
    assert (await d_sock.call("signal", {"consultation_id": cid, "kind": "offer", "data": offer}))["ok"]
    await wait_for(lambda: events_named(p_sock, "signal"))
    assert events_named(p_sock, "signal") == [{"consultation_id": cid, "kind": "offer", "data": offer,
                                               "from_role": "doctor"}]
    await asyncio.sleep(0.2)
    assert events_named(d_sock, "signal") == []  # never echoed to the sender
    assert events_named(s_sock, "signal") == [] and events_named(od_sock, "signal") == []
    assert events_named(d_sock, "peer:joined") == [{"consultation_id": cid, "role": "patient"}]


async def test_oversized_and_malformed_signals_are_refused(people):
    patient, doctor, cid = await _in_consultation(people)
    p_sock, d_sock = await patient.socket(), await doctor.socket()
    await d_sock.call("join", {"consultation_id": cid})
    await p_sock.call("join", {"consultation_id": cid})
    huge = {"candidate": "a" * 1_000_000, "sdpMid": "0"}
    ack = await d_sock.call("signal", {"consultation_id": cid, "kind": "candidate", "data": huge}, timeout=10)
    assert ack["ok"] is False and ack["error"]["code"] == "too_large"
    for bad in ({"consultation_id": cid, "kind": "shout", "data": None},
                {"consultation_id": "x", "kind": "offer", "data": None},
                {"consultation_id": cid, "kind": "offer", "data": {"type": "answer", "sdp": "v=0"}},
                "not an object"):
        assert (await d_sock.call("signal", bad))["ok"] is False
    await asyncio.sleep(0.2)
    assert events_named(p_sock, "signal") == []
    assert d_sock.connected  # a bad message is refused, the connection stays


async def test_chat_is_stored_and_reaches_both(people, db):
    patient, doctor, cid = await _in_consultation(people)
    p_sock, d_sock = await patient.socket(), await doctor.socket()
    await d_sock.call("join", {"consultation_id": cid})
    await p_sock.call("join", {"consultation_id": cid})
    ack = await p_sock.call("chat", {"consultation_id": cid, "text": "我咳嗽三天了"})
    assert ack["ok"]
    await wait_for(lambda: events_named(d_sock, "chat"))
    message = events_named(d_sock, "chat")[0]
    assert message["text"] == "我咳嗽三天了" and message["from_role"] == "patient" and message["consultation_id"] == cid
    await wait_for(lambda: events_named(p_sock, "chat"))
    assert (await d_sock.call("chat", {"consultation_id": cid, "text": "x" * 2001}))["ok"] is False
    consultation = await (await doctor.get(f"/api/consultations/{cid}")).json()
    assert [m["text"] for m in consultation["messages"]] == ["我咳嗽三天了"]


async def test_strangers_are_refused_at_connect(server):
    sio = socketio.AsyncClient(reconnection=False)
    try:
        await sio.connect(f"http://127.0.0.1:{server.port}", transports=["websocket"], wait_timeout=5)
        connected = True
    except socketio.exceptions.ConnectionError:
        connected = False
    assert not connected
    forged = socketio.AsyncClient(reconnection=False)
    try:
        await forged.connect(f"http://127.0.0.1:{server.port}", headers={"Cookie": "clinic_session=forged"},
                             transports=["websocket"], wait_timeout=5)
        connected = True
    except socketio.exceptions.ConnectionError:
        connected = False
    assert not connected


async def test_doctor_ends_and_patient_reads_the_summary(people, client):
    patient, doctor, cid = await _in_consultation(people)
    p_sock = await patient.socket()
    await p_sock.call("join", {"consultation_id": cid})
    record = {"notes": "Dry cough 3 days, no fever.", "diagnosis": "Acute upper respiratory infection",
              "disposition": "advice", "advice": "Rest, fluids; come back if fever over 38.5."}
    bad = await doctor.post(f"/api/consultations/{cid}/end", json={**record, "disposition": "magic"})
    assert bad.status == 422 and (await bad.json())["error"]["field"] == "disposition"
    assert (await patient.post(f"/api/consultations/{cid}/end", json=record)).status == 403
    response = await doctor.post(f"/api/consultations/{cid}/end", json=record)
    assert response.status == 200 and (await response.json())["status"] == "ended"
    await wait_for(lambda: events_named(p_sock, "consult:ended"))
    summary = await (await patient.get(f"/api/consultations/{cid}")).json()
    assert summary["diagnosis"] == record["diagnosis"] and summary["advice"] == record["advice"]
    assert (await doctor.post(f"/api/consultations/{cid}/end", json=record)).status == 409
    assert (await patient.post(f"/api/consultations/{cid}/rating", json={"rating": 5})).status == 204
    stranger = await people.patient()
    assert (await stranger.get(f"/api/consultations/{cid}")).status == 403
    assert (await client.get(f"/api/consultations/{cid}")).status == 401
    assert (await patient.get("/api/consultations/999999")).status == 404
    assert (await patient.get("/api/queue/me")).status == 404  # done: no longer in a queue


async def test_ice_servers_follow_settings(people, settings):
    patient = await people.patient()
    body = await (await patient.get("/api/rtc/ice-servers")).json()
    assert body["iceServers"] == []  # no public STUN default: none configured, none returned


async def test_ids_that_are_not_ids_are_refused_by_field(people):
    patient = await people.patient()
    for bad in ("abc", "0", "-3", "²", "1" * 19, True, 1.5):
        response = await patient.post("/api/queue", json={"assessment_id": bad})
        assert response.status == 422, bad
        assert (await response.json())["error"]["field"] == "assessment_id"
    for bad in ("abc", "²", "1" * 19):
        assert (await patient.get(f"/api/consultations/{bad}")).status == 404, bad
