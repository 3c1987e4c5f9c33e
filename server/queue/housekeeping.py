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
from server.keys import DB_POOL, EVENTS, SETTINGS
from server.queue import service as queue_service

log = logging.getLogger(__name__)
MAX_ASSIGNMENTS_PER_ROUND = 50


async def assign_free_doctors(app: web.Application) -> int:
    """Automatic mode: offer waiting patients to free doctors who asked for it; return how many."""
    events = app[EVENTS]
    assigned = 0
    async with app[DB_POOL].acquire() as conn:
        while assigned < MAX_ASSIGNMENTS_PER_ROUND:
            result = await queue_service.auto_assign(conn)
            if result is None:
                break
            consultation, _entry, change = result
            await events.queue_changed(change)
            await events.consult_ready(consultation)
            assigned += 1
    return assigned


async def run_once(app: web.Application) -> None:
    """One round of every upkeep step."""
    settings, events = app[SETTINGS], app[EVENTS]
    async with app[DB_POOL].acquire() as conn:
        for change in await queue_service.mark_away(conn, settings.away_grace_seconds):
            await events.queue_changed(change)
        for ended, change in await queue_service.skip_or_no_show(conn, settings.call_timeout_seconds):
            await events.consult_ended(ended["id"], "patient_absent", ended["patient_id"], ended["doctor_id"])
            if change is not None:
                await events.queue_changed(change)
        interrupted, requeued = await consults.members_gone(conn, settings.rejoin_grace_seconds)
        for row in interrupted:
            await events.consult_interrupted(row["id"])
        for row, change in requeued:
            await events.consult_ended(row["id"], "doctor_left", row["patient_id"], row["doctor_id"])
            await events.queue_changed(change)
        for entry in await queue_service.overdue(conn):
            await events.queue_alert(entry["department"], "overdue", entry["id"], entry["level"])
        await auth.forget_expired_sessions(conn)
    await assign_free_doctors(app)


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
