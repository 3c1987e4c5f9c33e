"""`python -m server [--demo] [--port N] [--workers N]`: embedded PostgreSQL when DATABASE_URL is unset, migrate, serve.

With --workers N (or WORKERS=N) N processes serve one port (server/workers.py).
"""
from __future__ import annotations

import argparse
import gc
import os
import sys
from dataclasses import replace

import uvloop
from aiohttp import web

from server.app import create_app
from server.settings import Settings, SettingsError
from server.web.logs import setup_logging


def main(argv: list[str] | None = None) -> None:
    """Prepare settings (and the embedded database), print where to go, and serve."""
    parser = argparse.ArgumentParser(prog="python -m server")
    parser.add_argument("--demo", action="store_true", help="seed the demo accounts (same as DEMO=1)")
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS") or 1),
                        help="server processes on the port, with Redis between them (default WORKERS or 1)")
    args = parser.parse_args(argv)
    worker = os.environ.get("CLINIC_WORKER") == "1"  # one of --workers' processes: serve, say nothing
    setup_logging(os.environ.get("LOG_LEVEL", "INFO"), os.environ.get("LOG_FORMAT", "json"))
    try:
        settings = Settings.from_env(**({"demo": True} if args.demo else {}))
    except SettingsError as exc:
        sys.exit(f"configuration error: {exc}")
    settings = replace(settings, host=args.host or settings.host, port=args.port or settings.port)
    stop_database = None
    if not settings.database_url and not worker:
        from db.embedded import app_dsn, start_embedded_postgres
        owner, stop_database = start_embedded_postgres(os.path.join(settings.data_dir, "pgdata"))
        settings = replace(settings, database_url=app_dsn(owner), owner_database_url=owner)
    try:
        if args.workers > 1 and not worker:
            from server import workers
            _banner(settings)
            child_args = ["--demo"] if args.demo else []
            env = {**os.environ, "DATABASE_URL": settings.database_url}
            if settings.owner_database_url:
                env["DATABASE_OWNER_URL"] = settings.owner_database_url
            sys.exit(workers.supervise(args.workers, settings.host, settings.port, env, child_args))
        if not worker:
            _banner(settings)
        app = create_app(settings)
        # Thousands of long-lived socket objects make every full collection walk them all: measured
        # here, 375-550 ms pauses with 2,000 connections, 16 a minute. Collect young objects less
        # often and keep the start-up heap out of the collector's way.
        gc.set_threshold(100_000, 50, 100)
        gc.freeze()
        # uvloop: the event loop's own overhead per callback and per socket write is several times lower.
        uvloop.install()
        # reuse_port: with --workers, every process listens on the same port and the kernel spreads
        # connections. run_app returns on Ctrl-C and SIGTERM, after the graceful shutdown.
        web.run_app(app, host=settings.host, port=settings.port, print=None, reuse_port=worker,
                    shutdown_timeout=10, access_log=None)
    finally:
        if stop_database is not None:
            stop_database()  # the embedded PostgreSQL this process started stops with it


def _banner(settings: Settings) -> None:
    """Where to go, and the demo logins."""
    base = f"http://{settings.host}:{settings.port}"
    print(f"\nCloud clinic on {base}/  (patients register there)", flush=True)
    print(f"  doctor dashboard  {base}/doctor\n  employer          {base}/employer\n  admin             {base}/admin")
    print(f"  pharmacy review   {base}/pharmacy")
    if settings.demo:
        from server.seed import DEMO_ACCOUNTS, DEMO_PASSWORD
        print(f"Demo logins (password: {DEMO_PASSWORD}):")
        for role, email, _, _ in DEMO_ACCOUNTS:
            print(f"  {role:<10} {email}")
        from server.homewatch.seed import DEMO_LOGINS
        print(f"Home watch (same password; {base}/homewatch/carer, /homewatch/family, /homewatch/home):")
        for role, phone, _ in DEMO_LOGINS:
            print(f"  {role:<15} {phone}")
    print(flush=True)


if __name__ == "__main__":
    main()
