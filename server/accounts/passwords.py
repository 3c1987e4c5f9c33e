"""Password hashing with argon2id, at OWASP's recommended cost: 19 MiB, 2 passes, 1 lane.

argon2 deliberately costs tens of milliseconds of CPU and 19 MiB per call. argon2-cffi's defaults
(RFC 9106's second recommendation: 64 MiB, 3 passes, 4 lanes, which this build runs on one thread)
cost ~210 ms of CPU per call on the 2-core machine of bench/morning.py: a company's morning of
2,000 registrations and 2,000 sign-ins is then 840 s of CPU, more than one process's pool thread
has in ten minutes; at this cost it is ~130 s (31 ms per call). Hashes made with the old cost keep
verifying (each hash names its own parameters). The work runs on a small
thread pool of its own (never the event loop, never holding a database connection), with a bounded
backlog: a flood of sign-ins waits its turn or is told to retry (503), and every other request of the
clinic keeps its share of the machine.
"""
from __future__ import annotations

import asyncio
import bisect
import os
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from server.web.errors import ServiceBusy

# OWASP Password Storage Cheat Sheet, argon2id: "m=19456 (19 MiB), t=2, p=1".
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# A real hash to verify against when the account does not exist, so timing does not reveal it.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
# One core is left to the event loop; argon2-cffi releases the GIL while it hashes.
WORKERS = max(1, (os.cpu_count() or 2) - 1)
_executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="argon2")
# Hashes queued beyond this answer 503 at once: at ~50 ms each, 64 queued is a few seconds' wait.
MAX_BACKLOG = 64
_pending = 0


@dataclass
class PoolStats:
    """How long hashes waited for a pool thread (exported at /metrics; read by bench/morning.py)."""

    BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
    counts: list[int] = field(default_factory=lambda: [0] * (len(PoolStats.BUCKETS) + 1))
    wait_sum: float = 0.0
    refused: int = 0  # answered 503: the backlog was full
    peak: int = 0  # most hashes queued or running at once

    def observe(self, wait: float) -> None:
        """One hash that waited `wait` seconds before a thread took it."""
        self.counts[bisect.bisect_left(self.BUCKETS, wait)] += 1
        self.wait_sum += wait


STATS = PoolStats()


def _timed(fn, *args):
    return time.perf_counter(), fn(*args)


async def _run(fn, *args):
    global _pending
    if _pending >= MAX_BACKLOG:
        STATS.refused += 1
        raise ServiceBusy()
    _pending += 1
    STATS.peak = max(STATS.peak, _pending)
    submitted = time.perf_counter()
    try:
        started, result = await asyncio.get_running_loop().run_in_executor(_executor, _timed, fn, *args)
    finally:
        _pending -= 1
    STATS.observe(started - submitted)  # in the event loop's thread: no lock needed
    return result


async def hash_password(password: str) -> str:
    """The argon2id hash of `password`, computed off the event loop; 503 when too many are queued."""
    return await _run(_hasher.hash, password)


async def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; always spends the same work, even with no stored hash."""
    def check() -> bool:
        try:
            return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
    return await _run(check)
