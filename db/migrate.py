"""Numbered SQL migrations, applied in order under an advisory lock so processes never race."""
from __future__ import annotations

import logging
import re
from pathlib import Path

import asyncpg

from db.roles import ensure_app_role

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Any constant works; it only has to be the same in every process of this application.
MIGRATION_LOCK_ID = 7_341_002


def migration_files() -> list[tuple[int, str, Path]]:
    """The migrations on disk as (number, name, path), in order."""
    found = []
    for path in MIGRATIONS_DIR.glob("*.sql"):
        match = re.fullmatch(r"(\d{4})_(\w+)\.sql", path.name)
        if not match:
            raise RuntimeError(f"migration file name must look like 0001_name.sql: {path.name}")
        found.append((int(match.group(1)), match.group(2), path))
    return sorted(found)


async def pending(conn: asyncpg.Connection) -> list[tuple[int, str, Path]]:
    """The migrations on disk not yet applied (read without DDL, so the app's own role may ask)."""
    if await conn.fetchval("SELECT to_regclass('schema_migrations')") is None:
        return migration_files()
    done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
    return [m for m in migration_files() if m[0] not in done]


async def migrate(conn: asyncpg.Connection, app_role: str | None = None, app_password: str | None = None) -> list[str]:
    """Apply the migrations not yet recorded, each in its own transaction; return their names.

    Run as the database owner. With `app_role`, the app's least-privileged role is then made or
    re-granted (db/roles.py) under the same lock.
    """
    if app_role is None and not await pending(conn):
        return []  # nothing to do: the app's own role may start without any DDL right
    applied_now = []
    await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_ID)
    try:
        await conn.execute("""CREATE TABLE IF NOT EXISTS schema_migrations (
            version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())""")
        done = {r["version"] for r in await conn.fetch("SELECT version FROM schema_migrations")}
        for version, name, path in migration_files():
            if version in done:
                continue
            async with conn.transaction():
                await conn.execute(path.read_text(encoding="utf-8"))
                await conn.execute("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", version, name)
            log.info("applied migration %04d_%s", version, name)
            applied_now.append(f"{version:04d}_{name}")
        if app_role:
            await ensure_app_role(conn, app_role, app_password)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_ID)
    return applied_now


def main() -> None:
    """`python -m db.migrate`: apply the migrations as DATABASE_OWNER_URL and grant DATABASE_URL's role.

    The compose file runs it once before the app replicas start, so only this step holds the owner's
    password; the replicas connect as the least-privileged role.
    """
    import asyncio
    import os

    from db.roles import dsn_user

    owner_url, app_url = os.environ["DATABASE_OWNER_URL"], os.environ.get("DATABASE_URL")

    async def run():
        conn = await asyncpg.connect(owner_url)
        try:
            role, password = dsn_user(app_url) if app_url else (None, None)
            for name in await migrate(conn, app_role=role, app_password=password):
                print(f"applied {name}")
        finally:
            await conn.close()

    logging.basicConfig(level=logging.INFO)
    asyncio.run(run())


if __name__ == "__main__":
    main()
