"""Signaling benchmark: consultation pairs relaying WebRTC signaling and chat through OUR signaling
(real `python -m server` processes: session auth at connect, membership check at join, message
validation, presence and audit rows, chat stored in PostgreSQL) and through a bare python-socketio
relay (bench/bare_relay.py) in the same run, on one process and on two processes with Redis.

    python3 manage.py bench signaling [--pairs 100,500,1000] [--seconds 6] [--rate 0.5] [--chat-share 0.2]
        [--processes 1,2] [--servers ours,bare] [--bare-redis stock|bounded] [--max-minutes 15]

For each process count (1, 2) both servers run side by side and are measured in turn; pairs are
added step by step (100, then 400 more, ...). Each pair is a doctor and a patient, two Socket.IO
clients in one of two client worker processes; with two server processes the doctor connects to
one and the patient to the other, so every message crosses processes through Redis. At each step:

  latency phase    every member sends `--rate` messages/s (Poisson) for --seconds: 10% offer or
                   answer (~4 KB SDP), 70% ICE candidates (~200 B), 20% chat (--chat-share). The send time rides
                   in the payload; the receiving member records the delay (same machine clock).
  throughput phase closed loop for --seconds: each member keeps one message in flight and sends
                   the next when the other member's arrives; messages delivered per second.

Server CPU (psutil, user+system, summed over the server processes) is measured over each phase;
memory per connection is the servers' RSS growth since start divided by the connections.
Everything runs on 127.0.0.1, bounded by --max-minutes, and stops by itself.
"""
from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from bench.common import Postgres, cpu_seconds, percentile, start_server

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
CLIENT_WORKERS = 2
CONNECT_CONCURRENCY = 50
P99_BUDGET = 0.100  # seconds: "one process holds N pairs" means p99 under this
NO_LOGIN = "bench-setup-row-no-password"  # not an argon2 hash: bench accounts cannot sign in
MILD = {"age_years": 34, "symptoms": ["cough", "sore_throat"], "temperature_c": 37.0}
# Server settings that keep housekeeping from touching the bench's consultations mid-run.
SERVER_ENV = {"LOG_LEVEL": "WARNING", "CALL_TIMEOUT_SECONDS": "86400", "REJOIN_GRACE_SECONDS": "86400",
              "AWAY_GRACE_SECONDS": "86400", "TURN_URLS": "", "STUN_URLS": "", "DEMO": ""}

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
            task = asyncio.ensure_future(self.send())
            _IN_FLIGHT.add(task)  # the loop keeps only weak references to tasks
            task.add_done_callback(_IN_FLIGHT.discard)


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
    stale: int = 0  # an earlier phase's message arriving in this one (a backlog)

    def reset(self, seconds: float) -> None:
        self.phase += 1
        self.delays, self.delivered, self.sent, self.late, self.stale = {"signal": [], "chat": []}, 0, 0, 0, 0
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
        return {"lost": max(0, self.sent - self.delivered - self.late), "late": self.late, "stale": self.stale}


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


# ---------------------------------------------------------------------------------------------
# Setup: accounts, sessions and consultations made in the database.

async def make_pairs(database_url: str, count: int) -> list[dict]:
    """`count` consultations, each with a doctor and a patient holding a live session."""
    from db.connect import create_pool
    from db.migrate import migrate
    from server import assessments, seed
    from server.accounts import queries as accounts_sql
    from server.accounts import service as auth
    from server.queue import service as queue_service

    pool = await create_pool(database_url, min_size=1, max_size=8)
    try:
        async with pool.acquire() as conn:
            await migrate(conn)
            await seed.seed_departments(conn)

        async def chunk(indices: range) -> list[dict]:
            out = []
            async with pool.acquire() as conn, conn.transaction():
                for i in indices:
                    doctor = await conn.fetchrow(accounts_sql.INSERT_USER, "doctor", f"Bench Doctor {i}",
                                                 f"bench-doctor-{i}@bench.clinic", None, NO_LOGIN, None, None,
                                                 "internal", None)
                    patient = await conn.fetchrow(accounts_sql.INSERT_USER, "patient", f"Bench Patient {i}", None,
                                                  f"136{i:08d}", NO_LOGIN, None, None, None, None)
                    assessment = await assessments.create(conn, patient["id"], MILD)
                    entry, _ = await queue_service.enqueue(conn, patient["id"], assessment)
                    consultation, _, _ = await queue_service.claim(conn, doctor, entry["id"])
                    doctor_token, _ = await auth.open_session(conn, doctor["id"], 24)
                    patient_token, _ = await auth.open_session(conn, patient["id"], 24)
                    out.append({"cid": str(consultation["id"]), "doctor": doctor_token, "patient": patient_token})
            return out

        size = 100
        parts = await asyncio.gather(*(chunk(range(i, min(i + size, count))) for i in range(0, count, size)))
        return [pair for part in parts for pair in part]
    finally:
        await pool.close()


