"""Fresh databases on the test PostgreSQL: the session's migrated one (conftest) and the empty ones that
tests of real server processes hand to `python -m server`, which migrates and seeds them on start-up."""
from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from helpers import with_database


async def _execute(dsn: str, sql: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def empty_database(dsn: str, prefix: str) -> Iterator[str]:
    """A new, empty database named `prefix_<random>` on `dsn`'s server for the length of the block (its
    DSN), dropped afterwards even while processes are still connected to it."""
    admin = with_database(dsn, "postgres")
    name = f"{prefix}_{secrets.token_hex(4)}"
    asyncio.run(_execute(admin, f'CREATE DATABASE "{name}"'))
    try:
        yield with_database(admin, name)
    finally:
        asyncio.run(_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
