"""Helpers shared by the benchmarks: percentiles, a private PostgreSQL, a real server process, CPU and memory."""
from __future__ import annotations

import asyncio
import math
import os
import secrets
import shutil
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import psutil

ROOT = Path(__file__).resolve().parent.parent


def percentile(values, p: float) -> float | None:
    """The p-th percentile (0-100) by linear interpolation between closest ranks; None when empty."""
    data = sorted(values)
    if not data:
        return None
    k = (len(data) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    if data[lo] == data[hi] or k == lo:
        return data[lo]
    if math.isinf(data[hi]):  # e.g. "never" as infinity
        return data[hi]
    return data[lo] + (data[hi] - data[lo]) * (k - lo)


def ms(seconds: float | None) -> str:
    """Seconds as milliseconds for a report, '-' when unknown."""
    return "-" if seconds is None else f"{seconds * 1000:.1f}"


def with_database(dsn: str, name: str) -> str:
    """The same server DSN, pointing at database `name`."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path="/" + name))


class Postgres:
    """A PostgreSQL server for a benchmark: BENCH_DATABASE_URL / TEST_DATABASE_URL, or a pgserver in a temp dir.

    Each `create_database` makes a fresh, empty database on it; `close` drops them (and stops the
    private server).
    """

    def __init__(self) -> None:
        self.admin_dsn = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
        self._server = None
        self._dir: str | None = None
        self._created: list[str] = []
        if not self.admin_dsn:
            import pgserver
            self._dir = tempfile.mkdtemp(prefix="bench-pg-")
            self._server = pgserver.get_server(self._dir, cleanup_mode="stop")
            self.admin_dsn = self._server.get_uri("postgres")

    @property
    def embedded(self) -> bool:
        """True when the bench runs its own pgserver (so its processes can be measured)."""
        return self._server is not None

    def processes(self) -> list[psutil.Process]:
        """The private server's processes (postmaster and backends), empty for an external server."""
        if self._server is None:
            return []
        try:
            main = psutil.Process(self._server.get_pid())
            return [main, *main.children(recursive=True)]
        except psutil.Error:
            return []

    def cpu_seconds(self) -> float | None:
        """User+system CPU seconds of the private server's live processes so far (None if external)."""
        if self._server is None:
            return None
        # Backends come and go (each server process's pool opens and closes connections): keep the
        # CPU of those that exited, or the sum would go down.
        seen = self.__dict__.setdefault("_seen", {})
        for p in self.processes():
            seen[p.pid] = max(seen.get(p.pid, 0.0), cpu_seconds(p))
        return sum(seen.values())

    async def create_database(self, prefix: str) -> str:
        """A new empty database; returns its DSN."""
        name = f"{prefix}_{secrets.token_hex(4)}"
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            await conn.execute(f'CREATE DATABASE "{name}"')
        finally:
            await conn.close()
        self._created.append(name)
        return with_database(self.admin_dsn, name)

    async def drop_databases(self) -> None:
        """Drop every database this object created."""
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            for name in self._created:
                await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await conn.close()
        self._created.clear()

    def close(self) -> None:
        """Drop the databases, stop the private server and remove its directory."""
        if self._created:
            asyncio.run(self.drop_databases())
        if self._server is not None:
            self._server.cleanup()
            self._server = None
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


def cpu_seconds(process: psutil.Process) -> float:
    """User+system CPU seconds of one process (0 when it is gone)."""
    try:
        times = process.cpu_times()
        return times.user + times.system
    except psutil.Error:
        return 0.0


def rss_bytes(pid: int) -> int:
    """Resident memory of one process."""
    return psutil.Process(pid).memory_info().rss


def start_server(database_url: str, env: dict | None = None, log_dir: Path | None = None, processes: int = 1):
    """`python -m server [--workers N]` in a child process on `database_url` (tests/helpers/processes.py), started and healthy.

    With several processes, returns once all of them listen on the port.
    """
    import time

    from tests.helpers.processes import ServerProcess
    args = ("--workers", str(processes)) if processes > 1 else ()
    server = ServerProcess({"DATABASE_URL": database_url, **(env or {})},
                           log_dir=log_dir, args=args)
    server.start()
    deadline = time.monotonic() + 60
    while processes > 1 and time.monotonic() < deadline:
        listening = 0
        for child in psutil.Process(server.proc.pid).children():
            try:
                listening += any(c.status == psutil.CONN_LISTEN and c.laddr.port == server.port
                                 for c in child.net_connections("tcp"))
            except psutil.Error:
                pass
        if listening >= processes:
            break
        time.sleep(0.3)
    return server