# ---------------------------------------------------------------------------------------------
# Servers.

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class BareRelay:
    """bench/bare_relay.py in a child process."""

    def __init__(self, redis_url: str | None, log_dir: Path, bounded: bool = False):
        self.port = _free_port()
        args = [sys.executable, "-m", "bench.bare_relay", "--port", str(self.port)]
        if redis_url:
            args += ["--redis-url", redis_url] + (["--bounded"] if bounded else [])
        with open(log_dir / f"bare-relay-{self.port}.log", "ab") as log:  # the child keeps its own copy
            self.proc = subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"bare relay exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("bare relay did not start")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)


class Ours:
    """`python -m server` in a child process (bench/common.py's start_server)."""

    def __init__(self, database_url: str, redis_url: str | None, log_dir: Path):
        self.server = start_server(database_url, env={**SERVER_ENV, "REDIS_URL": redis_url or ""}, log_dir=log_dir)
        self.proc = self.server.proc

    @property
    def url(self) -> str:
        return self.server.url

    def stop(self) -> None:
        self.server.stop()


# ---------------------------------------------------------------------------------------------
# The run.

@dataclass
class Row:
    impl: str
    procs: int
    pairs: int
    connect_seconds: float = 0.0
    connect_errors: int = 0
    p50: float | None = None
    p99: float | None = None
    p99_chat: float | None = None
    latency_rate: float = 0.0
    throughput: float = 0.0
    server_cpu: float = 0.0  # percent of one core, throughput phase, all server processes
    server_cpu_latency: float = 0.0
    client_cpu: float = 0.0
    kb_per_connection: float | None = None
    lost: int = 0
    notes: list[str] = field(default_factory=list)


def _trouble_notes(phase: str, trouble: dict, include_late: bool) -> list[str]:
    notes = []
    if trouble["lost"]:
        notes.append(f"{phase}: {trouble['lost']} not delivered within 2 s after the window")
    if include_late and trouble["late"]:
        notes.append(f"{phase}: {trouble['late']} delivered after the window")
    if trouble["dropped"]:
        notes.append(f"{phase}: {trouble['dropped']} clients disconnected")
    return notes


