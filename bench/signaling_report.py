"""The signaling benchmark's figures: one row per (server kind, processes, pairs) step and the summary
comparing ours with the bare relay (bench/signaling.py)."""
from __future__ import annotations

from dataclasses import dataclass, field

P99_BUDGET = 0.100  # seconds: "one process holds N pairs" means p99 under this


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


def trouble_notes(phase: str, trouble: dict, include_late: bool) -> list[str]:
    notes = []
    if trouble["lost"]:
        notes.append(f"{phase}: {trouble['lost']} not delivered within 2 s after the window")
    if include_late and trouble["late"]:
        notes.append(f"{phase}: {trouble['late']} delivered after the window")
    if trouble["dropped"]:
        notes.append(f"{phase}: {trouble['dropped']} clients disconnected")
    if trouble.get("refused"):
        notes.append(f"{phase}: {trouble['refused']} chat messages refused by the rate limit (20 a person per 10 s)")
    return notes


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
    for (impl, procs, pairs), two in sorted(index.items()):
        one = index.get((impl, 1, pairs))
        if impl != "ours" or procs == 1 or one is None or not one.p99 or not two.p99:
            continue
        ratio = two.p99 / one.p99
        out.append(f"ours on {procs} processes with Redis, {pairs:>4} pairs: p99 {two.p99 * 1000:.1f} ms against "
                   f"{one.p99 * 1000:.1f} ms on one, {ratio:.2f}x ({'ok' if ratio <= 2 else 'OVER'} target <= 2x); "
                   + ("every message delivered" if not two.lost else f"{two.lost} messages NOT delivered"))
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
