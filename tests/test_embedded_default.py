"""`python -m server` with no DATABASE_URL starts its own PostgreSQL, migrates, seeds and serves, and
stops that PostgreSQL again when it is stopped (SIGTERM from a supervisor, Ctrl-C in a terminal)."""
from __future__ import annotations

import signal
import time

import aiohttp
import psutil
import pytest

from helpers.processes import ServerProcess


def _postgres_pid(pgdata) -> int:
    return int((pgdata / "postmaster.pid").read_text().splitlines()[0])


def _gone(pid: int, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.slow
async def test_server_without_database_url_serves_and_stops_its_postgres(tmp_path):
    env = {"DATABASE_URL": "", "DATA_DIR": str(tmp_path / "var"), "REDIS_URL": ""}
    pgdata = tmp_path / "var" / "pgdata"
    server = ServerProcess(env, args=("--demo",), log_dir=tmp_path).start(timeout=120)
    again = ServerProcess(env, args=("--demo",), log_dir=tmp_path)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(server.url + "/healthz") as response:
                assert response.status == 200
                assert (await response.json())["database"] == "ok"
            async with http.post(server.url + "/api/auth/register",
                                 json={"phone": "13700000000", "password": "a-good-password", "name": "Zhang"}) as r:
                assert r.status == 201
            async with http.post(server.url + "/api/auth/login",
                                 json={"login": "doctor@demo.clinic", "password": "demo-password"}) as r:
                assert r.status == 200 and (await r.json())["user"]["role"] == "doctor"
        assert pgdata.is_dir()
        postgres = _postgres_pid(pgdata)
        server.stop()  # SIGTERM
        assert server.proc.returncode == 0, server.log()
        assert _gone(postgres), "the embedded PostgreSQL outlived the server that started it"

        # Ctrl-C in the terminal of `manage.py serve`: the same, on the data kept from the first run.
        again.start(timeout=120)
        postgres = _postgres_pid(pgdata)
        again.proc.send_signal(signal.SIGINT)
        again.proc.wait(30)
        assert _gone(postgres), "Ctrl-C left the embedded PostgreSQL running"
    finally:
        server.stop()
        again.stop()
        import pgserver
        pgserver.get_server(pgdata, cleanup_mode="stop").cleanup()
