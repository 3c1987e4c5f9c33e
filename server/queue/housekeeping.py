"""Periodic upkeep: grace periods, no-shows, overdue alerts, automatic assignment, expired sessions.

Every server process runs the loop. Each step is a conditional UPDATE (or SKIP LOCKED), so a row
changes state once even when several processes look at it at the same moment.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging

from aiohttp import web

from server.accounts import service as auth
from server.consultations import service as consults
from server.events import publish
from server.keys import DB_POOL, SETTINGS
from server.queue import service as queue_service

log = logging.getLogger(__name__)


async def run_once(app: web.Application) -> None:
    """One round of every upkeep step, then what it changed is published and free doctors are assigned."""
    settings = app[SETTINGS]
    async with app[DB_POOL].acquire() as conn:
        away = await queue_service.mark_away(conn, settings.away_grace_seconds)
        no_shows = await queue_service.skip_or_no_show(conn, settings.call_timeout_seconds)
        interrupted, requeued = await consults.members_gone(conn, settings.rejoin_grace_seconds)
        overdue = await queue_service.overdue(conn)
        await auth.forget_expired_sessions(conn)
    await publish(app, ended=[(row, "patient_absent") for row, _ in no_shows] + [(row, "doctor_left") for row, _ in requeued],
                  interrupted=interrupted, changes=away + [c for _, c in no_shows] + [c for _, c in requeued],
                  alerts=[(e["department"], "overdue", e["id"], e["level"]) for e in overdue], assign=True)


async def housekeeping_ctx(app: web.Application):
    """Run `run_once` every HOUSEKEEPING seconds for the application's lifetime."""
    async def loop():
        while True:
            await asyncio.sleep(app[SETTINGS].housekeeping_seconds)
            try:
                await run_once(app)
            except Exception:
                log.exception("housekeeping round failed")

    task = asyncio.create_task(loop())
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
