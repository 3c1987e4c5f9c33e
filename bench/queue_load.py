"""The queue benchmark's load and what it measures about the machine: the enqueue and claim phases,
CPU per process and per core, pg_stat_activity samples, and the SIGKILL of one server process."""
from __future__ import annotations

import asyncio
import os
import random
import time
from collections import Counter, deque

import aiohttp
import psutil

from bench import queue_setup
from bench.common import Postgres, cpu_seconds


class Usage:
    """CPU seconds of the server, PostgreSQL, the client workers and this driver, at named moments."""

    def __init__(self, server_pid: int, pg: Postgres, workers: list[int]):
        self.server = ServerTree(server_pid)
        self.pg, self.workers = pg, [psutil.Process(pid) for pid in workers]
        self.me = psutil.Process()
        self.marks: dict[str, dict[str, float | None]] = {}

    def mark(self, name: str) -> None:
        machine = psutil.cpu_times()
        per_core = [t.user + t.system + t.nice + getattr(t, "softirq", 0.0) + getattr(t, "irq", 0.0)
                    for t in psutil.cpu_times(percpu=True)]
        mark = {"cores": per_core, "server": self.server.cpu_seconds(), "postgres": self.pg.cpu_seconds(),
                "clients": sum(cpu_seconds(p) for p in self.workers), "driver": cpu_seconds(self.me),
                "machine": machine.user + machine.system + machine.nice + getattr(machine, "softirq", 0.0)
                + getattr(machine, "irq", 0.0), "wall": time.perf_counter(), "epoch": time.time()}
        self.marks[name] = mark

    def between(self, a: str, b: str) -> dict[str, float | None]:
        out = {k: (None if self.marks[b][k] is None or self.marks[a][k] is None
               else self.marks[b][k] - self.marks[a][k]) for k in self.marks[a] if k not in ("cores", "epoch")}
        out["span"] = (self.marks[a]["epoch"], self.marks[b]["epoch"])
        out["cores"] = [y - x for x, y in zip(self.marks[a]["cores"], self.marks[b]["cores"])]
        return out


def client_cpus(pin: str) -> set[int] | None:
    """The CPUs the client workers are pinned to (see --pin), or None."""
    if pin == "none":
        return None
    available = sorted(os.sched_getaffinity(0))
    if pin == "auto":
        return {available[-1]} if len(available) >= 2 else None
    return {int(c) for c in pin.split(",")}


class ServerTree:
    """The server: one process, or the --workers supervisor and its children (CPU of exited ones kept)."""

    def __init__(self, pid: int):
        self.root = psutil.Process(pid)
        self.seen: dict[int, float] = {}

    def processes(self) -> list[psutil.Process]:
        try:
            return [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return []

    def children(self) -> list[psutil.Process]:
        return [p for p in self.processes() if p.pid != self.root.pid]

    def cpu_seconds(self) -> float:
        for p in self.processes():
            self.seen[p.pid] = max(self.seen.get(p.pid, 0.0), cpu_seconds(p))
        return sum(self.seen.values())

    def rss(self) -> int:
        total = 0
        for p in self.processes():
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total


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


def session() -> aiohttp.ClientSession:
    return aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar(), timeout=aiohttp.ClientTimeout(total=120))


async def enqueue_phase(url: str, arrivals: list, concurrency: int, bound: float) -> dict:
    """Arrivals join the queue through POST /api/queue from `concurrency` sessions."""
    todo = deque(arrivals)
    latencies, answers, errors = [], {}, Counter()
    deadline = time.perf_counter() + bound

    async def session_loop() -> None:
        async with session() as http:
            while todo and time.perf_counter() < deadline:
                patient = todo.popleft()
                started = time.perf_counter()
                try:
                    async with http.post(url + "/api/queue", json={"assessment_id": str(patient.assessment_id)},
                                         headers=_headers(patient.token, patient.csrf)) as response:
                        body = await response.json()
                except aiohttp.ClientError:  # the process holding the connection was killed
                    errors["disconnected"] += 1
                    continue
                except TimeoutError:  # no answer within the client's 120 s: counted, not fatal to the run
                    errors["timeout"] += 1
                    continue
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
        async with session() as http:
            if pause:  # doctors start their shifts spread out, not all in the same millisecond
                await asyncio.sleep(random.uniform(0, pause))
            while asked[0] < max_claims and time.perf_counter() < deadline:
                asked[0] += 1
                started = time.perf_counter()
                try:
                    async with http.post(url + "/api/doctor/claim", json={}, headers=_headers(token, csrf)) as response:
                        body = await response.json()
                except (aiohttp.ClientError, TimeoutError):  # killed mid-claim: it may have committed; this doctor stops
                    errors["claim disconnected"] += 1
                    return
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
                try:
                    async with http.post(url + f"/api/consultations/{body['id']}/end", headers=_headers(token, csrf),
                                         json={"notes": "bench", "diagnosis": "Viral fever (bench)",
                                               "disposition": "advice", "advice": "Rest and fluids."}) as response:
                        await response.read()
                except (aiohttp.ClientError, TimeoutError):
                    errors["end disconnected"] += 1
                    return
                end_lat.append(time.perf_counter() - started)
                if response.status != 200:
                    errors[f"end {response.status}"] += 1

    started = time.perf_counter()
    await asyncio.gather(*(doctor_loop(token, csrf) for _, token, csrf in doctors))
    elapsed = time.perf_counter() - started
    return {"claims": len(claimed), "elapsed": elapsed, "claim_lat": claim_lat, "end_lat": end_lat, "errors": errors,
            "bounded": time.perf_counter() >= deadline and asked[0] < max_claims}


async def kill_one(tree: ServerTree, after: float, usage: Usage, out: dict) -> None:
    """SIGKILL one server process `after` seconds from now; mark the database load before and after."""
    await asyncio.sleep(max(0.0, after - 10.0))
    usage.mark("kill-10s")
    await asyncio.sleep(min(10.0, after))
    victims = tree.children()
    if not victims:
        return
    victim = victims[-1]
    usage.mark("kill")
    out["killed"] = {"pid": victim.pid, "at": time.time()}
    victim.kill()  # a crash: no drain, no clean-up
    await asyncio.sleep(10.0)
    usage.mark("kill+10s")
