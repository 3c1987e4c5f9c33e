"""The queue benchmark's analysis and report: the latency and wait-estimate figures of each run,
printed beside the naive baseline measured in the same bench, and the PASS/FAIL table of issue 17's
targets (bench/queue.py)."""
from __future__ import annotations

import argparse
import os
from bisect import bisect_left, insort
from collections import Counter

from bench.common import percentile
from bench.profile import print_top
from bench.queue_load import client_cpus

THRESHOLD = 1.0  # seconds: "every client's position correct within 1 s of a change"
CLAIM_P99_TARGET = 0.020


def merge_analysis(analysed: dict, changes: list, final_db: dict, bucket: str = "steady") -> dict:
    """Combine the workers' results for one bucket of changes ("steady", or "kill": those of the
    kill phase): per change the slowest client over all workers."""
    slowest: dict[int, float] = {}
    never: Counter = Counter()
    total = Counter()
    examples, final = [], {}
    for (result,) in analysed.values():
        part = result[bucket]
        for seq, latency in part["slowest"].items():
            slowest[seq] = max(latency, slowest.get(seq, 0.0))
        never.update(part["never"])
        for k in ("pairs", "violations", "censored", "violating_clients"):
            total[k] += part[k]
        examples += part["examples"]
        final.update(result["final"])
    kinds = {c.seq: ("claim" if c.removed and not c.inserted else "enqueue" if c.inserted else "other")
             for c in changes}
    per_kind: dict[str, list[float]] = {"all": [], "enqueue": [], "claim": []}
    for seq, kind in kinds.items():
        latency = float("inf") if never.get(seq) else slowest.get(seq)
        if latency is None:
            continue
        per_kind["all"].append(latency)
        per_kind.setdefault(kind, []).append(latency)
    waiting_clients = {eid: v for eid, v in final.items() if v[0] is not None and eid in final_db}
    wrong = [v for eid, v in waiting_clients.items() if final_db[eid] != v[0]]
    stale = sum(1 for eid, v in final.items() if v[0] is not None and eid not in final_db)
    return {"per_kind": per_kind, "slowest": slowest, "never": never, "totals": total, "examples": examples[:5],
            "final_correct": len(waiting_clients) - len(wrong),
            "final_waiting": len(waiting_clients), "final_wrong_failed": sum(1 for v in wrong if v[1]),
            "final_stale": stale, "never_changes": len(never)}


def claim_ranks(initial_keys, changes: list) -> list[int]:
    """For each claim, the claimed entry's place in the waiting list just before it (1 = the head)."""
    waiting = sorted(initial_keys)
    ranks = []
    for c in changes:
        for key in c.removed:
            i = bisect_left(waiting, key)
            if not c.inserted:
                ranks.append(i + 1)
            del waiting[i]
        for key in c.inserted:
            insort(waiting, key)
    return ranks


def wait_error(answers: dict, claimed_rows, changes: list) -> dict:
    """Estimated wait (enqueue answer) against the wait that followed; and patients-ahead against patients seen first."""
    minutes = []
    for row in claimed_rows:
        actual = (row["started_at"] - row["enqueued_at"]).total_seconds() / 60
        minutes.append((answers[row["id"]]["estimated_wait_minutes"], actual))
    joined: dict[int, int] = {}
    left: dict[int, int] = {}
    count = 0
    for c in changes:
        for k in c.inserted:
            joined[k[1]] = count
        if c.removed and not c.inserted:
            for k in c.removed:
                left[k[1]] = count
            count += len(c.removed)
    ahead = [(answers[r["id"]]["position"], left[r["id"]] - joined[r["id"]] + 1)
             for r in claimed_rows if r["id"] in left and r["id"] in joined]
    return {"n": len(minutes), "mae": _mae(minutes), "mean_est": _mean([e for e, _ in minutes]),
            "mean_actual": _mean([a for _, a in minutes]), "ahead_n": len(ahead), "ahead_mae": _mae(ahead),
            "ahead_mean_est": _mean([e for e, _ in ahead]), "ahead_mean_actual": _mean([a for _, a in ahead])}


def _mae(pairs) -> float | None:
    return sum(abs(a - b) for a, b in pairs) / len(pairs) if pairs else None


def _mean(values) -> float | None:
    values = list(values)
    return sum(values) / len(values) if values else None


