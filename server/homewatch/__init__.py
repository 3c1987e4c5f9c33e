"""Home watch: older people's home sensors and emergency button reach the street's carers, their
family and their contracted doctor, and every call is answered and closed (docs/HOMEWATCH.md).

views (routes) -> service (ingestion, state, timers), homes (homes, devices, staff), alerts (alert
life), calls (video calls into the home) -> queries (all SQL);
rules (pure thresholds), dispatch (escalation steps), outbox (SMS / voice), mqtt (broker link),
runtime (sweeper and live events of one process). `setup_homewatch(app)` is the only hook.
"""
from __future__ import annotations

from aiohttp import web

from server.homewatch.config import HomewatchSettings
from server.homewatch.keys import HOMEWATCH, HOMEWATCH_SETTINGS


async def homewatch_ctx(app: web.Application):
    """Start the sweeper and the broker link after the database is ready; stop them at the end."""
    from server.homewatch.runtime import Homewatch
    runtime = Homewatch(app, app[HOMEWATCH_SETTINGS])
    app[HOMEWATCH] = runtime
    await runtime.start()
    yield
    await runtime.stop()


def setup_homewatch(app: web.Application, settings: HomewatchSettings | None = None) -> None:
    """Add home watch to the application: its settings and running parts (routes are rows of the
    route table, texts are collected by server/web/i18n.py). A test may replace
    app[HOMEWATCH_SETTINGS] before the app starts."""
    app[HOMEWATCH_SETTINGS] = settings or HomewatchSettings.from_env()
    app.cleanup_ctx.append(homewatch_ctx)
