"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106's recommendations).

argon2 deliberately costs tens of milliseconds of CPU and 64 MiB per call. The work runs on a small
thread pool of its own (never the event loop, never holding a database connection), with a bounded
backlog: a flood of sign-ins waits its turn or is told to retry (503), and every other request of the
clinic keeps its share of the machine.
"""
from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from server.web.errors import ServiceBusy

_hasher = PasswordHasher()
# A real hash to verify against when the account does not exist, so timing does not reveal it.
_DUMMY_HASH = _hasher.hash("not-a-real-password")
# One core is left to the event loop; argon2-cffi releases the GIL while it hashes.
WORKERS = max(1, (os.cpu_count() or 2) - 1)
_executor = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="argon2")
# Hashes queued beyond this answer 503 at once: at ~50 ms each, 64 queued is a few seconds' wait.
MAX_BACKLOG = 64
_pending = 0


async def _run(fn, *args):
    global _pending
    if _pending >= MAX_BACKLOG:
        raise ServiceBusy()
    _pending += 1
    try:
        return await asyncio.get_running_loop().run_in_executor(_executor, fn, *args)
    finally:
        _pending -= 1


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
