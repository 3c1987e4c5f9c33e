"""`python -m server --workers N`: N processes on one port, a private Redis between them, a dead one replaced."""
from __future__ import annotations

import time
import urllib.request

import psutil
import pytest

from helpers.databases import empty_database
from helpers.processes import ServerProcess


def _listeners(supervisor: psutil.Process, port: int) -> list[psutil.Process]:
    out = []
    for child in supervisor.children():
        try:
            if any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in child.net_connections("tcp")):
                out.append(child)
        except psutil.Error:
            pass
    return out


def _wait(predicate, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def _healthz(url: str) -> bool:
    with urllib.request.urlopen(url + "/healthz", timeout=5) as response:
        return response.status == 200


@pytest.fixture
def fresh_database(database_url):
    with empty_database(database_url, "clinic_workers") as url:
        yield url


def test_workers_share_one_port_and_a_killed_one_is_replaced(fresh_database, tmp_path, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)  # no Redis configured: the server starts its own
    server = ServerProcess({"DATABASE_URL": fresh_database, "SECRET_KEY": "workers-test", "LOG_LEVEL": "WARNING",
                            "REDIS_URL": ""}, args=("--workers", "2"), log_dir=tmp_path).start()
    supervisor = psutil.Process(server.proc.pid)
    try:
        first = _wait(lambda: len(_listeners(supervisor, server.port)) == 2 and _listeners(supervisor, server.port))
        assert any(p.name().startswith("redis-server") for p in supervisor.children()), server.log()
        first[0].kill()  # a crash: the other keeps answering, and a new process takes the dead one's place
        first[0].wait(10)
        assert all(_healthz(server.url) for _ in range(10))  # the dead one's socket is gone with it
        again = _wait(lambda: len(_listeners(supervisor, server.port)) == 2 and _listeners(supervisor, server.port))
        assert first[0].pid not in {p.pid for p in again}
        children = supervisor.children()
    finally:
        server.stop()
    assert not any(p.is_running() and p.status() != psutil.STATUS_ZOMBIE for p in children)  # Redis included
