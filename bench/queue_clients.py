"""Queue bench, client side: waiting patients' Socket.IO connections in worker processes, and the analysis.

`WaitingPatient.on_queue_update` is webclient/static/js/patient.js `onQueueUpdate` (with
`drainChanges`, `resync` and `renderEntry`) ported line by line, so the bench measures the
algorithm the browser runs: changes applied in seq order, a gap held 300-600 ms before a resync.
Each client records (wall time, position) whenever the position it shows changes.

The clients are cheap so that thousands fit beside the server on 2 cores: the raw Engine.IO /
Socket.IO protocol over aiohttp (bench/sio_lite.py), and each distinct broadcast decoded once per
worker (`Decoded`): every client still receives its own copy on its own socket, but clients of
one worker that get the same bytes share the parsed changes, sorted so that a client counts the
changes ahead of it by bisection (the same counts patient.js gets by comparing every key).

After the run the parent sends the truth (bench/queue_setup.py's change log) and each worker works
out, for every change and every one of its clients still waiting, when the client first showed a
correct position: the truth right after that change, or the truth of a later change already
committed by then (a client that jumps straight to a newer state is not late). See `catch_up`.
"""
from __future__ import annotations

import asyncio
import gc
import math
import os
import random
import time
from array import array
from bisect import bisect_left
from collections import deque

import orjson

from bench.sio_lite import CallTimeout, LiteSocket, shared_session

RESYNC_TIMEOUT = 8.0  # seconds; patient.js emitAck's default


class Change:
    """One change of a queue:update, parsed once per worker: sorted keys and the entry ids it names.

    [due_us, id] lists compare as patient.js keyLess does, so bisect_left(keys, mine) is the
    number of keys ahead of `mine`.
    """

    __slots__ = ("seq", "removed", "inserted", "ids")

    def __init__(self, change: dict):
        self.seq = change["seq"]
        self.removed = sorted(e["key"] for e in change["removed"])
        self.inserted = sorted(e["key"] for e in change["inserted"])
        self.ids = {e["id"] for e in change["removed"]} | {e["id"] for e in change["inserted"]}


class Batch:
    """A queue:update's changes taken together, when their seqs are consecutive: what a client that
    has counted everything before the first one adds up, change by change, in one bisection each
    (an entry inserted and removed within the batch counts +1 -1). Built once per worker, it keeps
    the load generator's cost per client per broadcast, not per client per change."""

    __slots__ = ("first", "last", "removed", "inserted", "ids")

    def __init__(self, changes: list[Change]):
        self.first, self.last = changes[0].seq, changes[-1].seq
        self.removed = sorted(k for c in changes for k in c.removed)
        self.inserted = sorted(k for c in changes for k in c.inserted)
        self.ids = set().union(*(c.ids for c in changes))

    @staticmethod
    def of(changes: list[Change]) -> Batch | None:
        """The batch, or None when its seqs are not consecutive (then clients go change by change)."""
        seqs = [c.seq for c in changes]
        return Batch(changes) if seqs and seqs == list(range(seqs[0], seqs[0] + len(seqs))) else None


class Decoded:
    """The worker's cache of recent broadcasts, by their text: each decoded and parsed once."""

    def __init__(self, size: int = 256):
        self.size, self.items = size, {}

    def get(self, body: str):
        found = self.items.get(body)
        if found is None:
            event, data = orjson.loads(body)
            if event == "queue:update" and "changes" in data:
                data["parsed"] = [Change(c) for c in data["changes"]]
                data["batch"] = Batch.of(data["parsed"])
            found = (event, data)
            if len(self.items) >= self.size:
                del self.items[next(iter(self.items))]
            self.items[body] = found
        return found


