"""A private PostgreSQL for development, from the `pgserver` wheel, when DATABASE_URL is unset."""
from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


def start_embedded_postgres(data_dir: str | Path) -> tuple[str, Callable[[], None]]:
    """Start (or reuse) the embedded server in `data_dir`; return a DSN for database `clinic` and a
    function that stops the server again if this call started it (one already running is left alone)."""
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
