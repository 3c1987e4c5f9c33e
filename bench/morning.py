"""Morning peak bench: `python3 manage.py bench morning [--processes 1,2] [--minutes 10] [--profile]`.

Issue 17's morning: a company's staff arrive at work within ten minutes, every one of them behind
the company's one NAT address, with the rate limits on (the server's default, RATE_LIMITS=1).
Of the `--screenings` (10,000) staff who do today's screening, `--new` (2,000) open the invitation
link their employer sent (the CSV import and the links are made through the real routes first,
bench/morning_setup.py), register from it (argon2 hash), accept it and screen; `--signins` (2,000)
sign in (argon2 verify; `--typos` of them mistype the password once first, an expected 401) and
screen; the others are still signed in and only screen. Arrivals are spread at random over the
first 90 % of `--minutes`; each person pauses `--think` seconds between steps, as at a phone.

Beside them, `--flood` sign-in attempts with wrong passwords against one account from the same
address: the per-account limit must refuse them (429 after 5) while no colleague is refused, and
the account's owner stays refused from that address afterwards.

Before the peak a solo pass times each request kind alone (`--solo` each, 4 at a time), so the
server CPU per request kind is that kind's alone. Per run (a fresh database, `python -m server`,
or `--workers N` with Redis for N > 1): rates, p50/p99 per kind, 429 and 5xx counts, server CPU per
kind, the argon2 pool's queueing (read from each process's /metrics), CPU of the server, PostgreSQL,
this driver and the rest of the machine, and PASS/FAIL against the targets.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

import aiohttp

from bench import morning_setup
from bench.common import Postgres, percentile, start_server
from bench.morning_setup import PASSWORD, Person
from bench.profile import Profiler, print_top
from bench.queue_load import ServerTree, Usage
from db.connect import create_pool
from db.migrate import migrate
from server import seed
from server.web.ratelimit import LOGIN_PAIR

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
COOKIE = "clinic_session"
ANSWERS = {"temperature_c": 36.5, "symptoms": []}
ARRIVAL_SHARE = 0.9  # arrivals over the first 90 % of the window, so the last can finish inside it
SIGNIN_P99_TARGET = 2.0
LEGIT = ("invite", "register", "accept", "typo", "signin", "screening")
EXPECTED = {"invite": 200, "register": 201, "accept": 201, "typo": 401, "signin": 200, "screening": 201}


class Client:
    """One HTTP client for everyone (one address, like a NAT), recording each request's kind, status and latency."""

    def __init__(self, url: str, http: aiohttp.ClientSession):
        self.url, self.http = url, http
        self.records: dict[str, list[tuple[int, float]]] = defaultdict(list)

    async def call(self, kind: str, method: str, path: str, person: Person | None = None, body=None):
        headers = {"Cookie": f"{COOKIE}={person.cookie}", "X-CSRF-Token": person.csrf} if person and person.cookie else {}
        started = time.perf_counter()
        try:
            async with self.http.request(method, self.url + path, json=body, headers=headers) as response:
                status, raw, cookie = response.status, await response.read(), response.cookies.get(COOKIE)
        except (TimeoutError, aiohttp.ClientError):
            status, raw, cookie = 0, b"", None
        self.records[kind].append((status, time.perf_counter() - started))
        data = json.loads(raw) if raw[:1] in (b"{", b"[") else None
        if person is not None and cookie is not None:
            person.cookie = cookie.value
        if person is not None and isinstance(data, dict) and "csrf_token" in data:
            person.csrf = data["csrf_token"]
        return status


# ---- one person's steps ---------------------------------------------------------------------------

async def open_link(c: Client, p: Person) -> bool:
    return await c.call("invite", "GET", f"/api/invitations/{p.invitation}") == 200


async def register(c: Client, p: Person) -> bool:
    body = {"phone": p.phone, "password": PASSWORD, "name": f"员工 {p.ref}", "birth_date": "1990-05-01",
            "consents": ["health_data", "employer_screening"], "invitation": p.invitation}
    return await c.call("register", "POST", "/api/auth/register", p, body) == 201


