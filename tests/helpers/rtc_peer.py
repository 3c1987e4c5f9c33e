"""A real WebRTC peer (aiortc) that speaks our signaling like the browser pages do.

The doctor offers; the patient answers every offer with a fresh peer connection. aiortc gathers
its candidates before it returns the description, so the SDP carries them (no trickle).
"""
from __future__ import annotations

import asyncio
import fractions

from aiortc import (
    RTCConfiguration,
    RTCIceServer,
    RTCIceTransportPolicy,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from av import VideoFrame


class PatternTrack(VideoStreamTrack):
    """A small moving test pattern, so frames are cheap and distinguishable."""

    def __init__(self, shade: int = 80):
        super().__init__()
        self.shade = shade
        self.count = 0

    async def recv(self) -> VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = VideoFrame(width=160, height=120, format="yuv420p")
        luma = bytearray([self.shade]) * (frame.planes[0].line_size * 120)
        luma[(self.count * 4) % 160] = 255
        frame.planes[0].update(bytes(luma))
        for plane in frame.planes[1:]:
            plane.update(bytes([128]) * plane.buffer_size)
        self.count += 1
        frame.pts, frame.time_base = pts, time_base or fractions.Fraction(1, 90000)
        return frame


class RtcPeer:
    """One member's media side of a consultation, driven by a Socket.IO client."""

    def __init__(self, sio, consultation_id: str, role: str, ice_servers: list[dict] | None = None,
                 relay_only: bool = False):
        self.sio, self.cid, self.role = sio, str(consultation_id), role
        self.ice_servers = ice_servers or []
        self.relay_only = relay_only
        self.pc: RTCPeerConnection | None = None
        self.frames_received = 0
        self._tasks: list[asyncio.Task] = []
        self.connected = asyncio.Event()
        self.signal_kinds: list[str] = []  # kinds of the signals this peer received, in order
        sio.on("signal", self._on_signal)

    def _configuration(self) -> RTCConfiguration:
        servers = [RTCIceServer(urls=s["urls"], username=s.get("username"), credential=s.get("credential"))
                   for s in self.ice_servers]
        # relay_only: gather nothing but TURN relay candidates (like a browser's iceTransportPolicy
        # "relay"), so no host candidate can take part in the checks either.
        policy = RTCIceTransportPolicy.RELAY if self.relay_only else RTCIceTransportPolicy.ALL
        return RTCConfiguration(iceServers=servers, iceTransportPolicy=policy)

    async def _new_pc(self) -> RTCPeerConnection:
        if self.pc is not None:
            await self.pc.close()
        pc = RTCPeerConnection(self._configuration())
        pc.addTrack(PatternTrack(40 if self.role == "doctor" else 200))

        @pc.on("track")
        def on_track(track):
            if track.kind == "video":
                self._tasks.append(asyncio.ensure_future(self._consume(track)))

        @pc.on("connectionstatechange")
        def on_state():
            if pc.connectionState == "connected":
                self.connected.set()

        self.pc = pc
        return pc

    def _sdp(self, description) -> str:
        sdp = description.sdp
        if self.relay_only:  # keep only TURN relay candidates: the call must go through the TURN server
            sdp = "\r\n".join(line for line in sdp.split("\r\n")
                              if not line.startswith("a=candidate:") or " typ relay" in line)
        return sdp

    async def _consume(self, track) -> None:
        try:
            while True:
                await track.recv()
                self.frames_received += 1
        except Exception:
            return

    async def offer(self) -> None:
        """Start (or restart) the call from the doctor's side."""
        pc = await self._new_pc()
        await pc.setLocalDescription(await pc.createOffer())
        await self.sio.emit("signal", {"consultation_id": self.cid, "kind": "offer",
                                       "data": {"type": "offer", "sdp": self._sdp(pc.localDescription)}})

    async def _on_signal(self, message) -> None:
        if message.get("consultation_id") != self.cid:
            return
        kind, data = message["kind"], message.get("data")
        self.signal_kinds.append(kind)
        if kind == "offer" and self.role == "patient":
            pc = await self._new_pc()
            await pc.setRemoteDescription(RTCSessionDescription(sdp=data["sdp"], type="offer"))
            await pc.setLocalDescription(await pc.createAnswer())
            await self.sio.emit("signal", {"consultation_id": self.cid, "kind": "answer",
                                           "data": {"type": "answer", "sdp": self._sdp(pc.localDescription)}})
        elif kind == "answer" and self.role == "doctor" and self.pc is not None:
            if self.pc.signalingState == "have-local-offer":
                await self.pc.setRemoteDescription(RTCSessionDescription(sdp=data["sdp"], type="answer"))

    def _nominated_pairs(self) -> list:
        pairs = []
        for transceiver in self.pc.getTransceivers() if self.pc else []:
            ice = transceiver.receiver.transport.transport  # RTCDtlsTransport -> RTCIceTransport
            pair = ice._connection._nominated.get(1) if hasattr(ice, "_connection") else None
            if pair is not None:
                pairs.append(pair)
        return pairs

    def selected_candidate_types(self) -> set[str]:
        """The local candidate types of the pairs in use on the connection's ICE transports."""
        return {pair.local_candidate.type for pair in self._nominated_pairs()}

    def selected_remote_candidate_types(self) -> set[str]:
        """The remote candidate types of the pairs in use."""
        return {pair.remote_candidate.type for pair in self._nominated_pairs()}

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self.pc is not None:
            await self.pc.close()