class WaitingPatient:
    """One browser tab of a waiting patient: socket, queue state, and what it showed when."""

    def __init__(self, http, decoded: Decoded, url: str, token: str, entry_id: int, stats: dict,
                 reorder: float = 0.3):
        self.url, self.token, self.entry_id = url, token, str(entry_id)
        self.stats = stats
        self.entry: dict | None = None
        self.called_at: float | None = None
        self.times, self.positions = array("d"), array("l")
        self.closing = False
        self.failed_resyncs = 0
        self.observer, self.max_seq = False, 0
        self.reorder, self.early, self.gap_timer = reorder, {}, None  # patient.js: hold a gap 300-600 ms
        self.resyncing, self.retry = False, 1.0
        self.tasks: set[asyncio.Task] = set()  # resyncs in flight (fire and forget, as in patient.js)
        self.decoded = decoded
        self.sio = LiteSocket(http, reconnection=True, delay=0.5, delay_max=2, raw_handler=self.on_raw)
        self.sio.on("connect", self.on_connect)
        self.sio.on("disconnect", self.on_disconnect)
        self.sio.on("queue:update", self.on_queue_update)
        self.sio.on("consult:ready", self.on_consult_ready)

    async def start(self) -> bool:
        """Connect with the session cookie and subscribe (patient.js showWaiting -> resync)."""
        await self.sio.connect(self.url, headers={"Cookie": f"clinic_session={self.token}"}, wait_timeout=30)
        await self.resync()
        return self.entry is not None

    # ---- patient.js, ported ------------------------------------------------------------------
    def render(self, entry: dict) -> None:
        """renderEntry: keep the entry; record the position shown when it changed."""
        self.entry = entry
        if self.called_at is None and (not self.positions or self.positions[-1] != entry["position"]):
            self.times.append(time.time())
            self.positions.append(entry["position"])

    async def resync(self) -> None:
        """resync: re-read the snapshot through queue:subscribe's ack; retry with backoff on failure."""
        if self.resyncing:
            return
        self.stats["resyncs"] += 1
        self.resyncing = True
        try:
            ack = await self.sio.call("queue:subscribe", {}, timeout=RESYNC_TIMEOUT)
        except CallTimeout:
            ack = {"ok": False, "error": {"code": "timeout"}}
        finally:
            self.resyncing = False
        if ack and ack.get("ok"):
            self.retry = 1.0
            if ack["entry"]["status"] == "waiting":
                self.render(ack["entry"])
                self.drain()
                return
            self.entry = ack["entry"]  # called: no longer following the queue (patient.js resync)
            if self.gap_timer is not None:
                self.gap_timer.cancel()
                self.gap_timer = None
            self.early.clear()
            if ack["entry"].get("consultation_id"):
                self.enter_call()
        else:
            self.stats["resync_failed"] += 1
            self.failed_resyncs += 1
            if not self.closing and self.called_at is None:
                asyncio.get_running_loop().call_later(self.retry * (1 + random.random()), self.spawn_resync)
                self.retry = min(self.retry * 2, 30.0)

    def on_raw(self, sio, body: str) -> bool:
        """Every event passes here first: decoded through the worker's cache, then dispatched."""
        event, data = self.decoded.get(body)
        if event == "queue:update":
            self.on_queue_update(data)
        elif event == "consult:ready":
            self.on_consult_ready(data)
        return True

    def on_queue_update(self, update: dict) -> None:
        """onQueueUpdate: take the batch's changes, apply them in seq order (drainChanges)."""
        self.stats["updates"] += 1
        if self.observer and "seq" in update:  # one client per worker watches the order of broadcasts
            self.stats["observed"] += 1
            if update["seq"] < self.max_seq:
                self.stats["inversions"] += 1
            self.max_seq = max(self.max_seq, update["seq"])
        entry = self.entry
        if not entry or entry["status"] != "waiting" or update["department"] != entry["department"]:
            return
        if "position" in update:  # the server pushed our position itself (QUEUE_UPDATES=naive)
            if update["entry_id"] == entry["id"]:
                entry.update(position=update["position"], estimated_wait_minutes=update["estimated_wait_minutes"])
                self.render(entry)
            return
        entry["minutes_per_patient"] = update["minutes_per_patient"]
        batch = update.get("batch")
        if (batch is not None and not self.early and not self.resyncing and entry["seq"] + 1 == batch.first
                and entry["id"] not in batch.ids):  # the usual case: the same result as drain(), in one step
            mine = entry["sort_key"]
            entry["position"] = max(1, entry["position"] + bisect_left(batch.inserted, mine)
                                    - bisect_left(batch.removed, mine))
            entry["seq"] = batch.last
            entry["estimated_wait_minutes"] = max(0, math.ceil((entry["position"] - 1) * entry["minutes_per_patient"]))
            self.render(entry)
            return
        for change in update["parsed"]:
            self.early[change.seq] = change
        self.drain()

    def drain(self) -> None:
        """drainChanges: apply consecutive changes; hold a gap briefly before resyncing."""
        entry = self.entry
        if self.resyncing or entry is None:
            return
        moved = False
        while True:
            for seq in [seq for seq in self.early if seq <= entry["seq"]]:
                self.stats["old_seq"] += 1
                del self.early[seq]
            change = self.early.pop(entry["seq"] + 1, None)
            if change is None:
                break
            if entry["id"] in change.ids:
                self.stats["mine"] += 1
                self.spawn_resync()
                return
            mine = entry["sort_key"]
            entry["position"] += bisect_left(change.inserted, mine) - bisect_left(change.removed, mine)
            entry["seq"] = change.seq
            moved = True
        if moved:
            entry["position"] = max(1, entry["position"])
            entry["estimated_wait_minutes"] = max(0, math.ceil((entry["position"] - 1) * entry["minutes_per_patient"]))
            self.render(entry)
        if self.gap_timer is not None:
            self.gap_timer.cancel()
            self.gap_timer = None
        if self.early:
            self.gap_timer = asyncio.get_running_loop().call_later(self.reorder * (1 + random.random()),
                                                                   self.gap_timed_out)

    def gap_timed_out(self) -> None:
        self.gap_timer = None
        if self.early:  # the missing change never came: re-read the snapshot, keep what came after it
            self.stats["gap"] += 1
            self.spawn_resync()

    def spawn_resync(self) -> None:
        task = asyncio.ensure_future(self.resync())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def on_connect(self) -> None:
        """patient.js: on (re)connect, a waiting patient resyncs."""
        if self.entry and self.entry["status"] == "waiting" and self.called_at is None:
            self.stats["reconnects"] += 1
            self.spawn_resync()

    def on_disconnect(self, reason=None) -> None:
        if not self.closing:
            self.stats["disconnects"] += 1

    def on_consult_ready(self, message: dict) -> None:
        """consult:ready -> enterCall: the waiting room is no longer shown."""
        self.enter_call()

    def enter_call(self) -> None:
        if self.called_at is None:
            self.called_at = time.time()
            self.stats["called"] += 1


