"""A database outage: HTTP answers 503 with Retry-After, unsent chat gets an error ack the page can
resend, and nothing is lost or stored twice once the database is back.

The app reaches PostgreSQL through a small TCP forwarder; stopping it (and cutting its open
connections) is the outage, as a restart or failover looks from the app.
"""
from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import parse_qs, urlsplit

import pytest
from test_records import in_consultation

from db.connect import create_pool
from db.roles import with_user
from server.app import create_app
from server.keys import DB_POOL


class PostgresForwarder:
    """127.0.0.1:<port> -> the test PostgreSQL (TCP or its Unix socket); `cut()` is an outage, `restore()` ends it."""

    def __init__(self, dsn: str):
        parts = urlsplit(dsn)
        socket_dir = parse_qs(parts.query).get("host", [None])[0]
        self.unix = f"{socket_dir}/.s.PGSQL.{parts.port or 5432}" if socket_dir else None
        self.target = (parts.hostname or "127.0.0.1", parts.port or 5432)
        self.user, self.database = parts.username, parts.path.strip("/")
        self.server = None
        self.port = 0
        self.writers: set = set()

    @property
    def dsn(self) -> str:
        return with_user(f"postgresql://127.0.0.1:{self.port}/{self.database}", self.user)

    async def restore(self) -> None:
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def cut(self) -> None:
        self.server.close()
        for writer in list(self.writers):
            writer.transport.abort()
        self.writers.clear()
        await self.server.wait_closed()

    async def _handle(self, reader, writer):
        if self.unix:
            up_reader, up_writer = await asyncio.open_unix_connection(self.unix)
        else:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers |= {writer, up_writer}

        async def pipe(src, dst):
            with contextlib.suppress(Exception):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            with contextlib.suppress(Exception):
                dst.transport.abort()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


@pytest.fixture
async def forwarder(app_database_url):
    forwarder = PostgresForwarder(app_database_url)
    await forwarder.restore()
    yield forwarder
    with contextlib.suppress(Exception):
        await forwarder.cut()


@pytest.fixture
async def app(settings, db, forwarder):
    """The application, its pool going through the forwarder."""
    application = create_app(settings)
    application[DB_POOL] = await create_pool(forwarder.dsn, min_size=1, max_size=10)
    yield application
    await application[DB_POOL].close()


async def test_an_outage_is_503_with_retry_after_and_chat_can_be_resent_without_duplicates(people, forwarder, db):
    patient, doctor, cid = await in_consultation(people)
    sock = await patient.socket()
    assert (await sock.call("join", {"consultation_id": cid}))["ok"]
    assert (await sock.call("chat", {"consultation_id": cid, "text": "before", "client_id": "c-1"}))["ok"]

    await forwarder.cut()
    for response in (await patient.get("/api/departments"), await patient.get(f"/api/consultations/{cid}"),
                     await doctor.post("/api/doctor/status", json={"status": "away"})):
        assert response.status == 503, await response.text()
        assert int(response.headers["Retry-After"]) > 0
        assert (await response.json())["error"]["code"] == "unavailable"
    ack = await asyncio.wait_for(sock.call("chat", {"consultation_id": cid, "text": "during", "client_id": "c-2"},
                                           timeout=15), 20)
    assert ack["ok"] is False and ack["error"]["code"] == "unavailable" and ack["error"]["retry"] is True

    await forwarder.restore()
    resent = await sock.call("chat", {"consultation_id": cid, "text": "during", "client_id": "c-2"})
    again = await sock.call("chat", {"consultation_id": cid, "text": "during", "client_id": "c-2"})
    assert resent["ok"] and again["ok"] and resent["message"]["id"] == again["message"]["id"]
    async with db.acquire() as conn:
        texts = [r["text"] for r in await conn.fetch("SELECT text FROM messages ORDER BY id")]
    assert texts == ["before", "during"]
    assert (await patient.get("/api/departments")).status == 200
