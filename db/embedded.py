"""A private PostgreSQL for development, from the `pgserver` wheel, when DATABASE_URL is unset."""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


# The embedded server's app role, as in production: rows only, never DDL (db/roles.py).
APP_ROLE = "clinic_app"


def start_embedded_postgres(data_dir: str | Path) -> tuple[str, Callable[[], None]]:
    """Start (or reuse) the embedded server in `data_dir`; return the owner's DSN for database `clinic`
    and a function that stops the server again if this call started it (one already running is left alone).

    The app connects as APP_ROLE (app_dsn); the owner's DSN is for migrations only.
    """
    import pgserver  # imported here: production never needs it
    from pgserver.postgres_server import PostmasterInfo

    path = Path(data_dir).resolve()
    path.mkdir(parents=True, exist_ok=True)
    running = PostmasterInfo.read_from_pgdata(path)
    ours = running is None or not running.is_running()
    server = pgserver.get_server(path, cleanup_mode="stop" if ours else None)
    exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'clinic';")
    if "(1 row)" not in exists:
        server.psql("CREATE DATABASE clinic;")
    uri = server.get_uri("clinic")
    log.info("embedded PostgreSQL in %s (%s)", path, "started" if ours else "already running")
    return uri, server.cleanup


def app_dsn(owner_dsn: str) -> str:
    """The DSN the app uses on the embedded server: the same database as the least-privileged role."""
    from db.roles import with_user
    return with_user(owner_dsn, APP_ROLE)
