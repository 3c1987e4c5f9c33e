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
import multiprocessing
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil

from bench.common import Postgres, cpu_seconds, percentile, start_server
from bench.profile import Profiler, print_top
from bench.signaling_clients import SDP_SHARE, message_mix
from bench.signaling_report import Row, format_row, summary, trouble_notes

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
CLIENT_WORKERS = 2
NO_LOGIN = "bench-setup-row-no-password"  # not an argon2 hash: bench accounts cannot sign in
MILD = {"age_years": 34, "symptoms": ["cough", "sore_throat"], "temperature_c": 37.0}
# Server settings that keep housekeeping from touching the bench's consultations mid-run.
SERVER_ENV = {"LOG_LEVEL": "WARNING", "CALL_TIMEOUT_SECONDS": "86400", "REJOIN_GRACE_SECONDS": "86400",
              "AWAY_GRACE_SECONDS": "86400", "TURN_URLS": "", "STUN_URLS": "", "DEMO": ""}

# ---------------------------------------------------------------------------------------------
# Setup: accounts, sessions and consultations made in the database.

async def make_pairs(database_url: str, count: int) -> list[dict]:
    """`count` consultations, each with a doctor and a patient holding a live session."""
    from db.connect import create_pool
    from db.migrate import migrate
    from server import seed
    from server.accounts import queries as accounts_sql
    from server.accounts import service as auth
    from server.consent import queries as consent_sql
    from server.consent.service import VERSIONS
    from server.queue import service as queue_service
    from server.triage import service as assessments

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
                    # On duty, as a doctor must be to take a patient (the claim refuses otherwise).
                    doctor = dict(doctor) | dict(await conn.fetchrow(accounts_sql.SET_DOCTOR_STATUS, doctor["id"],
                                                                     "available", None))
                    for purpose in ("health_data", "video"):  # the consents a video consultation needs
                        await conn.execute(consent_sql.INSERT_CONSENT, patient["id"], purpose, VERSIONS[purpose],
                                           True, None)
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
        from bench.signaling_clients import worker_entry as entry  # by module name, for the spawned workers
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
        delays, delivered, trouble = {"signal": [], "chat": []}, 0, {"lost": 0, "late": 0, "stale": 0, "dropped": 0, "refused": 0}
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
        row.notes += trouble_notes("latency", self.trouble, include_late=True)
        _, delivered, row.server_cpu, row.client_cpu = self.phase("throughput", seconds, 0)
        row.throughput = delivered / seconds
        row.lost += self.trouble["lost"]
        row.notes += trouble_notes("throughput", self.trouble, include_late=False)

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
                profiler = None
                if args.profile and side.impl == "ours" and step == steps[-1]:
                    profiler = Profiler([p.pid for p in side.server_ps], log_dir, f"signaling-{procs}p-{step}")
                    profiler.start()
                side.measure(row, args.seconds, args.rate)
                rows.append(row)
                print("  " + format_row(row), flush=True)
                if profiler is not None:
                    print_top(profiler.stop(), f"py-spy, ours on {procs} process(es), {step} pairs, both phases")
    finally:
        for side in sides:
            side.close()
    return rows


HEADER = (f"{'server':<6} {'procs':>5} {'pairs':>5} {'conns':>5} {'conn s':>6} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'p99 chat':>8} {'msg/s':>6} {'CPU%':>5} {'max msg/s':>9} {'CPU%':>5} {'cli CPU%':>8} {'KB/conn':>7}")


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
    parser.add_argument("--profile", action="store_true",
                        help="py-spy our server processes at the largest pair count (bench/profile.py)")
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
