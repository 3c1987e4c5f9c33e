"""Two real aiortc peers, signed in through the real API, call each other through our signaling."""
from __future__ import annotations

import asyncio

from conftest import events_named, queued_patient, wait_for
from rtc_peer import RtcPeer


async def test_patient_and_doctor_exchange_video_frames_and_a_stranger_sees_nothing(people):
    doctor = await people.doctor()
    patient, _ = await queued_patient(people)
    cid = (await (await doctor.post("/api/doctor/claim", json={})).json())["id"]
    stranger = await people.patient(name="Stranger")

    d_sock, p_sock, s_sock = await doctor.socket(), await patient.socket(), await stranger.socket()
    doctor_peer = RtcPeer(d_sock, cid, "doctor")
    patient_peer = RtcPeer(p_sock, cid, "patient")
    try:
        assert (await p_sock.call("join", {"consultation_id": cid}))["ok"]
        ack = await d_sock.call("join", {"consultation_id": cid})
        assert ack["ok"] and ack["peers"] == ["patient"]
        refused = await s_sock.call("join", {"consultation_id": cid})
        assert refused["ok"] is False

        await doctor_peer.offer()
        await wait_for(lambda: doctor_peer.frames_received > 10 and patient_peer.frames_received > 10, timeout=20)
        assert events_named(s_sock, "signal") == []
        assert patient_peer.signal_kinds == ["offer"] and doctor_peer.signal_kinds == ["answer"]
    finally:
        await asyncio.gather(doctor_peer.close(), patient_peer.close())
