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
from collections import Counter
from pathlib import Path

from bench import queue_setup
from bench.common import Postgres, start_server
from bench.profile import Profiler
from bench.queue_clients import worker_main
from bench.queue_load import DbSampler, ServerTree, Usage, claim_phase, client_cpus, enqueue_phase, kill_one, session
from bench.queue_report import (
    MACHINE_NOTE,
    THRESHOLD,
    claim_ranks,
    compare,
    merge_analysis,
    report,
    verdicts,
    wait_error,
)
from db.connect import create_pool
from db.migrate import migrate
from server import seed

DEFAULT_RUNS = "delta:1:1000,naive:1:1000,delta:2:2000,delta:4:5000"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/10")
# The bench's patients without a live page (all but --clients) would be marked away after the
# default 5-minute grace; a run is shorter, but keep them waiting whatever the sizes.
AWAY_GRACE = 3600
KILL_THRESHOLD = 10.0  # seconds: "killing one process leaves every position right within 10 s"
KILL_PHASE_AFTER = 15.0  # seconds of claims after the kill


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
    parser.add_argument("--phase-seconds", type=float, default=30.0,
                        help="stop starting requests in the enqueue and in the claim phase after this (default 30)")
    parser.add_argument("--consult-seconds", type=float, default=5.0,
                        help="mean length of a consultation, between claim and end (default 5: 100 doctors offer "
                             "about 20 claims/s; 0 = back to back, a stress test where latency is doctors/throughput)")
    parser.add_argument("--client-reorder-ms", type=float, default=300.0,
                        help="how long a client holds an early change for the missing one before resyncing "
                             "(patient.js: 300, plus jitter)")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to let clients catch up at the end")
    parser.add_argument("--department", default="fever")
    parser.add_argument("--modes", default=None,
                        help="comma-separated QUEUE_UPDATES modes, each on 1 process with --clients (instead of --runs)")
    parser.add_argument("--runs", default=DEFAULT_RUNS,
                        help="runs as MODE:PROCESSES:CLIENTS, comma-separated (default %(default)s); more than one "
                             "process uses Redis (BENCH_REDIS_URL, default redis://127.0.0.1:6379/10)")
    parser.add_argument("--kill-after", type=float, default=10.0,
                        help="in runs with 4 or more processes, a kill phase after the measured ones: claims go on "
                             "and one process is SIGKILLed this many seconds in (0 = no kill phase)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", action="store_true",
                        help="sample the server with py-spy during the enqueue and claim phases; print the top functions")
    parser.add_argument("--pin", default="auto",
                        help="CPUs for the client workers, e.g. '1' or '0,1'; 'auto' = the last core when there "
                             "are at least 2, 'none' = not pinned")
    args = parser.parse_args(argv)
    if args.arrivals is None:
        args.arrivals = min(2000, args.patients // 5)
    if args.claims is None:
        args.claims = min(2000, args.patients // 5)
    if not 0 <= args.arrivals < args.patients:
        parser.error("--arrivals must be smaller than --patients")
    if args.modes:
        args.runs = ",".join(f"{m.strip()}:1:{args.clients}" for m in args.modes.split(",") if m.strip())
    args.run_list = []
    for spec in args.runs.split(","):
        mode, processes, clients = spec.strip().split(":")
        if mode not in ("delta", "naive"):
            parser.error(f"--runs: unknown mode {mode!r}")
        if int(clients) > args.patients - args.arrivals:
            parser.error("clients must not exceed the patients queued before the run (patients - arrivals)")
        args.run_list.append((mode, int(processes), int(clients)))
    return args


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


async def run_mode(mode: str, processes: int, args: argparse.Namespace, pg: Postgres, log_dir: Path) -> dict:
    """One server (of `processes` processes) in one mode on a fresh database: setup, clients, load, checks."""
    loop = asyncio.get_running_loop()
    out: dict = {"mode": mode, "processes": processes, "clients": args.clients, "args": args}
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

    env = {"QUEUE_UPDATES": mode, "LOG_LEVEL": "WARNING", "AWAY_GRACE_SECONDS": str(AWAY_GRACE)}
    if processes > 1:
        env["REDIS_URL"] = REDIS_URL
    server = await loop.run_in_executor(None, lambda: start_server(dsn, env, log_dir, processes))
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
        async with session() as http, http.get(server.url + "/api/departments") as response:
            await response.read()  # warm the server before its baseline memory
        tree = ServerTree(server.proc.pid)
        rss_before = tree.rss()
        for w in range(args.workers):
            share = [(p.token, p.entry_id) for p in chosen[w::args.workers]]
            commands.append(ctx.Queue())
            proc = ctx.Process(target=worker_main, daemon=True,
                               args=(w, server.url, share, commands[-1], results, 50, args.client_reorder_ms / 1000,
                                     client_cpus(args.pin)))
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
        out["rss_before"], out["rss_after"] = rss_before, tree.rss()
        usage.mark("connected")

        sampler = DbSampler(pool)
        label = f"{mode}-{len(tree.children()) or 1}p"
        profiler = Profiler([p.pid for p in tree.children()] or [server.proc.pid], Path(server.log_path).parent,
                            label) if args.profile else None
        if profiler is not None:
            profiler.start()
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
        if profiler is not None:
            out["profile"] = await loop.run_in_executor(None, profiler.stop)
        out["db_claim"] = await sampler.stop()
        await asyncio.sleep(args.settle)
        usage.mark("settled")
        if out["processes"] >= 4 and args.kill_after:
            # The kill phase comes after the measured ones, and its changes are judged apart (within
            # 10 s): claims go on while one process is SIGKILLed and its clients reconnect elsewhere.
            out["kill_phase_at"] = time.time()
            killer = asyncio.create_task(kill_one(tree, args.kill_after, usage, out))
            out["kill_claim"] = await claim_phase(server.url, data.doctors, args.claims,
                                                  args.kill_after + KILL_PHASE_AFTER, args.consult_seconds)
            await killer
            await asyncio.sleep(args.settle)
        out["rss_end"] = tree.rss()
        for q in commands:
            q.put(("stop",))
        stopped = await loop.run_in_executor(None, _get, results, "stopped", args.workers, 120)
        out["client_stats"] = sum((Counter(s[0]) for s in stopped.values()), Counter())
        out["client_lags"] = [lags for _, lags in stopped.values()]
        out["cpu"] = {"enqueue": usage.between("connected", "enqueued"), "claim": usage.between("pause", "claimed"),
                      "settle": usage.between("claimed", "settled")}
        if "kill+10s" in usage.marks:
            out["cpu"]["before_kill"] = usage.between("kill-10s", "kill")
            out["cpu"]["after_kill"] = usage.between("kill", "kill+10s")
        out["server_cpu_total"] = usage.server.cpu_seconds()
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
    split_at = out.get("kill_phase_at")
    out["steady_changes"] = [c for c in changes if split_at is None or c.at < split_at]

    truth = {"initial_keys": list(data.initial_keys.values()), "threshold": THRESHOLD,
             "changes": [(c.seq, c.at, c.removed, c.inserted) for c in changes],
             "split_at": split_at, "kill_threshold": KILL_THRESHOLD,
             "client_keys": {p.entry_id: entry_keys[p.entry_id] for p in chosen}}
    for q in commands:
        q.put(("analyse", truth))
    analysed = await loop.run_in_executor(None, _get, results, "analysis", args.workers, 600)
    for proc in workers:
        proc.join(10)
    out["analysis"] = merge_analysis(analysed, out["steady_changes"], final_db)
    if split_at is not None:
        out["kill_analysis"] = merge_analysis(analysed, [c for c in changes if c.at >= split_at], final_db, "kill")
    out["claim_ranks"] = claim_ranks(data.initial_keys.values(), changes)
    out["phase_changes"] = {"enqueue": sum(1 for c in out["steady_changes"] if c.inserted),
                            "claim": sum(1 for c in out["steady_changes"] if not c.inserted)}
    out["wait"] = wait_error(out["enqueue"]["answers"], claimed_arrivals, changes)
    return out


async def run_all(args: argparse.Namespace, pg: Postgres, log_dir: Path) -> list[dict]:
    out = []
    for mode, processes, clients in args.run_list:
        started = time.perf_counter()
        print(f"-- running QUEUE_UPDATES={mode} on {processes} process(es) with {clients} clients ...", flush=True)
        run_args = argparse.Namespace(**{**vars(args), "clients": clients})
        out.append(await run_mode(mode, processes, run_args, pg, log_dir))
        print(f"   done in {time.perf_counter() - started:.0f} s", flush=True)
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    random.seed(args.seed)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-queue-logs-"))
    started = time.perf_counter()
    print(f"queue bench: {args.patients} patients, {args.doctors} doctors, runs {args.runs}; "
          f"server logs in {log_dir}", flush=True)
    pg = Postgres()
    try:
        results = asyncio.run(run_all(args, pg, log_dir))
    finally:
        pg.close()
    for r in results:
        report(r, r["args"])
    ours = [r for r in results if r["mode"] == "delta"]
    naive = [r for r in results if r["mode"] == "naive"]
    if ours and naive:
        compare(ours[0], naive[0])
    verdicts(results)
    print(MACHINE_NOTE.format(workers=args.workers, cores=os.cpu_count()))
    print(f"\ntotal bench time {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