async def accept(c: Client, p: Person) -> bool:
    return await c.call("accept", "POST", f"/api/invitations/{p.invitation}/accept", p) == 201


async def sign_in(c: Client, p: Person) -> bool:
    return await c.call("signin", "POST", "/api/auth/login", p, {"login": p.phone, "password": PASSWORD}) == 200


async def screen(c: Client, p: Person) -> bool:
    return await c.call("screening", "POST", "/api/screenings", p, {"answers": ANSWERS}) == 201


async def morning_of(c: Client, p: Person, rng: random.Random, args) -> bool:
    """One person's morning, each step after a pause; False at the first step that fails."""
    async def pause():
        await asyncio.sleep(rng.uniform(*args.think))
    if p.kind == "new":
        for step in (open_link, register, accept):
            if not await step(c, p):
                return False
            await pause()
    elif p.kind == "signin":
        if rng.random() < args.typos:
            await c.call("typo", "POST", "/api/auth/login", None, {"login": p.phone, "password": "mistyped"})
            await pause()
        if not await sign_in(c, p):
            return False
        await pause()
    return await screen(c, p)


# ---- phases ---------------------------------------------------------------------------------------

async def _each(step, c: Client, people: list[Person]) -> None:
    for p in people:
        await step(c, p)


async def solo_pass(c: Client, solo: list[Person], tree: ServerTree) -> dict[str, float]:
    """Server CPU ms per request of each kind, timed alone (4 at a time) on the solo staff."""
    new = [p for p in solo if p.kind == "new"]
    steps = (("invite", open_link, new), ("register", register, new), ("accept", accept, new),
             ("signin", sign_in, [p for p in solo if p.kind == "signin"]), ("screening", screen, solo))
    out = {}
    for kind, step, people in steps:
        await asyncio.sleep(1.0)
        before = tree.cpu_seconds()
        await asyncio.gather(*(_each(step, c, people[w::4]) for w in range(4)))
        out[kind] = (tree.cpu_seconds() - before) * 1000 / len(people)
    return out


async def flood(c: Client, victim: Person, start_after: float, attempts: int, rate: float) -> None:
    """Wrong passwords against one account from the company's address."""
    await asyncio.sleep(start_after)
    for n in range(attempts):
        await c.call("flood", "POST", "/api/auth/login", None, {"login": victim.phone, "password": f"guess-{n}"})
        await asyncio.sleep(1 / rate)


async def peak(c: Client, staff, args) -> dict:
    """Everyone's morning on a random schedule over the window, and the flood beside it."""
    rng = random.Random(args.seed)
    people = list(staff.peak)
    rng.shuffle(people)
    window = args.minutes * 60
    times = sorted(rng.uniform(0, window * ARRIVAL_SHARE) for _ in people)
    started = time.perf_counter()
    done: dict[str, list[float]] = defaultdict(list)
    failed = Counter()

    async def one(p: Person, at: float) -> None:
        await asyncio.sleep(max(0.0, started + at - time.perf_counter()))
        if await morning_of(c, p, random.Random(hash((args.seed, p.ref))), args):
            done[p.kind].append(time.perf_counter() - started)
        else:
            failed[p.kind] += 1

    tasks = [asyncio.create_task(one(p, at)) for p, at in zip(people, times)]
    flooding = asyncio.create_task(flood(c, staff.flooded, window * 0.2, args.flood, args.flood_rate))
    finished, unfinished = await asyncio.wait([*tasks, flooding], timeout=window + args.grace)
    for task in unfinished:
        task.cancel()
    await asyncio.gather(*unfinished, return_exceptions=True)
    elapsed = time.perf_counter() - started
    # The flooded account's owner, from the same address, with the right password: still refused.
    owner = await c.call("flood-owner", "POST", "/api/auth/login", None,
                         {"login": staff.flooded.phone, "password": PASSWORD})
    return {"done": done, "failed": failed, "unfinished": len(unfinished), "elapsed": elapsed,
            "last_done": max((t for ts in done.values() for t in ts), default=None), "owner_status": owner,
            "window": window}