class Side:
    """One server kind on `procs` processes with its two client workers, stepped through the pair counts."""

    def __init__(self, impl: str, procs: int, pg_url: str | None, log_dir: Path, bare_redis: str = "stock",
                 chat_share: float = 0.2):
        self.impl, self.procs = impl, procs
        self.servers: list = []
        self.workers: list = []
        self.clients: list = []
        self.connected = 0
        redis_url = REDIS_URL if procs > 1 else None
        for _ in range(procs):
            self.servers.append(Ours(pg_url, redis_url, log_dir) if impl == "ours"
                                else BareRelay(redis_url, log_dir, bounded=bare_redis == "bounded"))
        self.server_ps = [psutil.Process(server.proc.pid) for server in self.servers]
        context = multiprocessing.get_context("spawn")
        from bench.signaling import worker_entry as entry  # by module name, also when this file runs as __main__
        for _ in range(CLIENT_WORKERS):
            parent, child = context.Pipe()
            process = context.Process(target=entry, args=(child, impl, chat_share), daemon=True)
            process.start()
            self.workers.append(parent)
            self.clients.append(process)
        self.client_ps = [psutil.Process(process.pid) for process in self.clients]
        time.sleep(1.0)
        self.base_rss = sum(p.memory_info().rss for p in self.server_ps)

    def connect(self, pairs: list[dict], step: int) -> Row:
        """Connect (and join) the pairs up to `step`; the row with connection figures."""
        row = Row(self.impl, self.procs, step)
        shares: list[list[dict]] = [[] for _ in self.workers]
        for i in range(self.connected, step):
            pair = pairs[i]
            # With two processes the doctor and the patient of a pair are on different ones.
            for role, server_index in (("doctor", i % self.procs), ("patient", (i + 1) % self.procs)):
                shares[i % len(self.workers)].append({"cid": pair["cid"], "role": role, "token": pair[role],
                                                      "url": self.servers[server_index].url})
        for conn, share in zip(self.workers, shares):
            conn.send(("connect", share))
        live = 0
        for conn in self.workers:
            if not conn.poll(600):
                raise RuntimeError("client worker did not finish connecting")
            _, n_live, errors, n_errors, seconds = conn.recv()
            live += n_live
            row.connect_errors += n_errors
            row.connect_seconds = max(row.connect_seconds, seconds)
            row.notes += errors
        self.connected = step
        time.sleep(0.5)
        rss = sum(p.memory_info().rss for p in self.server_ps)
        row.kb_per_connection = (rss - self.base_rss) / max(1, live) / 1024
        return row

    def phase(self, command: str, seconds: float, rate: float) -> tuple[dict, int, float, float]:
        """Run one phase on every worker: (delays by kind, deliveries, server CPU %, client CPU %)."""
        for conn in self.workers:
            conn.send((command, seconds, rate))
        cpu0 = [cpu_seconds(p) for p in self.server_ps]
        ccpu0 = [cpu_seconds(p) for p in self.client_ps]
        t0 = time.monotonic()
        time.sleep(seconds)
        elapsed = time.monotonic() - t0
        server_cpu = sum(cpu_seconds(p) - c for p, c in zip(self.server_ps, cpu0)) / elapsed * 100
        client_cpu = sum(cpu_seconds(p) - c for p, c in zip(self.client_ps, ccpu0)) / elapsed * 100
        delays, delivered, trouble = {"signal": [], "chat": []}, 0, {"lost": 0, "late": 0, "stale": 0, "dropped": 0}
        for conn in self.workers:
            if not conn.poll(seconds + 120):
                raise RuntimeError(f"client worker did not finish the {command} phase")
            _, worker_delays, worker_delivered, worker_trouble = conn.recv()
            for kind, values in worker_delays.items():
                delays[kind] += values
            delivered += worker_delivered
            for key in trouble:
                trouble[key] += worker_trouble[key]
        self.trouble = trouble
        return delays, delivered, server_cpu, client_cpu

    def measure(self, row: Row, seconds: float, rate: float) -> None:
        """The latency phase, then the throughput phase, into `row`."""
        delays, delivered, row.server_cpu_latency, _ = self.phase("latency", seconds, rate)
        everything = delays["signal"] + delays["chat"]
        row.p50, row.p99 = percentile(everything, 50), percentile(everything, 99)
        row.p99_chat = percentile(delays["chat"], 99)
        row.latency_rate = delivered / seconds
        row.lost = self.trouble["lost"]
        row.notes += _trouble_notes("latency", self.trouble, include_late=True)
        _, delivered, row.server_cpu, row.client_cpu = self.phase("throughput", seconds, 0)
        row.throughput = delivered / seconds
        row.lost += self.trouble["lost"]
        row.notes += _trouble_notes("throughput", self.trouble, include_late=False)

    def close(self) -> None:
        """Disconnect the clients, end the workers, stop the servers."""
        for conn in self.workers:
            try:
                conn.send(("close",))
                if conn.poll(30):
                    conn.recv()
            except (OSError, EOFError):
                pass
        for process in self.clients:
            process.join(10)
            if process.is_alive():
                process.kill()
        for server in self.servers:
            server.stop()