async def _run_worker(index: int, url: str, patients: list[tuple[str, int]], commands, results,
                      connect_concurrency: int, reorder: float) -> None:
    loop = asyncio.get_running_loop()
    stats = {"updates": 0, "resyncs": 0, "resync_failed": 0, "gap": 0, "mine": 0, "old_seq": 0, "reconnects": 0, "disconnects": 0,
                 "called": 0, "observed": 0, "inversions": 0}
    stats["lags"] = {}
    http = shared_session()
    decoded = Decoded()
    clients = [WaitingPatient(http, decoded, url, token, entry_id, stats, reorder) for token, entry_id in patients]
    if clients:
        clients[-1].observer = True  # the last in queue order: claimed last, so it hears the whole run
    gate = asyncio.Semaphore(connect_concurrency)
    failures: list[str] = []

    async def start(client: WaitingPatient) -> bool:
        async with gate:
            try:
                return await client.start()
            except Exception as exc:  # noqa: BLE001 - counted and reported, the bench goes on
                failures.append(f"{type(exc).__name__}: {exc}")
                return False

    started = time.perf_counter()
    ok = await asyncio.gather(*(start(c) for c in clients))
    live = [c for c, good in zip(clients, ok) if good]
    gc.freeze()  # the connected clients' objects stay out of the collector: no load-generator pauses
    lag = asyncio.ensure_future(_loop_lag(stats))
    results.put(("ready", index, len(live), failures[:3], len(failures), time.perf_counter() - started))

    command = await loop.run_in_executor(None, commands.get)
    assert command[0] == "stop"
    lag.cancel()
    stats_at_stop = dict(stats)
    lags = stats_at_stop.pop("lags")
    for client in clients:
        client.closing = True
    await asyncio.gather(*(c.sio.disconnect() for c in clients), return_exceptions=True)
    await http.close()
    results.put(("stopped", index, stats_at_stop, lags))

    command = await loop.run_in_executor(None, commands.get)
    assert command[0] == "analyse"
    if hasattr(os, "sched_setaffinity"):  # the load is over: the analysis may use every core
        os.sched_setaffinity(0, range(os.cpu_count() or 1))
    truth = command[1]
    results.put(("analysis", index, analyse(live, truth)))


async def _loop_lag(stats: dict, tick: float = 0.05) -> None:
    """The worker's own delay: how late its loop wakes for a 50 ms tick (a client that shows a change
    late because the load generator was busy, not the server). Kept as (wall time, ms) per second."""
    loop = asyncio.get_running_loop()
    while True:
        due = loop.time() + tick
        await asyncio.sleep(tick)
        late = int((loop.time() - due) * 1000)
        second = int(time.time())
        if late > stats["lags"].get(second, -1):
            stats["lags"][second] = late