async def pool_stats(url: str, processes: int) -> dict[int, dict]:
    """The argon2 pool's counters of each server process, from /metrics (a new connection each time, so
    SO_REUSEPORT hands the scrapes to every process in turn)."""
    out: dict[int, dict] = {}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
        for _ in range(80):
            async with http.get(url + "/metrics") as response:
                text = await response.text()
            values, buckets = {}, []
            for line in text.splitlines():
                if line.startswith("clinic_password_queue_seconds_bucket"):
                    buckets.append((float(line.split('le="')[1].split('"')[0]), float(line.rsplit(" ", 1)[1])))
                elif line.startswith(("clinic_process_pid ", "clinic_password_busy_total ",
                                      "clinic_password_queue_peak ", "clinic_password_queue_seconds_sum ")):
                    name, value = line.split(" ")
                    values[name] = float(value)
            out[int(values["clinic_process_pid"])] = {**values, "buckets": buckets}
            if len(out) >= processes:
                break
    return out


def pool_delta(before: dict[int, dict], after: dict[int, dict]) -> dict:
    """The argon2 queue over the peak, all processes: count, mean, p50/p99 (bucket upper bounds), 503s, peak."""
    counts: Counter = Counter()
    total_wait = refused = 0.0
    peak_pending = 0
    for pid, now in after.items():
        then = before.get(pid, {"buckets": [(b, 0.0) for b, _ in now["buckets"]]})
        for (bound, c1), (_, c0) in zip(now["buckets"], then["buckets"]):
            counts[bound] += c1 - c0
        total_wait += now["clinic_password_queue_seconds_sum"] - then.get("clinic_password_queue_seconds_sum", 0)
        refused += now["clinic_password_busy_total"] - then.get("clinic_password_busy_total", 0)
        peak_pending = max(peak_pending, int(now["clinic_password_queue_peak"]))
    n = counts[float("inf")]

    def quantile(q):
        return next((b for b in sorted(counts) if counts[b] >= q * n), None) if n else None
    return {"hashes": int(n), "mean": total_wait / n if n else None, "p50": quantile(0.5), "p99": quantile(0.99),
            "refused": int(refused), "peak": peak_pending, "processes": len(after)}


async def run(processes: int, args, pg: Postgres, log_dir: Path) -> dict:
    """One run on a fresh database: setup, solo pass, peak."""
    loop = asyncio.get_running_loop()
    t0 = time.perf_counter()
    dsn = await pg.create_database(f"bench_morning_{processes}p")
    pool = await create_pool(dsn, min_size=1, max_size=2)
    async with pool.acquire() as conn:
        await migrate(conn)
        await seed.seed_departments(conn)
    env = {"LOG_LEVEL": "WARNING", "RATE_LIMITS": "1", "REDIS_URL": REDIS_URL if processes > 1 else ""}
    server = await loop.run_in_executor(None, lambda: start_server(dsn, env, log_dir, processes))
    out: dict = {"processes": processes}
    try:
        staff = morning_setup.plan(args.new, args.signins, args.screenings, args.solo)
        await morning_setup.build(dsn, server.url, staff)
        out["setup_seconds"] = time.perf_counter() - t0
        tree = ServerTree(server.proc.pid)
        connector = aiohttp.TCPConnector(limit=args.connections)
        async with aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                         timeout=aiohttp.ClientTimeout(total=120)) as http:
            solo = Client(server.url, http)
            out["cpu_per_kind"] = await solo_pass(solo, staff.solo, tree)
            out["solo_statuses"] = {k: Counter(s for s, _ in v) for k, v in solo.records.items()}
            pool_before = await pool_stats(server.url, processes)
            usage = Usage(server.proc.pid, pg, [])
            profiler = Profiler([p.pid for p in tree.children()] or [server.proc.pid], log_dir,
                                f"morning-{processes}p") if args.profile else None
            if profiler is not None:
                profiler.start()
            out["load_before"] = os.getloadavg()
            usage.mark("start")
            c = Client(server.url, http)
            out["peak"] = await peak(c, staff, args)
            usage.mark("end")
            out["load_after"] = os.getloadavg()
            if profiler is not None:
                out["profile"] = await loop.run_in_executor(None, profiler.stop)
            out["records"] = c.records
            out["cpu"] = usage.between("start", "end")
            out["pool"] = pool_delta(pool_before, await pool_stats(server.url, processes))
        async with pool.acquire() as conn:  # bench check queries: what the database holds afterwards
            out["screenings_stored"] = await conn.fetchval("SELECT count(*) FROM screenings")
            out["bound"] = await conn.fetchval("SELECT count(*) FROM enrollments WHERE patient_id IS NOT NULL")
    finally:
        await pool.close()
        await loop.run_in_executor(None, server.stop)
    return out


