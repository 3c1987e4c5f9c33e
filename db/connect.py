"""The asyncpg pool, with JSON codecs so jsonb columns read and write Python objects."""
from __future__ import annotations

import json

import asyncpg

# What a lost or unreachable server raises (restart, failover, network): callers answer "try again".
OUTAGE_ERRORS = (OSError, asyncpg.PostgresConnectionError, asyncpg.ConnectionDoesNotExistError,
                 asyncpg.CannotConnectNowError, asyncpg.exceptions.OperatorInterventionError,
                 asyncpg.exceptions.ConnectionFailureError)


async def _init_connection(conn: asyncpg.Connection) -> None:
    for typename in ("json", "jsonb"):
        await conn.set_type_codec(typename, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def answers(pool: asyncpg.Pool) -> None:
    """Raise unless the database answers a trivial query (for the health check)."""
    async with pool.acquire() as conn:
        await conn.fetchval("SELECT 1")


async def _release(conn: asyncpg.Connection) -> None:
    """Nothing to undo when a connection goes back to the pool (asyncpg still rolls back an open
    transaction first). asyncpg's default sends a reset query (RESET ALL, UNLISTEN, advisory unlocks)
    on every release: one more round trip for every request. The application keeps no session state: settings only with SET LOCAL inside a transaction,
    no LISTEN on pooled connections, its two advisory locks (migrations, seeding) released in `finally`."""


async def create_pool(dsn: str, min_size: int = 2, max_size: int = 20) -> asyncpg.Pool:
    """Open a connection pool whose connections speak JSON natively."""
    return await asyncpg.create_pool(dsn, min_size=min_size, max_size=max_size, init=_init_connection,
                                     reset=_release, command_timeout=30)