def run_processes(procs: int, impls: list[str], steps: list[int], pairs: list[dict], args, pg_url: str | None,
                  log_dir: Path, deadline: float) -> list[Row]:
    """Both servers on `procs` processes side by side, measured in turn at each step, so that a
    change in the machine's background load hits both alike."""
    rows: list[Row] = []
    sides: list[Side] = []
    try:
        for impl in impls:
            sides.append(Side(impl, procs, pg_url, log_dir, args.bare_redis, args.chat_share))
        for step in steps:
            if time.monotonic() > deadline:
                print(f"  (--max-minutes reached: {procs} process(es) stops before {step} pairs)", flush=True)
                break
            step_rows = [side.connect(pairs, step) for side in sides]
            for side, row in zip(sides, step_rows):
                side.measure(row, args.seconds, args.rate)
                rows.append(row)
                print("  " + format_row(row), flush=True)
    finally:
        for side in sides:
            side.close()
    return rows


HEADER = (f"{'server':<6} {'procs':>5} {'pairs':>5} {'conns':>5} {'conn s':>6} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'p99 chat':>8} {'msg/s':>6} {'CPU%':>5} {'max msg/s':>9} {'CPU%':>5} {'cli CPU%':>8} {'KB/conn':>7}")


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value * 1000:.1f}"


def format_row(row: Row) -> str:
    """One line of the table."""
    kb = "-" if row.kb_per_connection is None else f"{row.kb_per_connection:.0f}"
    line = (f"{row.impl:<6} {row.procs:>5} {row.pairs:>5} {row.pairs * 2:>5} {row.connect_seconds:>6.1f} "
            f"{_ms(row.p50):>7} {_ms(row.p99):>7} {_ms(row.p99_chat):>8} {row.latency_rate:>6.0f} "
            f"{row.server_cpu_latency:>5.0f} {row.throughput:>9.0f} {row.server_cpu:>5.0f} {row.client_cpu:>8.0f} {kb:>7}")
    if row.connect_errors:
        line += f"  ({row.connect_errors} connections failed)"
    if row.notes:
        line += "  [" + "; ".join(row.notes[:3]) + "]"
    return line


def summary(rows: list[Row]) -> list[str]:
    """Ours against bare at each size, and how many pairs one process of ours holds."""
    out = []
    index = {(r.impl, r.procs, r.pairs): r for r in rows}
    for (impl, procs, pairs), ours in sorted(index.items(), key=lambda kv: (kv[0][1], kv[0][2])):
        bare = index.get(("bare", procs, pairs))
        if impl != "ours" or bare is None:
            continue
        ratio = ours.p99 / bare.p99 if ours.p99 and bare.p99 else None
        share = ours.throughput / bare.throughput if bare.throughput else None
        caveats = [f"{r.impl}: {r.lost} messages not delivered within 2 s" for r in (ours, bare) if r.lost]
        out.append(
            f"{procs} process(es), {pairs:>4} pairs: p99 ours/bare "
            + ("-" if ratio is None else f"{ratio:.2f}x ({'ok' if ratio <= 1.5 else 'OVER'} target <= 1.5x)")
            + "; throughput ours/bare "
            + ("-" if share is None else f"{share * 100:.0f}% ({'ok' if share >= 0.8 else 'UNDER'} target >= 80%)")
            + (f"  [{', '.join(caveats)}]" if caveats else ""))
    held = [r.pairs for r in rows if r.impl == "ours" and r.procs == 1 and r.p99 is not None and r.p99 < P99_BUDGET
            and not r.connect_errors]
    tested = [r.pairs for r in rows if r.impl == "ours" and r.procs == 1]
    if held:
        largest = max(held)
        more = " (the largest tested)" if largest == max(tested) else ""
        out.append(f"one process of ours holds {largest} pairs with p99 under {P99_BUDGET * 1000:.0f} ms{more}")
    else:
        out.append(f"one process of ours held none of the tested pair counts with p99 under {P99_BUDGET * 1000:.0f} ms")
    return out


def _redis_ready() -> str | None:
    import redis
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
        client.flushdb()
        client.close()
        return None
    except redis.RedisError as exc:
        return str(exc)


