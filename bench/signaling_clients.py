"""The signaling benchmark's client side: the message mix a browser sends, and the worker process
that drives many Socket.IO members in one asyncio loop, commanded through a pipe (bench/signaling.py)."""
from __future__ import annotations

import asyncio
import gc
import random
import time
from dataclasses import dataclass, field

CONNECT_CONCURRENCY = 50
# ---------------------------------------------------------------------------------------------
# Messages: the sizes a browser sends.

_SDP_LINES = ["v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0",
              "a=group:BUNDLE 0 1", "a=extmap-allow-mixed", "a=msid-semantic: WMS stream"]
for _m in ("audio", "video"):
    _SDP_LINES += [f"m={_m} 9 UDP/TLS/RTP/SAVPF 111 63 9 0 8 13 110 126", "c=IN IP4 0.0.0.0",
                   "a=rtcp:9 IN IP4 0.0.0.0", "a=ice-ufrag:Xb2L", "a=ice-pwd:b1Yq0mXmV6T5Lk9wF0r8ZgH2",
                   "a=fingerprint:sha-256 " + ":".join(["7B"] * 32), "a=setup:actpass", "a=sendrecv",
                   "a=rtcp-mux", "a=rtcp-rsize"]
    _SDP_LINES += [f"a=rtpmap:{96 + i} VP8/90000\r\na=rtcp-fb:{96 + i} nack pli\r\na=fmtp:{96 + i} apt=100"
                   for i in range(12)]
SDP = "\r\n".join(_SDP_LINES)
SDP = (SDP + "\r\n" + "a=x-pad:" + "0" * max(0, 4000 - len(SDP)))[:4000] + "\r\n"
CANDIDATE = ("candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.5 rport 46154 "
             "generation 0 ufrag Xb2L network-id 1 network-cost 10")
CHAT = "医生您好，我咳嗽三天了，晚上更厉害，没有发烧，需要做什么检查吗？"
SDP_SHARE = 0.10  # offers/answers; candidates make up the rest after chat (--chat-share, default 0.2)


def message_mix(chat_share: float) -> tuple[tuple[str, float], ...]:
    """(kind, share) of the messages each member sends."""
    return (("sdp", SDP_SHARE), ("candidate", 1 - SDP_SHARE - chat_share), ("chat", chat_share))


def pick_kind(rng: random.Random, mix) -> str:
    """A message kind drawn from `mix`."""
    x, total = rng.random(), 0.0
    for kind, weight in mix:
        total += weight
        if x < total:
            return kind
    return mix[-1][0]


# ---------------------------------------------------------------------------------------------
# Client worker process: many Socket.IO clients in one asyncio loop, driven through a pipe.

_IN_FLIGHT: set = set()


def _spawn(coro) -> None:
    """Run a send in the background, held here: the loop keeps only weak references to tasks."""
    task = asyncio.ensure_future(coro)
    _IN_FLIGHT.add(task)
    task.add_done_callback(_IN_FLIGHT.discard)


class Member:
    """One side of a consultation: a Socket.IO client that sends and times messages."""

    def __init__(self, spec: dict, impl: str, stats: PhaseStats, mix):
        import socketio
        self.spec, self.impl, self.role, self.mix = spec, impl, spec["role"], mix
        self.cid = spec["cid"]
        self.stats = stats
        self.rng = random.Random(hash((spec["cid"], self.role)))
        self.closed_loop = False
        self.sio = socketio.AsyncClient(reconnection=False, handle_sigint=False)
        self.sio.on("signal", self.on_signal)
        self.sio.on("chat", self.on_chat)

    async def connect(self) -> None:
        url = self.spec["url"]
        if self.impl == "ours":
            await self.sio.connect(url, headers={"Cookie": f"clinic_session={self.spec['token']}"},
                                   transports=["websocket"], wait_timeout=30)
            ack = await self.sio.call("join", {"consultation_id": self.cid}, timeout=60)
            if not ack.get("ok"):
                raise RuntimeError(f"join refused: {ack}")
        else:
            await self.sio.connect(url, auth={"room": f"pair:{self.cid}"}, transports=["websocket"], wait_timeout=30)

    async def send(self, kind: str | None = None) -> None:
        kind = kind or pick_kind(self.rng, self.mix)
        ts = time.monotonic()
        if self.stats.start <= ts <= self.stats.end:
            self.stats.sent += 1
        phase = self.stats.phase
        if kind == "chat":
            text = f"{ts!r}|{phase}|{CHAT}"
            payload = ({"consultation_id": self.cid, "text": text} if self.impl == "ours"
                       else {"text": text, "from_role": self.role})
            if self.impl == "ours":  # the ack tells a refusal (the chat rate limit) from a loss
                await self.sio.emit("chat", payload, callback=lambda ack=None: self._chat_ack(ack, ts))
            else:
                await self.sio.emit("chat", payload)
            return
        if kind == "sdp":
            sdp_kind = "offer" if self.role == "doctor" else "answer"
            data, kind = {"type": sdp_kind, "sdp": SDP, "ts": ts, "ph": phase}, sdp_kind
        else:
            data = {"candidate": CANDIDATE, "sdpMid": "0", "sdpMLineIndex": 0, "ts": ts, "ph": phase}
        payload = {"kind": kind, "data": data}
        if self.impl == "ours":
            payload["consultation_id"] = self.cid
        await self.sio.emit("signal", payload)

    def _chat_ack(self, ack, ts: float) -> None:
        """A chat the server refused (20 a person per 10 s) is counted apart, not as sent; in the
        closed loop the member sends something else so that its loop goes on."""
        if not isinstance(ack, dict) or ack.get("ok") or (ack.get("error") or {}).get("code") != "rate_limited":
            return
        if self.stats.start <= ts <= self.stats.end:
            self.stats.sent -= 1
            self.stats.refused += 1
        if self.closed_loop:
            _spawn(self.send("candidate"))

    async def on_signal(self, message) -> None:
        self._arrived("signal", message["data"]["ts"], message["data"]["ph"])

    async def on_chat(self, message) -> None:
        if message.get("from_role") == self.role:
            return  # ours (and the bare relay) send a chat to both members: not a delivery to count
        ts, phase, _ = message["text"].split("|", 2)
        self._arrived("chat", float(ts), int(phase))

    def _arrived(self, kind: str, ts: float, phase: int) -> None:
        now = time.monotonic()
        self.stats.arrived(kind, ts, phase, now)
        if self.closed_loop and phase == self.stats.phase:
            _spawn(self.send())


