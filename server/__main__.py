"""`python -m server [--demo] [--port N]`: embedded PostgreSQL when DATABASE_URL is unset, migrate, serve."""
from __future__ import annotations

import argparse
import gc
import os
import sys
from dataclasses import replace

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
    args = parser.parse_args(argv)
    setup_logging(os.environ.get("LOG_LEVEL", "INFO"), os.environ.get("LOG_FORMAT", "json"))
    try:
        settings = Settings.from_env(**({"demo": True} if args.demo else {}))
    except SettingsError as exc:
        sys.exit(f"configuration error: {exc}")
    settings = replace(settings, host=args.host or settings.host, port=args.port or settings.port)
    stop_database = None
    if not settings.database_url:
        from db.embedded import start_embedded_postgres
        url, stop_database = start_embedded_postgres(os.path.join(settings.data_dir, "pgdata"))
        settings = replace(settings, database_url=url)
    base = f"http://{settings.host}:{settings.port}"
    print(f"\nCloud clinic on {base}/  (patients register there)", flush=True)
    print(f"  doctor dashboard  {base}/doctor\n  employer          {base}/employer\n  admin             {base}/admin")
    if settings.demo:
        from server.seed import DEMO_ACCOUNTS, DEMO_PASSWORD
        print(f"Demo logins (password: {DEMO_PASSWORD}):")
        for role, email, _, _ in DEMO_ACCOUNTS:
            print(f"  {role:<9} {email}")
        from server.homewatch.seed import DEMO_LOGINS
        print(f"Home watch (same password; {base}/homewatch/carer, /homewatch/family, /homewatch/home):")
        for role, phone, _ in DEMO_LOGINS:
            print(f"  {role:<15} {phone}")
    print(flush=True)
    app = create_app(settings)
    # Thousands of long-lived socket objects make every full collection walk them all: measured
    # here, 375-550 ms pauses with 2,000 connections, 16 a minute. Collect young objects less
    # often and keep the start-up heap out of the collector's way.
    gc.set_threshold(100_000, 50, 100)
    gc.freeze()
    try:  # run_app returns on Ctrl-C and SIGTERM, after the graceful shutdown
        web.run_app(app, host=settings.host, port=settings.port, print=None,
                    shutdown_timeout=10, access_log=None)
    finally:
        if stop_database is not None:
            stop_database()  # the embedded PostgreSQL this process started stops with it


if __name__ == "__main__":
    main()
