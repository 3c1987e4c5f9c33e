"""A server-side aiortc peer for the waiting room's pre-call check.

The browser sends its camera and microphone; the server echoes the video back (so the patient
sees that their picture reaches us) and answers pings on a data channel, from which the browser
measures the round trip. Peers are short-lived and capped: a VP8 stream costs about a sixth of a
core here, so the check is small and ends on its own.
"""
from __future__ import annotations

import asyncio
import logging

from aiortc import RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaBlackhole, MediaRelay

log = logging.getLogger(__name__)


class PeersBusy(Exception):
    """Too many pre-call checks at once."""


class EchoPeers:
    """Creates, tracks and closes the echo peers of one server process."""

    def __init__(self, max_peers: int = 8, lifetime_seconds: float = 45.0):
        self.max_peers = max_peers
        self.lifetime = lifetime_seconds
        self.peers: set[RTCPeerConnection] = set()
        self.relay = MediaRelay()

    async def answer(self, sdp: str, kind: str) -> RTCSessionDescription:
        """Accept a browser's offer and return the answer (ICE candidates included: no trickle)."""
        if not sdp.startswith("v=0") or "\nm=" not in sdp:
            raise ValueError("an offer is an SDP with at least one media section")
        if len(self.peers) >= self.max_peers:
            raise PeersBusy()
        pc = RTCPeerConnection()
        self.peers.add(pc)
        sink = MediaBlackhole()

        @pc.on("datachannel")
        def on_datachannel(channel):
            @channel.on("message")
            def on_message(message):
                # Echo pings at once: the browser measures the round trip from its own clock.
                if isinstance(message, str) and len(message) < 200:
                    channel.send(message)

        @pc.on("track")
        def on_track(track):
            if track.kind == "video":
                pc.addTrack(self.relay.subscribe(track))
            else:
                sink.addTrack(track)

        @pc.on("connectionstatechange")
        async def on_state():
            if pc.connectionState in ("failed", "closed"):
                await self._close(pc, sink)

        try:
            await pc.setRemoteDescription(RTCSessionDescription(sdp=sdp, type=kind))
            await pc.setLocalDescription(await pc.createAnswer())
        except Exception as exc:
            await self._close(pc, sink)
            # aiortc's parser fails on garbage in many ways (KeyError, IndexError, ValueError...):
            # each is the client's malformed offer, never our failure.
            raise ValueError("the offer could not be read") from exc
        await sink.start()
        asyncio.get_running_loop().call_later(self.lifetime, lambda: asyncio.ensure_future(self._close(pc, sink)))
        return pc.localDescription

    async def _close(self, pc: RTCPeerConnection, sink: MediaBlackhole) -> None:
        if pc in self.peers:
            self.peers.discard(pc)
            await sink.stop()
            await pc.close()

    async def close_all(self) -> None:
        """Close every peer (at shutdown)."""
        await asyncio.gather(*(pc.close() for pc in list(self.peers)), return_exceptions=True)
        self.peers.clear()
