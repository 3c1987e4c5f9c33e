"""Two real aiortc peers, signed in through the real API, call each other through our signaling."""
from __future__ import annotations

import asyncio

from helpers import events_named, queued_patient, wait_for
from helpers.rtc_peer import RtcPeer


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


async def test_precheck_peer_echoes_the_camera_and_answers_pings(people):
    from aiortc import RTCPeerConnection, RTCSessionDescription

    from helpers.rtc_peer import PatternTrack

    patient = await people.patient()
    pc = RTCPeerConnection()
    pc.addTrack(PatternTrack())
    channel = pc.createDataChannel("ping")
    echoed, pongs = [], []
    opened = asyncio.Event()
    channel.on("open", opened.set)
    channel.on("message", lambda message: pongs.append(message))

    @pc.on("track")
    def on_track(track):
        async def consume():
            while True:
                echoed.append(await track.recv())
        asyncio.ensure_future(consume())

    try:
        await pc.setLocalDescription(await pc.createOffer())
        response = await patient.post("/api/rtc/precheck", json={"sdp": pc.localDescription.sdp, "type": "offer"})
        assert response.status == 200
        answer = await response.json()
        await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type=answer["type"]))
        await asyncio.wait_for(opened.wait(), 10)
        channel.send("12345.6")
        await wait_for(lambda: len(echoed) > 5 and pongs == ["12345.6"], timeout=15)
        bad = await patient.post("/api/rtc/precheck", json={"sdp": "not an sdp at all", "type": "offer"})
        assert bad.status == 422
    finally:
        await pc.close()
