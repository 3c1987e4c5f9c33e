#!/usr/bin/env python3
"""Developer entry point that needs nothing but Python 3.11+.

    python3 manage.py serve [--port N]   run the clinic with demo data (embedded PostgreSQL)
    python3 manage.py test [pytest args]  run the whole test suite
    python3 manage.py bench NAME          run a benchmark from bench/

It creates `.venv` on first use and re-installs the pinned requirements whenever they change,
so a fresh clone needs no other step.
"""
import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PYTHON = VENV / "bin" / "python"
STAMP = VENV / ".requirements.sha256"
# Debian packages the test suite drives as real parts: a browser, a TURN server, Redis.
TEST_BINARIES = {"chromium": "chromium", "turnserver": "coturn", "redis-server": "redis-server"}


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


def main(argv: list[str]) -> int:
    """Dispatch the sub-command."""
    command, rest = (argv[0], argv[1:]) if argv else ("serve", [])
    ensure_venv()
    os.chdir(ROOT)
    if command == "serve":
        os.environ.setdefault("LOG_FORMAT", "text")  # a person reads this terminal; production logs JSON
        args = [str(PYTHON), "-m", "server", "--demo", *rest]
    elif command == "test":
        ensure_test_binaries()
        args = [str(PYTHON), "-m", "pytest", *rest]
    elif command == "bench":
        if not rest:
            sys.exit("usage: manage.py bench NAME  (see bench/README.md)")
        args = [str(PYTHON), "-m", f"bench.{rest[0]}", *rest[1:]]
    else:
        sys.exit(__doc__)
    os.execv(args[0], args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