@dataclass
class PhaseStats:
    """Deliveries of one phase's messages: in the window (timed), after it (late), or never (lost)."""

    phase: int = 0
    start: float = 0.0
    end: float = float("inf")
    delays: dict = field(default_factory=lambda: {"signal": [], "chat": []})
    delivered: int = 0
    sent: int = 0
    late: int = 0   # sent in the window, arrived after it
    refused: int = 0  # chat refused by the server's rate limit (an answer, not a loss)
    stale: int = 0  # an earlier phase's message arriving in this one (a backlog)

    def reset(self, seconds: float) -> None:
        self.phase += 1
        self.delays, self.delivered, self.sent, self.late, self.stale = {"signal": [], "chat": []}, 0, 0, 0, 0
        self.refused = 0
        self.start = time.monotonic()
        self.end = self.start + seconds

    def arrived(self, kind: str, ts: float, phase: int, now: float) -> None:
        if phase != self.phase:
            self.stale += 1
            return
        self.delays[kind].append(now - ts)  # late ones too: they belong in the latency figures
        if now <= self.end:
            self.delivered += 1
        else:
            self.late += 1

    def trouble(self) -> dict:
        return {"lost": max(0, self.sent - self.delivered - self.late), "late": self.late, "stale": self.stale,
                "refused": self.refused}


async def _connect(member: Member, gate: asyncio.Semaphore, errors: list[str]) -> None:
    async with gate:
        try:
            await member.connect()
        except Exception as exc:  # noqa: BLE001 - counted and reported, the run goes on
            errors.append(f"{type(exc).__name__}: {exc}"[:200])


async def _paced(member: Member, rate: float, end: float) -> None:
    """Poisson sends at `rate` per second until `end`."""
    while True:
        pause = member.rng.expovariate(rate)
        if time.monotonic() + pause >= end:
            return
        await asyncio.sleep(pause)
        await member.send()


async def _worker_main(conn, impl: str, chat_share: float) -> None:
    loop = asyncio.get_running_loop()
    stats = PhaseStats(start=float("inf"))
    members: list[Member] = []
    while True:
        command, *args = await loop.run_in_executor(None, conn.recv)
        if command == "connect":
            specs, = args
            started, errors = time.monotonic(), []
            gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
            new = [Member(spec, impl, stats, message_mix(chat_share)) for spec in specs]
            # Patients first: a doctor's first message then always finds the patient in the room.
            await asyncio.gather(*(_connect(m, gate, errors) for m in new if m.role == "patient"))
            await asyncio.gather(*(_connect(m, gate, errors) for m in new if m.role == "doctor"))
            members += new
            # The load generator must not add its own pauses: a full collection over a thousand
            # clients' objects stops this process for a few hundred ms. Frozen objects are skipped.
            gc.collect()
            gc.freeze()
            conn.send(("connected", sum(m.sio.connected for m in members), errors[:5], len(errors),
                       time.monotonic() - started))
        elif command in ("latency", "throughput"):
            seconds, rate = args
            live = [m for m in members if m.sio.connected]
            stats.reset(seconds)
            if command == "latency":
                await asyncio.gather(*(_paced(m, rate, stats.end) for m in live))
            else:
                for m in live:
                    m.closed_loop = True
                for m in live:
                    await m.send()
                await asyncio.sleep(max(0.0, stats.end - time.monotonic()))
                for m in live:
                    m.closed_loop = False
            await asyncio.sleep(2.0)  # let the messages in flight arrive before the next phase
            conn.send((command, stats.delays, stats.delivered,
                       {**stats.trouble(), "dropped": len(live) - sum(m.sio.connected for m in live)}))
        elif command == "close":
            await asyncio.gather(*(m.sio.disconnect() for m in members if m.sio.connected),
                                 return_exceptions=True)
            conn.send(("closed",))
            return


def worker_entry(conn, impl: str, chat_share: float) -> None:
    """Client worker process entry point."""
    asyncio.run(_worker_main(conn, impl, chat_share))
