"""SMS and voice calls: queued in hw_outbox with the alert, sent by any process through a Sender.

No provider is reachable from here; the development sender only logs that a message went out,
with the phone number masked and no health details (the text is a fixed key, not the alert).
A failed send is retried with backoff and given up after MAX_ATTEMPTS.
"""
from __future__ import annotations

import logging
from typing import Protocol

import asyncpg

from server.homewatch import queries as sql

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


class Sender(Protocol):
    """A provider of SMS and voice calls."""

    async def send(self, channel: str, phone: str, text_key: str, alert_id: int | None) -> None:
        """Send one message; raise on failure (it is retried)."""


def mask(phone: str) -> str:
    """138****1234: enough to tell messages apart in a log, not to call anyone."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


class DevelopmentSender:
    """Logs each message instead of sending it, and keeps them for tests."""

    def __init__(self):
        self.sent: list[tuple[str, str, str, int | None]] = []

    async def send(self, channel: str, phone: str, text_key: str, alert_id: int | None) -> None:
        """Log a masked line; nothing leaves the machine."""
        self.sent.append((channel, phone, text_key, alert_id))
        log.info("homewatch %s to %s for alert %s (%s)", channel, mask(phone), alert_id, text_key)


async def send_due(conn: asyncpg.Connection, sender: Sender, limit: int = 50) -> int:
    """Send the due messages nobody else is sending; return how many went out."""
    sent = 0
    async with conn.transaction():
        for row in await conn.fetch(sql.DUE_MESSAGES, limit):
            try:
                await sender.send(row["channel"], row["phone"], row["text_key"], row["alert_id"])
            except Exception as exc:  # the provider's failure is retried, whatever it was
                backoff = min(600.0, 5.0 * 2 ** row["attempts"])
                await conn.execute(sql.MESSAGE_RETRY, row["id"], type(exc).__name__, backoff, MAX_ATTEMPTS)
                continue
            await conn.execute(sql.MESSAGE_SENT, row["id"])
            sent += 1
    return sent
