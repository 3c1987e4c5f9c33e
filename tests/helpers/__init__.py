"""What the tests share: signed-in people, waiting for a condition, recording Socket.IO clients, a
queued patient; browsers (browser.py), server processes (processes.py) and aiortc peers (rtc_peer.py)."""
from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import socketio

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "test-password-1"


def with_database(dsn: str, name: str) -> str:
    """The same server's URL for another database."""
    parts = urlsplit(dsn)
    return urlunsplit(parts._replace(path="/" + name))


def cookie_headers(cookie: str):
    """Socket.IO connect headers carrying a session cookie, fresh for every (re)connect.

    A callable, because python-engineio removes the Cookie header from the dict it is given on the
    first connect, so a plain dict would reconnect without the session and be refused.
    """
    return lambda: {"Cookie": cookie}


async def recording_socket(url: str, cookie: str, received: list | None = None) -> socketio.AsyncClient:
    """A Socket.IO connection authenticated by a session cookie that records every event it receives."""
    sio = socketio.AsyncClient(reconnection=False)
    sio.received = received if received is not None else []

    @sio.on("*")
    async def record(event, data=None):
        sio.received.append((event, data))

    await sio.connect(url, headers=cookie_headers(cookie), transports=["websocket"], wait_timeout=5)
    return sio


class Person:
    """A signed-in client: HTTP with cookie and CSRF header, and Socket.IO connections."""

    def __init__(self, client, user: dict, csrf: str):
        self.client, self.user, self.csrf = client, user, csrf
        self.sockets: list[socketio.AsyncClient] = []

    @property
    def id(self) -> str:
        return self.user["id"]

    def _headers(self, headers=None):
        return {"X-CSRF-Token": self.csrf, **(headers or {})}

    async def get(self, path, **kw):
        return await self.client.get(path, **kw)

    async def post(self, path, json=None, **kw):
        return await self.client.post(path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    async def put(self, path, json=None, **kw):
        return await self.client.put(path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    async def delete(self, path, **kw):
        return await self.client.delete(path, headers=self._headers(kw.pop("headers", None)), **kw)

    async def patch(self, path, json=None, **kw):
        return await self.client.patch(path, json=json, headers=self._headers(kw.pop("headers", None)), **kw)

    def cookie_header(self) -> str:
        cookies = self.client.session.cookie_jar.filter_cookies(self.client.make_url("/"))
        return "; ".join(f"{k}={v.value}" for k, v in cookies.items())

    async def socket(self, events: list | None = None) -> socketio.AsyncClient:
        """A Socket.IO connection authenticated by this person's session cookie; events are recorded."""
        sio = await recording_socket(str(self.client.make_url("/")), self.cookie_header(), events)
        self.sockets.append(sio)
        return sio

    async def close(self):
        for sio in self.sockets:
            if sio.connected:
                await sio.disconnect()


async def wait_for(predicate, timeout: float = 5.0, interval: float = 0.02):
    """Poll until `predicate()` is truthy (returning it) or fail."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(interval)


def events_named(sio, name: str) -> list:
    """The payloads of the events of one name a test client has received."""
    return [data for event, data in sio.received if event == name]


def queue_changes(sio) -> list[dict]:
    """Every queue change a test client has received, in the order received (batches unpacked)."""
    return [change for update in events_named(sio, "queue:update") for change in update["changes"]]


MILD_ANSWERS = {"age_years": 34, "symptoms": ["cough", "sore_throat"], "temperature_c": 37.0}


async def queued_patient(people, answers=None, name="Test Patient"):
    """A signed-in patient who answered the questionnaire and joined the queue; returns (person, entry)."""
    patient = await people.patient(name=name)
    response = await patient.post("/api/triage/assessments", json={"answers": answers or MILD_ANSWERS})
    assert response.status == 201, await response.text()
    assessment = await response.json()
    response = await patient.post("/api/queue", json={"assessment_id": assessment["id"]})
    assert response.status == 201, await response.text()
    return patient, await response.json()
