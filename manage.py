#!/usr/bin/env python3
"""Developer entry point that needs nothing but Python 3.11+.

    python3 manage.py serve [--port N]   run the clinic with demo data (embedded PostgreSQL)
    python3 manage.py test [pytest args]  ruff check, then the whole test suite
    python3 manage.py bench NAME          run a benchmark from bench/

It creates `.venv` on first use and re-installs the pinned requirements whenever they change,
so a fresh clone needs no other step.
"""
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".requirements.sha256"
# Debian packages the test suite drives as real parts: a browser, a TURN server, Redis, and the
# compose tool that validates the production topology.
TEST_BINARIES = {"chromium": "chromium", "turnserver": "coturn", "redis-server": "redis-server",
                 "docker-compose": "docker-compose", "npm": "npm"}
# npm packages the browser tests inject into pages (axe-core), pinned by tests/node/package-lock.json.
NODE_TOOLS = ROOT / "tests" / "node"


def ensure_venv() -> None:
    """Create the virtual environment and install requirements when they changed."""
    if sys.version_info < (3, 11):
        sys.exit("Python 3.11 or newer is needed")
    if not PYTHON.exists():
        print("creating .venv ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256(b"".join((ROOT / f).read_bytes() for f in ("requirements.txt", "requirements-dev.txt"))).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted:
        return
    print("installing Python packages into .venv ...", flush=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                    "-r", str(ROOT / "requirements-dev.txt")], check=True)
    STAMP.write_text(wanted)


def ensure_test_binaries() -> None:
    """Install the Debian packages the tests need, when missing and we may (root with apt)."""
    missing = [pkg for binary, pkg in TEST_BINARIES.items() if shutil.which(binary) is None]
    if not missing:
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"installing Debian packages: {' '.join(missing)} ...", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)
    else:
        sys.exit(f"the tests need these Debian packages: {' '.join(missing)} (apt-get install -y ...)")


def ensure_node_tools() -> None:
    """Install the pinned npm packages of tests/node/ when they are missing (or the lock file changed)."""
    stamp = NODE_TOOLS / "node_modules" / ".lock.sha256"
    wanted = hashlib.sha256((NODE_TOOLS / "package-lock.json").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return
    print("installing npm packages into tests/node ...", flush=True)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=NODE_TOOLS, check=True)
    stamp.write_text(wanted)


def private_redis() -> subprocess.Popen | None:
    """A Redis for the multi-process tests when none answers on 127.0.0.1:6379 and TEST_REDIS_URL is unset."""
    if os.environ.get("TEST_REDIS_URL"):
        return None
    with socket.socket() as probe:
        probe.settimeout(1)
        if probe.connect_ex(("127.0.0.1", 6379)) == 0:
            return None
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL)
    os.environ["TEST_REDIS_URL"] = f"redis://127.0.0.1:{port}/15"
    return redis


def main(argv: list[str]) -> int:
    """Dispatch the sub-command."""
    command, rest = (argv[0], argv[1:]) if argv else ("serve", [])
    ensure_venv()
    os.chdir(ROOT)
    if command == "serve":
        os.environ.setdefault("LOG_FORMAT", "text")  # a person reads this terminal; production logs JSON
        args = [str(PYTHON), "-m", "server", "--demo", *rest]
    elif command == "test":
        # The linter first: it takes a second, and CI (.ci/run) gets it through this command.
        lint = subprocess.run([str(VENV / "bin" / "ruff"), "check", "--quiet", "."])
        if lint.returncode != 0:
            return lint.returncode
        ensure_test_binaries()
        ensure_node_tools()
        redis = private_redis()
        try:
            return subprocess.run([str(PYTHON), "-m", "pytest", *rest]).returncode
        finally:
            if redis is not None:
                redis.terminate()
                redis.wait(10)
    elif command == "bench":
        if not rest:
            sys.exit("usage: manage.py bench NAME  (see bench/README.md)")
        args = [str(PYTHON), "-m", f"bench.{rest[0]}", *rest[1:]]
    else:
        sys.exit(__doc__)
    os.execv(args[0], args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
