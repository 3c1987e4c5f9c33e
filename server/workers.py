"""`python -m server --workers N`: N server processes on one port (SO_REUSEPORT), Redis between them.

One Python process saturates a core long before the queue's database work does (every waiting
client's socket write costs CPU in the process that holds the connection), so the fan-out is
spread over processes. The kernel spreads new connections over the N listeners; each process
holds its own clients and the Socket.IO Redis manager carries every emit to all of them.

Without REDIS_URL a private redis-server is started on a free loopback port for the processes
(as `manage.py test` does). The first process starts alone (it migrates and seeds), the others
once it answers /healthz. A process that dies is started again; SIGTERM or SIGINT stops them all
(each drains its sockets as a single server does).
"""
from __future__ import annotations

import ctypes
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

RESTART_DELAY = 1.0
STOP_SECONDS = 15.0  # each process drains for at most 10 s (shutdown_timeout); then it is killed
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In a child, before exec: the kernel sends it SIGTERM if the supervisor dies (no orphaned servers)."""
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def private_redis() -> tuple[subprocess.Popen, str]:
    """A redis-server on a free loopback port, without persistence; (process, url)."""
    exe = shutil.which("redis-server")
    if exe is None:
        sys.exit("--workers needs REDIS_URL or redis-server on PATH (apt-get install redis-server)")
    port = _free_port()
    proc = subprocess.Popen([exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                            stdout=subprocess.DEVNULL, preexec_fn=_die_with_parent)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"redis://127.0.0.1:{port}/0"
        time.sleep(0.05)
    proc.kill()
    sys.exit("the private redis-server did not start")


def _healthy(host: str, port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}/healthz"
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.2)
    return False


def _stop_all(children: list[subprocess.Popen]) -> None:
    """SIGTERM our own children (by handle), then kill those still draining after STOP_SECONDS."""
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        try:
            child.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait(5)


def supervise(workers: int, host: str, port: int, env: dict, argv: list[str]) -> int:
    """Run `workers` server processes with `env` (DATABASE_URL set) until SIGTERM/SIGINT; returns the exit code."""
    redis = None
    if not env.get("REDIS_URL"):
        redis, env["REDIS_URL"] = private_redis()
        print(f"  Redis between the processes: private redis-server on {env['REDIS_URL']}", flush=True)
    env = {**env, "CLINIC_WORKER": "1", "HOST": host, "PORT": str(port)}
    command = [sys.executable, "-m", "server", *argv]
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    def start() -> subprocess.Popen:
        return subprocess.Popen(command, env=env, preexec_fn=_die_with_parent)

    children: list[subprocess.Popen] = [start()]
    if not _healthy(host, port, 120):
        print("the first server process did not become healthy", file=sys.stderr, flush=True)
        stopping = True
    else:
        children += [start() for _ in range(workers - 1)]
        print(f"  {workers} server processes on port {port}: {' '.join(str(c.pid) for c in children)}", flush=True)
    while not stopping:
        time.sleep(0.2)
        for i, child in enumerate(children):
            if child.poll() is not None and not stopping:
                print(f"server process {child.pid} exited with {child.returncode}; starting another", flush=True)
                time.sleep(RESTART_DELAY)
                children[i] = start()
    _stop_all(children)
    if redis is not None:
        redis.terminate()
        redis.wait(10)
    return 0
