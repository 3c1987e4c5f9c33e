"""Queue a message, and deliver what is pending through the configured sender.

A message is queued inside the caller's transaction (it is sent only if the change commits), then
`deliver` runs after the commit. What a sender was given is replaced by its redacted form once
sent: a sign-in code does not stay in the database.
"""
from __future__ import annotations

import logging
from typing import Protocol

import asyncpg

from server.outbox import queries as sql

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


class Sender(Protocol):
    """Delivers one message on one channel (an SMS gateway's client implements this)."""

    async def send(self, channel: str, recipient: str, body: str) -> None:
        """Send, or raise."""


def masked_phone(phone: str) -> str:
    """138****5678: enough to tell messages apart in a log, not enough to call anyone."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


class DevelopmentSender:
    """Development: the message is written to the server log (codes only: no medical text is ever queued)."""

    async def send(self, channel: str, recipient: str, body: str) -> None:
        """Log the message."""
        log.warning("outbox %s to %s: %s", channel, masked_phone(recipient), body)


async def queue(conn: asyncpg.Connection, channel: str, recipient: str, body: str, redacted: str) -> int:
    """Queue one message; `redacted` is what stays once it is sent."""
    return await conn.fetchval(sql.INSERT_MESSAGE, channel, recipient, body, redacted)


async def deliver(pool: asyncpg.Pool, sender: Sender, batch: int = 50) -> int:
    """Send what is pending (this process's share); return how many were sent."""
    sent = 0
    async with pool.acquire() as conn:
        async with conn.transaction():
            for row in await conn.fetch(sql.TAKE_PENDING, MAX_ATTEMPTS, batch):
                try:
                    await sender.send(row["channel"], row["recipient"], row["body"])
                except Exception as exc:  # a failing gateway: try again later, up to MAX_ATTEMPTS
                    log.warning("outbox message %s failed: %s", row["id"], type(exc).__name__)
                    await conn.execute(sql.MARK_FAILED, row["id"], type(exc).__name__, MAX_ATTEMPTS)
                    continue
                await conn.execute(sql.MARK_SENT, row["id"])
                sent += 1
    return sent