# ---- report ---------------------------------------------------------------------------------
def _fmt(value, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return "-"
    if value == float("inf"):
        return "never"
    return f"{value:,.{digits}f}{unit}"


def pct(xs, p):
    """The p-th percentile of xs, or None for none."""
    return None if not xs else percentile(xs, p)


def figures(r: dict) -> dict[str, float | None]:
    """The comparable figures of one mode, as numbers (milliseconds, req/s, KiB, seconds)."""
    a = r["analysis"]["per_kind"]
    # A queue change is a patient joining or leaving the list, as in the measurement (one
    # arrival, one change): arrivals that share a statement (server/queue/arrivals.py) still count one each.
    changes = moved(r["steady_changes"]) or 1
    cpu = r["cpu"]
    return {
            "enqueue throughput (req/s)": r["enqueue"]["throughput"],
            "enqueue latency p50 (ms)": _ms(pct(r["enqueue"]["latencies"], 50)),
            "enqueue latency p99 (ms)": _ms(pct(r["enqueue"]["latencies"], 99)),
            "claims per second": r["claim"]["claims"] / r["claim"]["elapsed"] if r["claim"]["elapsed"] else None,
            "claim latency p50 (ms)": _ms(pct(r["claim"]["claim_lat"], 50)),
            "claim latency p99 (ms)": _ms(pct(r["claim"]["claim_lat"], 99)),
            "end latency p99 (ms)": _ms(pct(r["claim"]["end_lat"], 99)),
            "change -> all clients p50 (ms)": _ms(pct(a["all"], 50)),
            "change -> all clients p99 (ms)": _ms(pct(a["all"], 99)),
            "  enqueue changes p99 (ms)": _ms(pct(a["enqueue"], 99)),
            "  claim changes p99 (ms)": _ms(pct(a["claim"], 99)),
            "violations > 1 s (pairs)": r["analysis"]["totals"]["violations"],
            "late (client, change) pairs (%)": 100 * r["analysis"]["totals"]["violations"]
            / max(1, r["analysis"]["totals"]["pairs"]),
            "server memory per connection (KiB)": (r["rss_after"] - r["rss_before"]) / 1024 / max(1, r["connected"]),
            "server CPU, enqueue+claim phases (s)": _sum(cpu["enqueue"]["server"], cpu["claim"]["server"]),
            "server CPU per queue change (ms)": _ms(_sum(cpu["enqueue"]["server"], cpu["claim"]["server"]) / changes),
            "PostgreSQL CPU, both phases (s)": _sum(cpu["enqueue"]["postgres"], cpu["claim"]["postgres"]),
            }


def worker_lag(r: dict, span: tuple[float, float]) -> int | None:
    """The client workers' largest loop delay (ms) in a phase: how late the load generator itself was."""
    first, last = int(span[0]), int(span[1])
    seen = [ms for lags in r.get("client_lags", []) for second, ms in lags.items() if first <= second <= last]
    return max(seen) if seen else None


def moved(changes) -> int:
    """Patients who joined or left the waiting list in these changes (a change may carry several)."""
    return sum(len(c.removed) + len(c.inserted) for c in changes)


def _ms(seconds):
    return None if seconds is None else seconds * 1000


def _sum(*values):
    return None if any(v is None for v in values) else sum(values)


def report(r: dict, args: argparse.Namespace) -> None:
    label = "ours" if r["mode"] == "delta" else "baseline"
    e, c, a, w = r["enqueue"], r["claim"], r["analysis"], r["wait"]
    kc = r.get("kill_claim")
    f = figures(r)
    print(f"\n== QUEUE_UPDATES={r['mode']} ({label}), {r['processes']} server process(es)"
          + (" with Redis" if r["processes"] > 1 else "") + f", {r['clients']} live clients ==")
    if args.client_reorder_ms != 300:
        print(f"clients: hold an early change {args.client_reorder_ms:g} ms (patient.js holds 300) before resyncing")
    print(f"data set: {args.patients} waiting patients in '{args.department}' ({args.patients - args.arrivals} by setup SQL, "
          f"{args.arrivals} to arrive through the API), {args.doctors} doctors; setup {r['setup_seconds']:.1f} s")
    cpus = client_cpus(args.pin)
    print(f"clients: {r['connected']}/{args.clients} connected and subscribed in {r['connect_seconds']:.1f} s "
          f"({args.workers} processes of raw Engine.IO clients, "
          f"{'pinned to CPU ' + ','.join(map(str, sorted(cpus))) if cpus else 'not pinned'})" + (f"; failures {r['connect_failures']}: {r['connect_examples']}"
                                           if r["connect_failures"] else ""))
    print(f"enqueue: {e['done']}/{e['asked']} via POST /api/queue in {e['elapsed']:.1f} s from "
          f"{args.enqueue_concurrency} sessions: {_fmt(e['throughput'])} req/s; latency p50 "
          f"{_fmt(f['enqueue latency p50 (ms)'])} ms p99 {_fmt(f['enqueue latency p99 (ms)'])} ms"
          + (" [stopped by --phase-seconds]" if e["bounded"] else "") + (f"; errors {dict(e['errors'])}" if e["errors"] else ""))
    print(f"claims: {c['claims']} in {c['elapsed']:.1f} s ({_fmt(f['claims per second'])}/s) by {args.doctors} doctors "
          f"({'back to back' if not args.consult_seconds else f'consultations of ~{args.consult_seconds:g} s'}); "
          f"claim p50 {_fmt(f['claim latency p50 (ms)'])} ms p99 {_fmt(f['claim latency p99 (ms)'])} ms; "
          f"end p50 {_fmt(_ms(percentile(c['end_lat'], 50)))} ms p99 {_fmt(f['end latency p99 (ms)'])} ms"
          + (" [stopped by --phase-seconds]" if c["bounded"] else "") + (f"; errors {dict(c['errors'])}" if c["errors"] else ""))
    if kc:
        print(f"kill phase (after those): {kc['claims']} claims in {kc['elapsed']:.1f} s, one of the "
              f"{r['processes']} processes SIGKILLed {args.kill_after:g} s in; claim p99 "
              f"{_fmt(_ms(percentile(kc['claim_lat'], 99)))} ms" + (f"; errors {dict(kc['errors'])}" if kc["errors"] else "")
              + "; its changes are judged apart (below, and the kill line of the targets)")
    print("change -> every connected waiting client shows a correct position (slowest client per change"
          + (", enqueue and claim phases" if kc else "") + "):")
    for kind in ("all", "enqueue", "claim"):
        xs = a["per_kind"].get(kind, [])
        print(f"  {kind + ' changes':<16} n={len(xs):<6} p50 {_fmt(_ms(percentile(xs, 50)))} ms  "
              f"p99 {_fmt(_ms(percentile(xs, 99)))} ms  max {_fmt(_ms(max(xs) if xs else None))} ms")
    t = a["totals"]
    print(f"  violations (later than {THRESHOLD:.0f} s or never): {t['violations']} of {t['pairs']} (client, change) pairs; "
          f"{t['violating_clients']} clients; changes never shown by some client: {a['never_changes']}; "
          f"cut short by the client's own call: {t['censored']}")
    if a["examples"]:
        print(f"  e.g. (entry, seq, caught up): {a['examples']}")
    wrong = a["final_waiting"] - a["final_correct"]
    print(f"  final positions shown vs ROW_NUMBER in the database, {args.settle:.0f} s after the last change: "
          f"{a['final_correct']}/{a['final_waiting']} correct"
          + (f"; of the {wrong} wrong, {a['final_wrong_failed']} had a resync time out" if wrong else "")
          + (f"; {a['final_stale']} clients still show a position though no longer waiting" if a["final_stale"] else ""))
    print(f"  truth log = database after the run: {'yes' if r['truth_consistent'] else 'NO'}; "
          f"queue changes without a seq bump: {r['unsequenced']}" + (f"; {r['seq_gaps'][:3]}" if r["seq_gaps"] else ""))
    s = r["client_stats"]
    print(f"  clients received {s['updates']} queue:update and resynced {s['resyncs']} times: {s['gap']} after a seq gap "
          f"(an update arriving before an earlier one), {s['mine']} for their own entry, {s['reconnects']} after a "
          f"reconnect, the rest at subscribe; {s['resync_failed']} resyncs failed; {s['old_seq']} updates ignored as "
          f"already counted (late, or in a newer snapshot); {s['disconnects']} unexpected disconnects; {s['called']} called")
    if s["observed"]:
        print(f"  broadcast order, as one client per worker saw it: {s['inversions']} of {s['observed']} queue:update "
              f"arrived after one with a higher seq (each request emits after its own commit, in its own time)")
    for phase in ("enqueue", "claim"):
        d = r[f"db_{phase}"]
        print(f"database during the {phase} phase ({d['samples']} samples of pg_stat_activity): server connections busy "
              f"{d['busy']:.1f} on average (pool max 20), waiting on a lock {d['lock_waits']:.1f}, of them on the "
              f"department's seq row {d['seq_waits']:.1f}; a connection idle in transaction right after the seq bump "
              f"(holding the row until the app sends COMMIT) in {d['held_share'] * 100:.0f}% of samples, "
              f"about {d['held_share'] * r['cpu'][phase]['wall'] / max(1, r['phase_changes'][phase]) * 1000:.1f} ms "
              f"per change")
    print(f"memory: server RSS {r['rss_before'] / 2**20:.1f} MiB -> {r['rss_after'] / 2**20:.1f} MiB with "
          f"{r['connected']} clients = {_fmt(f['server memory per connection (KiB)'])} KiB per connection "
          f"({r['rss_end'] / 2**20:.1f} MiB at the end)")
    for phase in ("enqueue", "claim"):
        u = r["cpu"][phase]
        ours = sum(u[k] or 0.0 for k in ("server", "postgres", "clients", "driver"))
        print(f"CPU seconds, {phase} phase ({u['wall']:.1f} s wall, {os.cpu_count()} cores): server "
              f"{_fmt(u['server'], digits=2)}, PostgreSQL {_fmt(u['postgres'], digits=2)}, client workers "
              f"{_fmt(u['clients'], digits=2)}, bench driver {_fmt(u['driver'], digits=2)}; other processes on the "
              f"machine {_fmt(max(0.0, u['machine'] - ours), digits=2)}; per core busy "
              + ", ".join(f"cpu{i} {100 * busy / u['wall']:.0f}%" for i, busy in enumerate(u["cores"]))
              + f"; the client workers' loop woke up to {_fmt(worker_lag(r, u['span']), ' ms', 0)} late")
    idle = r["cpu"]["settle"]
    print(f"  server CPU per queue change {_fmt(f['server CPU per queue change (ms)'], digits=2)} ms "
          f"({moved(r['steady_changes'])} patients joined or left in these two phases, in {len(r['steady_changes'])} "
          f"seq bumps); server process total {r['server_cpu_total']:.1f} s; with no change at all (the settle "
          f"after the claims) the server spent {_fmt(idle['server'] / idle['wall'] if idle['wall'] else None, digits=2)} "
          f"CPU s/s holding {r['connected']} connections")
    ranks = r["claim_ranks"]
    print(f"claim order: the claimed patient's place in the waiting list just before the claim: p50 "
          f"{_fmt(percentile(ranks, 50), digits=0)}, p99 {_fmt(percentile(ranks, 99), digits=0)}, max "
          f"{_fmt(max(ranks) if ranks else None, digits=0)}; beyond the {args.doctors} that concurrent claims can "
          f"explain (SKIP LOCKED): {sum(1 for x in ranks if x > args.doctors)}")
    print(f"double claims (entries with more than one consultation): {r['double_claims']} "
          f"({r['consultations']} consultations for {c['claims'] + (kc['claims'] if kc else 0)} successful claims)")
    print(f"estimated wait vs the wait that followed, arrivals claimed during the run (n={w['n']}"
          + ("; the claims did not reach any arrival" if not w["n"] else "") + "): "
          f"MAE {_fmt(w['mae'], ' min', 2)} (mean estimate {_fmt(w['mean_est'], ' min', 2)}, mean actual "
          f"{_fmt(w['mean_actual'], ' min', 2)}) - rough: the bench compresses minutes of clinic into seconds, "
          f"so actual waits are tiny while the estimate uses a clinic's consultation length "
          f"(10 min until consultations end, then their mean but at least 1 min, per doctor on duty)")
    print(f"  patients ahead at enqueue vs patients seen first (scale-free, n={w['ahead_n']}): MAE "
          f"{_fmt(w['ahead_mae'])} (mean {_fmt(w['ahead_mean_est'])} predicted, {_fmt(w['ahead_mean_actual'])} "
          f"actual; later urgent arrivals jump ahead)")
    if r.get("profile"):
        print_top(r["profile"], f"the server, enqueue and claim phases ({label})")
    p99 = percentile(c["claim_lat"], 99)
    print(f"targets: claim p99 < 20 ms: {'PASS' if p99 is not None and p99 < CLAIM_P99_TARGET else 'FAIL'} "
          f"({_fmt(_ms(p99))} ms); positions correct within 1 s: {'PASS' if t['violations'] == 0 and r['connected'] else 'FAIL'} "
          f"({t['violations']} violations); zero double claims: {'PASS' if r['double_claims'] == 0 else 'FAIL'}")


def compare(ours: dict, base: dict) -> None:
    fo, fb = figures(ours), figures(base)
    print("\n== ours (delta) / baseline (naive), same data set, same machine ==")
    print(f"{'figure':<40}{'delta':>12}{'naive':>12}{'ratio':>10}")
    for name in fo:
        a, b = fo[name], fb[name]
        ratio = "-" if a is None or b in (None, 0) or a == float("inf") or b == float("inf") else f"{a / b:.3f}"
        print(f"{name:<40}{_fmt(a):>12}{_fmt(b):>12}{ratio:>10}")


MACHINE_NOTE = """
What this machine can and cannot show: server, PostgreSQL, the {workers} client processes and the
load driver share {cores} cores, so every figure includes contention with the clients; python-socketio
clients cost about as much CPU per message as the server's send. Loopback networking hides real
latency and bandwidth. The absolute numbers are therefore pessimistic for the server and optimistic
for the network; the ratio delta/naive on the same data set and machine is the meaningful figure.
Time is compressed (a consultation lasts --consult-seconds, not minutes), so wait estimates are rough.
Other people's processes on this machine take CPU too: see "other processes" per phase."""


# The targets: (figure, comparison, bound).
TARGETS = [
    ("enqueue throughput (req/s)", ">=", 200.0),
    ("enqueue latency p99 (ms)", "<=", 1000.0),
    ("claim latency p99 (ms)", "<=", 50.0),
    ("change -> all clients p99 (ms)", "<=", 1000.0),
    ("late (client, change) pairs (%)", "<=", 0.1),
    ("server CPU per queue change (ms)", "<=", 5.0),
]


def _label(r: dict) -> str:
    return f"{'naive' if r['mode'] == 'naive' else 'ours'} {r['processes']}p/{r['clients']}"


def _pass(value, op: str, bound: float) -> str:
    if value is None or value == float("inf"):
        return "FAIL"
    return "PASS" if (value >= bound if op == ">=" else value <= bound) else "FAIL"


def lost(r: dict) -> int:
    """Changes some client never showed, plus clients whose final position is wrong."""
    a = r["analysis"]
    return a["never_changes"] + (a["final_waiting"] - a["final_correct"])


def kill_recovery(r: dict) -> dict | None:
    """The kill phase: how long until every client showed every change made in it (the killed
    process's clients reconnect elsewhere and resync), and the database load before and after."""
    killed = r.get("killed")
    if not killed:
        return None
    a = r["kill_analysis"]
    worst = max(a["per_kind"]["all"], default=0.0)  # inf when some client never showed a change
    cpu = r["cpu"]
    before, after = cpu["before_kill"]["postgres"], cpu["after_kill"]["postgres"]
    return {"recovered_s": worst, "pg_before": before, "pg_after": after, "changes": len(a["per_kind"]["all"]),
            "violations": a["totals"]["violations"], "pairs": a["totals"]["pairs"],
            "pg_ratio": after / before if before else None}


def verdicts(results: list[dict]) -> None:
    """The issue's table: PASS/FAIL per target and run, with the naive baseline beside."""
    print("\n== targets (issue 17), PASS/FAIL per run; the naive baseline for comparison ==")
    head = f"{'figure':<36}{'target':>10}" + "".join(f"{_label(r):>22}" for r in results)
    print(head)
    for name, op, bound in TARGETS:
        row = f"{name:<36}{op + ' ' + format(bound, 'g'):>10}"
        for r in results:
            value = figures(r)[name]
            verdict = "" if r["mode"] == "naive" else " " + _pass(value, op, bound)
            row += f"{_fmt(value) + verdict:>22}"
        print(row)
    row = f"{'double claims':<36}{'= 0':>10}"
    for r in results:
        row += f"{str(r['double_claims']) + ('' if r['mode'] == 'naive' else ' ' + ('PASS' if r['double_claims'] == 0 else 'FAIL')):>22}"
    print(row)
    row = f"{'lost messages (never shown/wrong)':<36}{'= 0':>10}"
    for r in results:
        n = lost(r)
        row += f"{str(n) + ('' if r['mode'] == 'naive' else ' ' + ('PASS' if n == 0 else 'FAIL')):>22}"
    print(row)
    row = f"{'server CPU in enqueue phase (s)':<36}{'':>10}"
    for r in results:
        u = r["cpu"]["enqueue"]
        row += f"{_fmt(u['server']) + ' of ' + _fmt(u['wall']):>22}"
    print(row)
    for r in results:
        k = kill_recovery(r)
        if k:
            ok = k["recovered_s"] <= 10.0 and (k["pg_ratio"] is None or k["pg_ratio"] < 2.0)
            print(f"kill one of {r['processes']} processes ({_label(r)}): every client showed every one of the "
                  f"{k['changes']} changes of the kill phase within {_fmt(k['recovered_s'], ' s', 2)} of it (target 10 s; "
                  f"{k['violations']} of {k['pairs']} (client, change) pairs later); PostgreSQL CPU "
                  f"10 s before {_fmt(k['pg_before'], ' s', 2)}, 10 s after {_fmt(k['pg_after'], ' s', 2)} "
                  f"(ratio {_fmt(k['pg_ratio'], digits=2)}, target < 2): {'PASS' if ok else 'FAIL'}")