def main(argv: list[str] | None = None) -> int:
    """Parse the flags, set up, run every configuration, print the table and the verdicts."""
    parser = argparse.ArgumentParser(prog="python3 manage.py bench signaling", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", default="100,500,1000", help="comma-separated pair counts (ascending steps)")
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each measuring phase")
    parser.add_argument("--rate", type=float, default=0.5, help="messages/s each member sends in the latency phase")
    parser.add_argument("--processes", default="1,2", help="server process counts to run (1 and/or 2)")
    parser.add_argument("--servers", default="ours,bare", help="which servers to run")
    parser.add_argument("--chat-share", type=float, default=0.2,
                        help="share of chat messages (stored by ours); 0.1 are offers/answers, the rest candidates")
    parser.add_argument("--bare-redis", choices=("stock", "bounded"), default="stock",
                        help="the bare relay's Redis manager on two processes: python-socketio's stock "
                             "AsyncRedisManager, or the same bounded pool as ours")
    parser.add_argument("--max-minutes", type=float, default=15.0, help="hard limit on the whole run")
    args = parser.parse_args(argv)
    steps = sorted({int(p) for p in args.pairs.split(",") if p.strip()})
    procs_list = sorted({int(p) for p in args.processes.split(",") if p.strip()})
    impls = [s.strip() for s in args.servers.split(",") if s.strip()]
    if not 0 <= args.chat_share <= 1 - SDP_SHARE:
        parser.error(f"--chat-share must be between 0 and {1 - SDP_SHARE:g}")
    if not steps or steps[0] <= 0 or any(p not in (1, 2) for p in procs_list) or not set(impls) <= {"ours", "bare"}:
        parser.error("bad --pairs, --processes or --servers")
    deadline = time.monotonic() + args.max_minutes * 60
    log_dir = ROOT / "var" / "bench-logs"
    log_dir.mkdir(parents=True, exist_ok=True)

    if 2 in procs_list:
        problem = _redis_ready()
        if problem:
            print(f"Redis is not reachable at {REDIS_URL} ({problem}): the two-process runs are left out. "
                  f"Start it (redis-server --daemonize yes) or set BENCH_REDIS_URL.", flush=True)
            procs_list = [p for p in procs_list if p != 2]

    print(f"signaling bench: pairs {steps}, {args.seconds:g} s per phase, {args.rate:g} msg/s per member in the "
          f"latency phase, mix {dict(message_mix(args.chat_share))}, {CLIENT_WORKERS} client processes, {os.cpu_count()} cores, bare relay's Redis manager "
          f"on 2 processes: {args.bare_redis}; server logs in {log_dir}", flush=True)
    # Other work on the machine shows in every figure; ours and bare run side by side to share it.
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()), flush=True)
    began = time.monotonic()
    postgres = Postgres() if "ours" in impls else None
    rows: list[Row] = []
    try:
        pg_url, pairs = None, []
        if postgres is not None:
            started = time.monotonic()
            pg_url = asyncio.run(postgres.create_database("clinic_bench_signaling"))
            pairs = asyncio.run(make_pairs(pg_url, steps[-1]))
            print(f"setup: {len(pairs)} consultations with doctor and patient sessions in "
                  f"{time.monotonic() - started:.1f} s", flush=True)
        else:
            pairs = [{"cid": str(i + 1), "doctor": "", "patient": ""} for i in range(steps[-1])]
        print(HEADER, flush=True)
        for procs in procs_list:
            rows += run_processes(procs, impls, steps, pairs, args, pg_url, log_dir, deadline)
    finally:
        if postgres is not None:
            postgres.close()

    print("\n" + HEADER)
    for row in rows:
        print(format_row(row))
    print()
    for line in summary(rows):
        print(line)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nload average after: {load}; {time.monotonic() - began:.0f} s in all")
    print("p50/p99: send -> delivery at the other member in the latency phase, whose delivered msg/s and server "
          "CPU% follow;\nmax msg/s: closed loop, one message in flight per member, with server CPU% and client "
          "CPU%;\nCPU%: user+system of the server (or client) processes, % of one core; KB/conn: server RSS growth "
          "/ connections")
    return 0


if __name__ == "__main__":
    sys.exit(main())