def worker_main(index: int, url: str, patients: list[tuple[str, int]], commands, results,
                connect_concurrency: int = 50, reorder: float = 0.0, cpus: set[int] | None = None) -> None:
    """Entry point of a client worker process (multiprocessing, spawn), pinned to `cpus` when given."""
    if cpus:
        os.sched_setaffinity(0, cpus)
    try:
        import uvloop
        uvloop.install()
    except ImportError:
        pass
    try:
        asyncio.run(_run_worker(index, url, patients, commands, results, connect_concurrency, reorder))
    except Exception as exc:  # noqa: BLE001 - the parent must hear about it rather than wait forever
        results.put(("error", index, f"{type(exc).__name__}: {exc}", os.getpid()))


# ---- analysis ---------------------------------------------------------------------------------
def catch_up(key, initial_keys_sorted, changes, times, positions, called_at, threshold):
    """For one client: [(seq, latency seconds or None for never, censored)] for each change it had to follow.

    T(s) is the true position after change s. The client has caught up with change s at the first
    moment t >= at(s) when the position it shows equals T(u) for some u >= s already committed by t.
    A client claimed (or called) before catching up is `censored` for the changes it still owed: its
    latency is then how long it had owed the change, a lower bound that `threshold(seq)` judges
    (within it: left out; past it: never caught up).
    """
    truth = 1 + bisect_left(initial_keys_sorted, key)
    last_seq_with = {}   # true position -> the latest seq at which it was true
    pending: deque = deque()
    out = []
    shown = None
    first_shown = times[0] if len(times) else None
    i, n = 0, len(times)

    def settle(now: float) -> None:
        u = last_seq_with.get(shown)
        while pending and u is not None and pending[0][0] <= u:
            seq, at = pending.popleft()
            out.append((seq, now - at, False))

    for seq, at, removed, inserted in changes:
        while i < n and times[i] < at:
            shown = positions[i]
            settle(times[i])
            i += 1
        mine = False
        for r in removed:
            if r < key:
                truth -= 1
            elif r == key:
                mine = True
        for a in inserted:
            if a < key:
                truth += 1
        if mine or (called_at is not None and called_at <= at):
            end = min(at, called_at) if called_at is not None else at
            for s, a in pending:  # it left the waiting room while still owing these
                late = end - a > threshold(s)
                out.append((s, None if late else end - a, not late))
            pending.clear()
            return out
        if first_shown is None or at < first_shown:
            continue  # not subscribed yet
        last_seq_with[truth] = seq
        pending.append((seq, at))
        settle(at)
    while i < n:
        shown = positions[i]
        settle(times[i])
        i += 1
    out.extend((s, None, False) for s, _ in pending)  # never showed it
    return out


def analyse(clients: list[WaitingPatient], truth: dict) -> dict:
    """Per change: the slowest of this worker's clients; violations; the final positions shown.

    Changes committed from truth["split_at"] on (the kill phase) are judged apart, against
    truth["kill_threshold"]: {"steady": ..., "kill": ..., "final": ...}.
    """
    initial = sorted(truth["initial_keys"])
    changes = truth["changes"]
    split_at = truth.get("split_at") or float("inf")
    late_seqs = {seq for seq, at, _, _ in changes if at >= split_at}
    thresholds = {False: truth["threshold"], True: truth.get("kill_threshold", truth["threshold"])}

    def threshold(seq: int) -> float:
        return thresholds[seq in late_seqs]

    buckets = {name: {"slowest": {}, "never": {}, "pairs": 0, "violations": 0, "censored": 0,
                      "violating_clients": 0, "examples": []} for name in ("steady", "kill")}
    final = {}
    for client in clients:
        key = truth["client_keys"][int(client.entry_id)]
        rows = catch_up(key, initial, changes, client.times, client.positions, client.called_at, threshold)
        bad = {"steady": False, "kill": False}
        for seq, latency, cut in rows:
            name = "kill" if seq in late_seqs else "steady"
            b = buckets[name]
            b["pairs"] += 1
            if cut:
                b["censored"] += 1
                continue
            if latency is None:
                b["never"][seq] = b["never"].get(seq, 0) + 1
                b["violations"] += 1
                bad[name] = True
                if len(b["examples"]) < 5:
                    b["examples"].append((client.entry_id, seq, "never"))
                continue
            if latency > b["slowest"].get(seq, -1.0):
                b["slowest"][seq] = latency
            if latency > threshold(seq):
                b["violations"] += 1
                bad[name] = True
                if len(b["examples"]) < 5:
                    b["examples"].append((client.entry_id, seq, f"{latency * 1000:.0f} ms"))
        for name, was_bad in bad.items():
            buckets[name]["violating_clients"] += was_bad
        final[int(client.entry_id)] = (None if client.called_at is not None or not len(client.positions)
                                       else client.positions[-1], client.failed_resyncs)
    return {**buckets, "final": final}
