"""schemathesis over /api/openapi.json, signed in as each role: no 5xx and no answer off its schema.

A short, bounded run (a few examples per operation, a time budget) against `python -m server` on
the test database with the demo accounts; the fuzzer's own requests are the bad input.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from helpers.processes import ServerProcess

ROOT = Path(__file__).resolve().parent.parent
CHECKS = "not_a_server_error,response_schema_conformance"
DEMO_PASSWORD = "demo-password"
# Operations that end the session the run is signed in with, or need a file upload the fuzzer cannot make.
EXCLUDED = ("logout",)


def _sign_in(base: str, body: dict, path: str = "/api/auth/login") -> tuple[str, str]:
    request = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        cookie = response.headers["Set-Cookie"].split(";", 1)[0]
        return cookie, json.loads(response.read())["csrf_token"]


@pytest.fixture(scope="module")
def demo_server(database_url, tmp_path_factory):
    server = ServerProcess({"DATABASE_URL": database_url, "REDIS_URL": "", "DEMO": "1", "RATE_LIMITS": "0",
                            "LOG_LEVEL": "WARNING", "TURN_URLS": "", "STUN_URLS": ""},
                           log_dir=tmp_path_factory.mktemp("schemathesis"))
    server.start()
    yield server
    server.stop()


@pytest.mark.parametrize("role", ["anonymous", "patient", "doctor", "employer", "admin"])
def test_schemathesis_finds_no_5xx_and_no_answer_off_its_schema(demo_server, role, tmp_path):
    base = demo_server.url
    headers = []
    if role == "patient":
        cookie, csrf = _sign_in(base, {"phone": "13912345678", "password": DEMO_PASSWORD * 2, "name": "Fuzz"},
                                "/api/auth/register")
        headers = [cookie, csrf]
    elif role != "anonymous":
        headers = list(_sign_in(base, {"login": f"{role}@demo.clinic", "password": DEMO_PASSWORD}))
    command = [shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis", "run",
               f"{base}/api/openapi.json", "--checks", CHECKS, "--max-examples", os.environ.get("FUZZ_EXAMPLES", "4"),
               "--phases", "examples,fuzzing", "--max-time", os.environ.get("FUZZ_SECONDS", "20"),
               "--request-timeout", "20", "--seed", "14", "--no-shrink", "--workers", "1",
               "--report", "junit", "--report-dir", str(tmp_path)]
    for name in EXCLUDED:
        command += ["--exclude-operation-id", name]
    if headers:
        command += ["-H", f"Cookie: {headers[0]}", "-H", f"X-CSRF-Token: {headers[1]}"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
                            env={**os.environ, "SCHEMATHESIS_HOOKS": ""})
    output = result.stdout[-12000:] + result.stderr[-3000:]
    print(result.stdout[-1500:])  # the run's summary, shown with -s
    assert result.returncode == 0, output
