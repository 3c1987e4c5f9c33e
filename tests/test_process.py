"""A real server process: graceful SIGTERM drain, structured logs with request ids and no health data."""
from __future__ import annotations

import asyncio
import json
import signal
import time

import aiohttp
import socketio

from helpers import PASSWORD, cookie_headers
from helpers.processes import ServerProcess


async def test_sigterm_drains_and_logs_carry_request_ids_but_no_health_data(database_url, db, tmp_path):
    server = ServerProcess({"DATABASE_URL": database_url, "REDIS_URL": "", "LOG_FORMAT": "json"},
                           log_dir=tmp_path).start()
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        r = await http.post(server.url + "/api/auth/register",
                            json={"phone": "13500000001", "password": PASSWORD, "name": "Secretive Name",
                                  "consents": ["health_data", "video"]})
        csrf = (await r.json())["csrf_token"]
        r = await http.post(server.url + "/api/triage/assessments", headers={"X-CSRF-Token": csrf, "X-Request-Id": "req-abc"},
                            json={"answers": {"age_years": 41, "symptoms": ["suicidal_thoughts"],
                                              "free_text": "very private words"}})
        assert r.status == 201 and r.headers["X-Request-Id"] == "req-abc"
        cookie = "; ".join(f"{c.key}={c.value}" for c in jar)

    drained = asyncio.Event()
    sio = socketio.AsyncClient(reconnection=False)
    sio.on("server:draining", lambda data=None: drained.set())
    await sio.connect(server.url, headers=cookie_headers(cookie), transports=["websocket"])
    server.proc.send_signal(signal.SIGTERM)
    started = time.monotonic()
    while server.proc.poll() is None and time.monotonic() - started < 20:
        await asyncio.sleep(0.1)  # the client keeps running meanwhile, as a real one would
    assert server.proc.returncode == 0, server.log()
    assert time.monotonic() - started < 12
    assert drained.is_set()
    await asyncio.sleep(0.2)
    assert not sio.connected

    lines = [json.loads(line) for line in server.log_path.read_text().splitlines() if line.startswith("{")]
    access = [line for line in lines if line["logger"] == "clinic.access"]
    assert any(line["request_id"] == "req-abc" and line["route"] == "/api/triage/assessments"
               and line["status"] == 201 for line in access)
    text = server.log_path.read_text()
    for secret in ("suicidal", "very private", "Secretive Name", "13500000001", PASSWORD):
        assert secret not in text
