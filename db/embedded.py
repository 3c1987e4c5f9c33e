"""A private PostgreSQL for development, from the `pgserver` wheel, when DATABASE_URL is unset."""
from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)


def start_embedded_postgres(data_dir: str | Path) -> str:
    """Start (or reuse) the embedded server in `data_dir` and return a DSN for database `clinic`."""
    import pgserver  # imported here: production never needs it

    path = Path(data_dir).resolve()
    path.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None leaves the server running for the next start, which then reuses it.
    server = pgserver.get_server(path, cleanup_mode=None)
    exists = server.psql("SELECT 1 FROM pg_database WHERE datname = 'clinic';")
    if "(1 row)" not in exists:
        server.psql("CREATE DATABASE clinic;")
    uri = server.get_uri("clinic")
    log.info("embedded PostgreSQL in %s", path)
    return uri