# ---- report ---------------------------------------------------------------------------------------

def _ms(value):
    if value == float("inf"):
        return "> 30,000"
    return "-" if value is None else f"{value * 1000:,.0f}"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def report(r: dict, args) -> dict[str, bool]:
    """Print one run's figures; return its verdicts."""
    p, records = r["peak"], r["records"]
    redis = " + Redis" if r["processes"] > 1 else ""
    print(f"\n== {r['processes']} process(es){redis}: {sum(map(len, p['done'].values())):,} "
          f"of {args.screenings:,} staff done; setup {r['setup_seconds']:.0f} s; load average "
          f"{r['load_before'][0]:.1f} before, {r['load_after'][0]:.1f} after")
    print(f"   {'kind':<12}{'requests':>9}{'ok':>8}{'per s':>8}{'p50 ms':>9}{'p99 ms':>9}{'429':>6}{'5xx':>6}"
          f"{'other':>7}{'CPU ms/req (alone)':>20}")
    span = p["last_done"] or p["elapsed"]
    legit_429 = legit_5xx = 0
    for kind in (*LEGIT, "flood", "flood-owner"):
        rows = records.get(kind, [])
        if not rows:
            continue
        statuses = Counter(s for s, _ in rows)
        ok = statuses[EXPECTED.get(kind, 429)]
        n429, n5xx = statuses[429], sum(v for s, v in statuses.items() if s >= 500)
        other = len(rows) - ok - (n429 if kind in LEGIT else 0) - n5xx
        if kind in LEGIT:
            legit_429, legit_5xx = legit_429 + n429, legit_5xx + n5xx
        latencies = [t for _, t in rows]
        cpu = r["cpu_per_kind"].get(kind)
        print(f"   {kind:<12}{len(rows):>9,}{ok:>8,}{ok / span:>8.1f}{_ms(percentile(latencies, 50)):>9}"
              f"{_ms(percentile(latencies, 99)):>9}{n429:>6}{n5xx:>6}{other:>7}"
              f"{'-' if cpu is None else f'{cpu:.1f}':>20}")
    print(f"   (flood: 'ok' counts its 429s; 'other' its 401s. Unfinished at the bound: {p['unfinished']}, "
          f"failed: {dict(p['failed']) or 0}; screenings stored {r['screenings_stored']:,}, enrollments bound {r['bound']:,})")
    pool = r["pool"]
    print(f"   argon2 pool ({pool['processes']} process(es) scraped): {pool['hashes']:,} hashes, wait for a thread "
          f"mean {_ms(pool['mean'])} ms, p50 <= {_ms(pool['p50'])} ms, p99 <= {_ms(pool['p99'])} ms, "
          f"most queued at once {pool['peak']}, refused 503 {pool['refused']}")
    cpu = r["cpu"]
    others = cpu["machine"] - cpu["server"] - (cpu["postgres"] or 0) - cpu["driver"]
    cores = ", ".join(f"{c / cpu['wall'] * 100:.0f} %" for c in cpu["cores"])
    postgres = "-" if cpu["postgres"] is None else f"{cpu['postgres']:.0f}"
    print(f"   CPU over the peak ({cpu['wall']:.0f} s): server {cpu['server']:.0f} s, PostgreSQL {postgres} s, "
          f"driver {cpu['driver']:.0f} s, other processes {others:.0f} s; cores busy {cores}")
    signin = [t for s, t in records.get("signin", []) if s == 200]
    flood_rows = Counter(s for s, _ in records.get("flood", []))
    verdicts = {
        "all done within the window": p["unfinished"] == 0 and not p["failed"] and p["last_done"] is not None
        and p["last_done"] <= p["window"],
        "zero 429 for legitimate requests": legit_429 == 0,
        "zero 5xx": legit_5xx == 0,
        f"sign-in p99 <= {SIGNIN_P99_TARGET:.0f} s": bool(signin) and percentile(signin, 99) <= SIGNIN_P99_TARGET,
        "the flooded account is limited": flood_rows[401] <= LOGIN_PAIR.limit and flood_rows[429] > 0
        and p["owner_status"] == 429,
    }
    last = "-" if p["last_done"] is None else f"{p['last_done']:.0f} s"
    print(f"   last person done at {last} of the {p['window']:.0f} s window; flood: {flood_rows[401]} x 401, "
          f"{flood_rows[429]} x 429, owner's right password afterwards: {p['owner_status']}")
    for name, ok in verdicts.items():
        print(f"   {_verdict(ok)}  {name}")
    if r.get("profile"):
        print_top(r["profile"], f"py-spy, {r['processes']} process(es), the peak")
    return verdicts


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="manage.py bench morning", description=__doc__.split("\n\n")[0])
    parser.add_argument("--processes", default="1,2", help="server process counts to run, e.g. 1,2")
    parser.add_argument("--minutes", type=float, default=10.0, help="the morning's window")
    parser.add_argument("--new", type=int, default=2000, help="staff who register from their link")
    parser.add_argument("--signins", type=int, default=2000, help="staff who sign in")
    parser.add_argument("--screenings", type=int, default=10_000, help="staff who screen (all of the above too)")
    parser.add_argument("--typos", type=float, default=0.05, help="share of sign-ins mistyped once first")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 4.0), help="pause between steps, s")
    parser.add_argument("--solo", type=int, default=40, help="people per kind in the solo CPU pass")
    parser.add_argument("--flood", type=int, default=300, help="wrong-password attempts against one account")
    parser.add_argument("--flood-rate", type=float, default=5.0, help="flood attempts per second")
    parser.add_argument("--grace", type=float, default=60.0, help="how long past the window to wait")
    parser.add_argument("--connections", type=int, default=200, help="the client's connection pool")
    parser.add_argument("--profile", action="store_true", help="py-spy the server during the peak")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    args.process_list = [int(x) for x in args.processes.split(",")]
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    log_dir = Path(tempfile.mkdtemp(prefix="bench-morning-logs-"))
    print(f"morning bench: {args.new:,} registrations, {args.signins:,} sign-ins, {args.screenings:,} screenings "
          f"from one address in {args.minutes:g} min, rate limits on; processes {args.processes}; "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; server logs in {log_dir}", flush=True)
    pg = Postgres()
    results = []
    try:
        for processes in args.process_list:
            print(f"-- {processes} process(es) ...", flush=True)
            results.append(asyncio.run(run(processes, args, pg, log_dir)))
    finally:
        pg.close()
    failed = 0
    for r in results:
        failed += sum(not ok for ok in report(r, args).values())
    print(f"\n{'all targets met' if not failed else f'{failed} target(s) missed'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
