"""Nobody is lost: a dropped call resumes, "I feel worse" while waiting, call quality kept."""
from __future__ import annotations

import asyncio

from helpers import events_named, queued_patient, wait_for
from helpers.rtc_peer import RtcPeer

LEVEL_4 = {"age_years": 30, "symptoms": ["cough", "sore_throat"], "temperature_c": 37.8}


async def test_patient_connection_drops_and_the_call_resumes_on_a_new_connection(people, db):
    doctor = await people.doctor()
    patient, _ = await queued_patient(people)
    cid = (await (await doctor.post("/api/doctor/claim", json={})).json())["id"]
    d_sock, p_sock = await doctor.socket(), await patient.socket()
    doctor_peer, patient_peer = RtcPeer(d_sock, cid, "doctor"), RtcPeer(p_sock, cid, "patient")

    async def reoffer(message):  # as the doctor's page does: a returning patient gets a new offer
        if message["role"] == "patient":
            await doctor_peer.offer()
    d_sock.on("peer:joined", reoffer)
    peers = [doctor_peer, patient_peer]
    try:
        await d_sock.call("join", {"consultation_id": cid})
        await p_sock.call("join", {"consultation_id": cid})  # peer:joined: the doctor offers (once, as the page does)
        await wait_for(lambda: doctor_peer.frames_received > 5 and patient_peer.frames_received > 5, timeout=20)

        await p_sock.disconnect()          # the network drops
        await patient_peer.close()
        await wait_for(lambda: {"consultation_id": cid, "role": "patient"} in events_named(d_sock, "peer:left"))

        new_sock = await patient.socket()  # a new connection, as after a reload
        new_peer = RtcPeer(new_sock, cid, "patient")
        peers.append(new_peer)
        before = doctor_peer.frames_received
        ack = await new_sock.call("join", {"consultation_id": cid})
        assert ack["ok"] and ack["peers"] == ["doctor"]
        await wait_for(lambda: new_peer.frames_received > 5 and doctor_peer.frames_received > before + 5, timeout=20)
        consultation = await (await doctor.get(f"/api/consultations/{cid}")).json()
        assert consultation["status"] == "active"
    finally:
        await asyncio.gather(*(p.close() for p in peers))


async def test_feeling_worse_moves_up_and_never_down(people, db):
    doctor = await people.doctor()
    ahead, _ = await queued_patient(people, LEVEL_4, name="Ahead")
    worse, entry = await queued_patient(people, LEVEL_4, name="Worse")
    assert entry["level"] == 4 and entry["position"] == 2
    ahead_socket = await ahead.socket()
    await ahead_socket.call("queue:subscribe", {})

    response = await worse.post("/api/queue/me/reassess", json={"answers": {
        "age_years": 30, "symptoms": ["cough", "sore_throat", "abdominal_pain"], "pain_score": 6, "temperature_c": 37.8}})
    assert response.status == 200
    body = await response.json()
    assert body["entry"]["level"] == 3 and body["entry"]["position"] == 1 and body["assessment"]["level"] == 3
    await wait_for(lambda: events_named(ahead_socket, "queue:update"))
    assert (await (await ahead.get("/api/queue/me")).json())["position"] == 2
    queue = await (await doctor.get("/api/doctor/queue")).json()
    assert [e["patient"]["name"] for e in queue["entries"]] == ["Worse", "Ahead"]

    milder = await worse.post("/api/queue/me/reassess", json={"answers": {"age_years": 30, "symptoms": ["runny_nose"]}})
    assert (await milder.json())["entry"]["level"] == 3  # urgency never falls while waiting
    bad = await worse.post("/api/queue/me/reassess", json={"answers": {"age_years": 200, "symptoms": []}})
    assert bad.status == 422 and (await bad.json())["error"]["field"] == "answers.age_years"
    assert (await (await worse.get("/api/queue/me")).json())["level"] == 3


async def test_red_flag_while_waiting_escalates_and_alerts_the_doctor(people, db):
    doctor = await people.doctor()
    d_sock = await doctor.socket()
    patient, entry = await queued_patient(people, LEVEL_4)
    response = await patient.post("/api/queue/me/reassess", headers={"Accept-Language": "zh-CN"}, json={"answers": {
        "age_years": 30, "symptoms": ["face_droop", "arm_weakness"]}})
    body = await response.json()
    assert body["entry"]["status"] == "escalated" and body["assessment"]["disposition"] == "emergency"
    assert "120" in body["assessment"]["instruction"]
    assert (await patient.get("/api/queue/me")).status == 404
    await wait_for(lambda: any(a["kind"] == "escalated" and a["entry_id"] == entry["id"]
                               for a in events_named(d_sock, "queue:alert")))
    assert (await (await doctor.get("/api/doctor/queue")).json())["entries"] == []


async def test_call_quality_is_kept_for_members_only(people):
    doctor = await people.doctor()
    patient, _ = await queued_patient(people)
    cid = (await (await doctor.post("/api/doctor/claim", json={})).json())["id"]
    figures = {"rtt_ms": 42.5, "packet_loss_pct": 0.5, "jitter_ms": 3.1, "bitrate_kbps": 850.0,
               "frame_width": 640, "frames_decoded": 1200}
    assert (await patient.post(f"/api/consultations/{cid}/quality", json=figures)).status == 204
    consultation = await (await doctor.get(f"/api/consultations/{cid}")).json()
    assert consultation["quality"]["patient"]["rtt_ms"] == 42.5
    assert consultation["quality"]["patient"]["frames_decoded"] == 1200
    stranger = await people.patient()
    assert (await stranger.post(f"/api/consultations/{cid}/quality", json=figures)).status == 403
    bad = await patient.post(f"/api/consultations/{cid}/quality", json={**figures, "packet_loss_pct": 140})
    assert bad.status == 422 and (await bad.json())["error"]["field"] == "packet_loss_pct"


async def test_precheck_result_is_shown_to_the_doctor(people):
    doctor = await people.doctor()
    patient, _ = await queued_patient(people)
    assert (await patient.post("/api/queue/me/precheck",
                               json={"camera": True, "microphone": False, "rtt_ms": 12})).status == 204
    entry = (await (await doctor.get("/api/doctor/queue")).json())["entries"][0]
    assert entry["precheck"]["camera"] is True and entry["precheck"]["microphone"] is False
    assert entry["precheck"]["rtt_ms"] == 12
