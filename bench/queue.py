"""Queue benchmark: `python3 manage.py bench queue [--patients N --clients N --doctors N ...]`.

The outbreak case: every patient waits in one department ("fever"). For each of two server
modes, on a fresh database each, against one real `python -m server` child process:

1. setup (bench/queue_setup.py): patients, assessments and sessions made directly in the database;
   all but the last `--arrivals` patients are put in the queue by SQL ("bulk");
2. `--clients` waiting patients (spread evenly over the queue order) connect with python-socketio
   over websocket in `--workers` processes, subscribe with `queue:subscribe` and keep their
   position with patient.js's algorithm (bench/queue_clients.py);
3. enqueue phase: the arrivals join through `POST /api/queue` from `--enqueue-concurrency` aiohttp
   sessions -> enqueue throughput;
4. claim phase: `--doctors` doctors loop `POST /api/doctor/claim`, a consultation of about
   `--consult-seconds` (5; 0 = back to back, where by Little's law latency is just doctors/throughput),
   then `POST /api/consultations/{id}/end`, until `--claims` claims or `--phase-seconds` -> claim latency;
5. checks against the database after the run.

Modes: QUEUE_UPDATES=delta (ours: one small broadcast per change) and QUEUE_UPDATES=naive (the
baseline: every waiting patient's position recomputed and pushed to each of them on every change).

How propagation is measured: triggers on the bench database (queue_setup.py) log each sequence
number with clock_timestamp() at the seq bump, just before the commit, and which entries left or
joined the waiting list in that transaction. That log, applied to the waiting list before the run,
is the truth T(s) for every client after every change s (and is checked against the database's
waiting list after the run). A client has caught up with change s at the first moment it shows
T(s), or the truth of a later change already committed by then. Per change the figure is the
slowest connected waiting client; clients and database share this machine's wall clock. A
violation is a (client, change) pair caught up later than 1 s, or never.

Each phase is bounded by `--phase-seconds`; a phase that hits the bound reports how far it got.
`--client-reorder-ms N` is how long a client holds a change that came before an earlier one
(patient.js: 300 ms plus up to as much jitter) before it re-reads its snapshot.
"""
from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import queue as stdqueue
import random
import sys
import tempfile
import time
from collections import Counter, deque
from pathlib import Path

import aiohttp
import psutil

from bench import queue_setup
from bench.common import Postgres, cpu_seconds, rss_bytes, start_server
from bench.queue_clients import worker_main
from bench.queue_report import MACHINE_NOTE, THRESHOLD, claim_ranks, compare, merge_analysis, report, wait_error
from db.connect import create_pool
from db.migrate import migrate
from server import seed

