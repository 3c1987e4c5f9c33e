"""Reaching a patient who is not on the page when the doctor is ready.

A few seconds after `consult:ready` the patient should be in the room: their page joins as soon
as it is in front (a hidden page waits until it is looked at). If they are not there, one SMS goes
out through the outbox (no medical content: who is waiting and where to go) and the doctor is
told when (`consult:notified`), so the screen can say "notified 10:02, not joined".
"""
from __future__ import annotations

import asyncio
import logging

from aiohttp import web

from server.consultations import queries as sql
from server.keys import DB_POOL, EVENTS, SMS_SENDER
from server.outbox import service as outbox
from server.presence import service as presence

log = logging.getLogger(__name__)
REACH_AFTER_SECONDS = 2.5  # then the message is queued and sent: within 5 s of the doctor being ready
SMS_TEXT = "【五云云诊室】医生已准备好为您接诊，请打开云诊室网页进入诊室。Your doctor is ready: open the clinic page to join."
_tasks: set[asyncio.Task] = set()


def schedule(app: web.Application, consultation_id) -> None:
    """Check on the patient shortly after the room opened (a background task of this process)."""
    task = asyncio.get_running_loop().create_task(_reach_later(app, int(consultation_id)))
    _tasks.add(task)
    task.add_done_callback(_tasks.discard)


async def _reach_later(app: web.Application, consultation_id: int) -> None:
    try:
        await asyncio.sleep(REACH_AFTER_SECONDS)
        await reach_if_absent(app, consultation_id)
    except Exception:  # a background check must never take the process down; the next ready retries
        log.exception("reaching the patient of consultation %s failed", consultation_id)


async def reach_if_absent(app: web.Application, consultation_id: int) -> bool:
    """Send the SMS when the consultation is open, the patient is not in the room and was not told yet."""
    pool = app[DB_POOL]
    async with pool.acquire() as conn:
        row = await conn.fetchrow(sql.REACH_STATE, consultation_id)
        if row is None or row["status"] == "ended" or not row["phone"]:
            return False
        if "patient" in await presence.roles_present(conn, consultation_id):
            return False
        async with conn.transaction():
            notified_at = await conn.fetchval(sql.MARK_PATIENT_NOTIFIED, consultation_id)
            if notified_at is None:  # told already for this room
                return False
            await outbox.queue(conn, "sms", row["phone"], SMS_TEXT, SMS_TEXT)
    sender = app.get(SMS_SENDER)
    if sender is not None:
        await outbox.deliver(pool, sender)
    await app[EVENTS].patient_notified(consultation_id, row["doctor_id"], notified_at)
    return True