# The bench's patients without a live page (all but --clients) would be marked away after the
# default 5-minute grace; a run is shorter, but keep them waiting whatever the sizes.
AWAY_GRACE = 3600


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="manage.py bench queue", description=__doc__.split("\n\n")[0])
    parser.add_argument("--patients", type=int, default=10_000, help="waiting patients in all (default 10000)")
    parser.add_argument("--arrivals", type=int, default=None,
                        help="of them, enqueued through the HTTP API (default: a fifth, at most 2000)")
    parser.add_argument("--clients", type=int, default=1000, help="live Socket.IO patients (default 1000)")
    parser.add_argument("--doctors", type=int, default=100, help="doctors claiming in a loop (default 100)")
    parser.add_argument("--workers", type=int, default=2, help="client processes (default 2)")
    parser.add_argument("--enqueue-concurrency", type=int, default=200, help="concurrent HTTP sessions (default 200)")
    parser.add_argument("--claims", type=int, default=None,
                        help="stop the claim phase after this many (default: a fifth of the patients, at most 2000)")
    parser.add_argument("--phase-seconds", type=float, default=45.0,
                        help="stop starting requests in the enqueue and in the claim phase after this (default 45)")
    parser.add_argument("--consult-seconds", type=float, default=5.0,
                        help="mean length of a consultation, between claim and end (default 5: 100 doctors offer "
                             "about 20 claims/s; 0 = back to back, a stress test where latency is doctors/throughput)")
    parser.add_argument("--client-reorder-ms", type=float, default=300.0,
                        help="how long a client holds an early change for the missing one before resyncing "
                             "(patient.js: 300, plus jitter)")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to let clients catch up at the end")
    parser.add_argument("--department", default="fever")
    parser.add_argument("--modes", default="delta,naive", help="comma-separated QUEUE_UPDATES modes to run")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.arrivals is None:
        args.arrivals = min(2000, args.patients // 5)
    if args.claims is None:
        args.claims = min(2000, args.patients // 5)
    if not 0 <= args.arrivals < args.patients:
        parser.error("--arrivals must be smaller than --patients")
    if args.clients > args.patients - args.arrivals:
        parser.error("--clients must not exceed the patients queued before the run (patients - arrivals)")
    return args


class Usage:
    """CPU seconds of the server, PostgreSQL, the client workers and this driver, at named moments."""

    def __init__(self, server_pid: int, pg: Postgres, workers: list[int]):
        self.server = psutil.Process(server_pid)
        self.pg, self.workers = pg, [psutil.Process(pid) for pid in workers]
        self.me = psutil.Process()
        self.marks: dict[str, dict[str, float | None]] = {}

    def mark(self, name: str) -> None:
        machine = psutil.cpu_times()
        mark = {"server": cpu_seconds(self.server), "postgres": self.pg.cpu_seconds(),
                "clients": sum(cpu_seconds(p) for p in self.workers), "driver": cpu_seconds(self.me),
                "machine": machine.user + machine.system + machine.nice + getattr(machine, "softirq", 0.0)
                + getattr(machine, "irq", 0.0), "wall": time.perf_counter()}
        self.marks[name] = mark

    def between(self, a: str, b: str) -> dict[str, float | None]:
        return {k: (None if self.marks[b][k] is None or self.marks[a][k] is None
                else self.marks[b][k] - self.marks[a][k]) for k in self.marks[a]}


class DbSampler:
    """Samples pg_stat_activity every 50 ms during a phase (bench diagnostic of the server's database use)."""

    def __init__(self, pool):
        self.pool, self.task, self.samples = pool, None, []

    def start(self) -> None:
        self.samples = []
        self.task = asyncio.create_task(self._run())

    async def _run(self) -> None:
        async with self.pool.acquire() as conn:
            while True:
                self.samples.append(dict(await conn.fetchrow(queue_setup.ACTIVITY)))
                await asyncio.sleep(0.05)

    async def stop(self) -> dict:
        self.task.cancel()
        try:
            await self.task
        except asyncio.CancelledError:
            pass
        n = len(self.samples) or 1
        keys = ("active", "busy", "lock_waits", "seq_waits", "seq_held_idle")
        out = {k: sum(s[k] for s in self.samples) / n for k in keys}
        out["samples"] = len(self.samples)
        out["held_share"] = sum(1 for s in self.samples if s["seq_held_idle"]) / n
        return out


def _headers(token: str, csrf: str) -> dict:
    return {"Cookie": f"clinic_session={token}", "X-CSRF-Token": csrf}


def _session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar(), timeout=aiohttp.ClientTimeout(total=120))


async def enqueue_phase(url: str, arrivals: list, concurrency: int, bound: float) -> dict:
    """Arrivals join the queue through POST /api/queue from `concurrency` sessions."""
    todo = deque(arrivals)
    latencies, answers, errors = [], {}, Counter()
    deadline = time.perf_counter() + bound

    async def session_loop() -> None:
        async with _session() as http:
            while todo and time.perf_counter() < deadline:
                patient = todo.popleft()
                started = time.perf_counter()
                async with http.post(url + "/api/queue", json={"assessment_id": str(patient.assessment_id)},
                                     headers=_headers(patient.token, patient.csrf)) as response:
                    body = await response.json()
                latencies.append(time.perf_counter() - started)
                if response.status == 201:
                    patient.entry_id = int(body["id"])
                    answers[patient.entry_id] = body
                else:
                    errors[response.status] += 1

    started = time.perf_counter()
    await asyncio.gather(*(session_loop() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    return {"done": len(answers), "asked": len(arrivals), "elapsed": elapsed, "latencies": latencies, "answers": answers,
            "errors": errors, "throughput": len(answers) / elapsed if elapsed else 0.0, "bounded": bool(todo)}


async def claim_phase(url: str, doctors: list, max_claims: int, bound: float, pause: float) -> dict:
    """Each doctor loops claim -> (pause) -> end until `max_claims` claims were asked for or time is up."""
    claim_lat, end_lat, errors = [], [], Counter()
    asked = [0]
    claimed = []
    deadline = time.perf_counter() + bound

    async def doctor_loop(token: str, csrf: str) -> None:
        async with _session() as http:
            if pause:  # doctors start their shifts spread out, not all in the same millisecond
                await asyncio.sleep(random.uniform(0, pause))
            while asked[0] < max_claims and time.perf_counter() < deadline:
                asked[0] += 1
                started = time.perf_counter()
                async with http.post(url + "/api/doctor/claim", json={}, headers=_headers(token, csrf)) as response:
                    body = await response.json()
                claim_lat.append(time.perf_counter() - started)
                if response.status == 404:
                    errors["404 nobody waiting"] += 1
                    return
                if response.status != 201:
                    errors[f"claim {response.status}"] += 1
                    continue
                claimed.append(body["id"])
                if pause:
                    await asyncio.sleep(pause * random.uniform(0.5, 1.5))
                started = time.perf_counter()
                async with http.post(url + f"/api/consultations/{body['id']}/end", headers=_headers(token, csrf),
                                     json={"notes": "bench", "diagnosis": "Viral fever (bench)",
                                           "disposition": "advice", "advice": "Rest and fluids."}) as response:
                    await response.read()
                end_lat.append(time.perf_counter() - started)
                if response.status != 200:
                    errors[f"end {response.status}"] += 1

    started = time.perf_counter()
    await asyncio.gather(*(doctor_loop(token, csrf) for _, token, csrf in doctors))
    elapsed = time.perf_counter() - started
    return {"claims": len(claimed), "elapsed": elapsed, "claim_lat": claim_lat, "end_lat": end_lat, "errors": errors,
            "bounded": time.perf_counter() >= deadline and asked[0] < max_claims}


def _get(results: mp.Queue, kind: str, count: int, timeout: float) -> dict:
    """Wait for `count` messages of one kind from the workers."""
    got, deadline = {}, time.monotonic() + timeout
    while len(got) < count:
        try:
            message = results.get(timeout=max(0.1, deadline - time.monotonic()))
        except stdqueue.Empty:
            raise RuntimeError(f"client workers did not report {kind!r} within {timeout:.0f} s") from None
        if message[0] == "error":
            raise RuntimeError(f"client worker {message[1]} failed: {message[2]}")
        if message[0] == kind:
            got[message[1]] = message[2:]
    return got


async def run_mode(mode: str, args: argparse.Namespace, pg: Postgres, log_dir: Path) -> dict:
    """One server process in one mode on a fresh database: setup, clients, enqueue, claims, checks."""
    loop = asyncio.get_running_loop()
    out: dict = {"mode": mode}
    t_setup = time.perf_counter()
    dsn = await pg.create_database(f"bench_queue_{mode}")
    pool = await create_pool(dsn, min_size=1, max_size=4)
    async with pool.acquire() as conn:
        await migrate(conn)
        await seed.seed_departments(conn)
    data = await queue_setup.build(pool, patients=args.patients, arrivals=args.arrivals, doctors=args.doctors,
                                   department=args.department, level2_bulk=0.10, level2_arrivals=0.25,
                                   history_seconds=600, seed=args.seed)
    out["setup_seconds"] = time.perf_counter() - t_setup

    server = await loop.run_in_executor(None, lambda: start_server(dsn, {"QUEUE_UPDATES": mode, "LOG_LEVEL": "WARNING",
                                                                         "AWAY_GRACE_SECONDS": str(AWAY_GRACE)},
                                                                   log_dir))
    ctx = mp.get_context("spawn")
    workers, commands = [], []
    results = ctx.Queue()
    try:
        return await _measure(mode, args, pg, data, dsn, pool, server, ctx, workers, commands, results, out)
    finally:
        for proc in workers:  # only our own worker processes, by handle
            if proc.is_alive():
                proc.terminate()
        if server.proc and server.proc.poll() is None:
            await loop.run_in_executor(None, server.stop)


async def _measure(mode, args, pg, data, dsn, pool, server, ctx, workers, commands, results, out) -> dict:
    """Clients, the two load phases, and the checks; run_mode owns the processes and stops them."""
    loop = asyncio.get_running_loop()
    try:
        # Clients: bulk patients spread evenly over the queue order (so claims reach some of them).
        ordered = sorted(data.bulk, key=lambda p: data.initial_keys[p.entry_id])
        step = len(ordered) / args.clients
        chosen = [ordered[int(i * step)] for i in range(args.clients)]
        async with _session() as http, http.get(server.url + "/api/departments") as response:
            await response.read()  # warm the server before its baseline memory
        rss_before = rss_bytes(server.proc.pid)
        for w in range(args.workers):
            share = [(p.token, p.entry_id) for p in chosen[w::args.workers]]
            commands.append(ctx.Queue())
            proc = ctx.Process(target=worker_main, daemon=True,
                               args=(w, server.url, share, commands[-1], results, 50, args.client_reorder_ms / 1000))
            proc.start()
            workers.append(proc)
        usage = Usage(server.proc.pid, pg, [p.pid for p in workers])
        usage.mark("start")
        ready = await loop.run_in_executor(None, _get, results, "ready", args.workers, 300)
        out["connected"] = sum(r[0] for r in ready.values())
        out["connect_failures"] = sum(r[2] for r in ready.values())
        out["connect_examples"] = [e for r in ready.values() for e in r[1]][:3]
        out["connect_seconds"] = max(r[3] for r in ready.values())
        await asyncio.sleep(1.0)
        out["rss_before"], out["rss_after"] = rss_before, rss_bytes(server.proc.pid)
        usage.mark("connected")

        sampler = DbSampler(pool)
        sampler.start()
        out["enqueue"] = await enqueue_phase(server.url, data.arrivals, args.enqueue_concurrency, args.phase_seconds)
        usage.mark("enqueued")
        out["db_enqueue"] = await sampler.stop()
        await asyncio.sleep(args.settle)  # let the clients catch up before the next phase
        usage.mark("pause")
        sampler.start()
        out["claim"] = await claim_phase(server.url, data.doctors, args.claims, args.phase_seconds,
                                         args.consult_seconds)
        usage.mark("claimed")
        out["db_claim"] = await sampler.stop()
        await asyncio.sleep(args.settle)
        usage.mark("settled")
        out["rss_end"] = rss_bytes(server.proc.pid)
        for q in commands:
            q.put(("stop",))
        stopped = await loop.run_in_executor(None, _get, results, "stopped", args.workers, 120)
        out["client_stats"] = sum((Counter(s[0]) for s in stopped.values()), Counter())
        out["cpu"] = {"enqueue": usage.between("connected", "enqueued"), "claim": usage.between("pause", "claimed"),
                      "settle": usage.between("claimed", "settled")}
        out["server_cpu_total"] = cpu_seconds(usage.server)
    finally:
        await loop.run_in_executor(None, server.stop)

    # ---- checks against the database, and the propagation analysis ----
    async with pool.acquire() as conn:
        changes, unsequenced, gaps = await queue_setup.read_changes(conn, args.department, data.s0)
        final_rows = await conn.fetch(queue_setup.FINAL_POSITIONS, args.department)
        out["double_claims"] = len(await conn.fetch(queue_setup.DOUBLE_CLAIMS))
        out["consultations"] = await conn.fetchval("SELECT count(*) FROM consultations")
        claimed_arrivals = await conn.fetch(queue_setup.CLAIMED_WAITS, list(out["enqueue"]["answers"]))
        entry_keys = {r["id"]: queue_setup.exact_key(r["due_at"], r["id"]) for r in await conn.fetch(
            "SELECT id, due_at FROM queue_entries WHERE department = $1", args.department)}  # bench check query
    await pool.close()
    final_db = {r["id"]: r["position"] for r in final_rows}
    waiting = set(data.initial_keys)
    for change in changes:
        waiting -= {k[1] for k in change.removed}
        waiting |= {k[1] for k in change.inserted}
    out["truth_consistent"] = waiting == set(final_db)
    out["unsequenced"], out["seq_gaps"] = unsequenced, gaps
    out["changes"] = changes

    truth = {"initial_keys": list(data.initial_keys.values()), "threshold": THRESHOLD,
             "changes": [(c.seq, c.at, c.removed, c.inserted) for c in changes],
             "client_keys": {p.entry_id: entry_keys[p.entry_id] for p in chosen}}
    for q in commands:
        q.put(("analyse", truth))
    analysed = await loop.run_in_executor(None, _get, results, "analysis", args.workers, 600)
    for proc in workers:
        proc.join(10)
    out["analysis"] = merge_analysis(analysed, changes, final_db)
    out["claim_ranks"] = claim_ranks(data.initial_keys.values(), changes)
    out["phase_changes"] = {"enqueue": sum(1 for c in changes if c.inserted), "claim": sum(1 for c in changes if not c.inserted)}
    out["wait"] = wait_error(out["enqueue"]["answers"], claimed_arrivals, changes)
    return out


async def run_all(args: argparse.Namespace, pg: Postgres, log_dir: Path) -> list[dict]:
    out = []
    for mode in [m.strip() for m in args.modes.split(",") if m.strip()]:
        started = time.perf_counter()
        print(f"-- running QUEUE_UPDATES={mode} ...", flush=True)
        out.append(await run_mode(mode, args, pg, log_dir))
        print(f"   done in {time.perf_counter() - started:.0f} s", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    random.seed(args.seed)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-queue-logs-"))
    started = time.perf_counter()
    print(f"queue bench: {args.patients} patients, {args.clients} clients, {args.doctors} doctors, modes {args.modes}; "
          f"server logs in {log_dir}", flush=True)
    pg = Postgres()
    try:
        results = asyncio.run(run_all(args, pg, log_dir))
    finally:
        pg.close()
    for r in results:
        report(r, args)
    by_mode = {r["mode"]: r for r in results}
    if "delta" in by_mode and "naive" in by_mode:
        compare(by_mode["delta"], by_mode["naive"])
    print(MACHINE_NOTE.format(workers=args.workers, cores=os.cpu_count()))
    print(f"\ntotal bench time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
