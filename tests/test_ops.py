"""What an operator relies on: /healthz, /metrics for the scraper only, the OpenAPI document, a valid compose file."""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace

from prometheus_client.parser import text_string_to_metric_families

from helpers import ROOT, queued_patient, wait_for
from server.app import create_app
from server.keys import DB_POOL

# Every route of the public contract (docs/API.md), as METHOD path. Pages (/invite/{token}) are
# not JSON API and are not in the OpenAPI document.
CONTRACT_ROUTES = {
    "POST /api/auth/register", "POST /api/auth/login", "POST /api/auth/logout", "GET /api/me",
    "POST /api/admin/users", "POST /api/admin/organisations",
    "GET /api/triage/questionnaire", "POST /api/triage/assessments",
    "POST /api/queue", "GET /api/queue/me", "POST /api/queue/me/reassess", "DELETE /api/queue/me",
    "GET /api/departments", "GET /api/doctor/queue", "POST /api/doctor/status", "POST /api/doctor/claim",
    "GET /api/consultations/{id}", "POST /api/consultations/{id}/end", "POST /api/consultations/{id}/quality",
    "GET /api/rtc/ice-servers",
    "POST /api/employer/staff/import", "GET /api/employer/staff", "POST /api/screenings",
    "GET /healthz",
}
API_MD = ROOT / "docs" / "API.md"
METRIC_NAMES = ("clinic_waiting_patients", "clinic_claims_total", "clinic_active_consultations",
                "clinic_socket_connections", "clinic_signal_relay_seconds", "clinic_http_request_seconds")


def _contract_routes() -> set[str]:
    """The list above, plus every `METHOD /api/...` row of docs/API.md outside the sections marked
    *(agreed; not served yet)*."""
    routes = set(CONTRACT_ROUTES)
    for section in re.split(r"^#+ ", API_MD.read_text(), flags=re.MULTILINE):
        if "not served yet" in section.split("\n", 1)[0]:
            continue
        for method, path in re.findall(r"^\| `(GET|POST|PUT|PATCH|DELETE) (/api/[^`\s]*)`", section, re.MULTILINE):
            routes.add(f"{method} {path.split('?')[0]}")  # `?status=open` is a query, not part of the path
    return routes


def _samples(text: str) -> dict[tuple[str, tuple], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


async def test_healthz_answers_200_when_the_database_answers(client):
    response = await client.get("/healthz")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert "redis" not in body  # not configured, not checked


async def test_healthz_answers_503_when_redis_is_configured_but_unreachable(settings, db, aiohttp_client):
    app = create_app(replace(settings, redis_url="redis://127.0.0.1:1/0"))
    app[DB_POOL] = db
    client = await aiohttp_client(app)
    response = await client.get("/healthz")
    assert response.status == 503, await response.text()
    body = await response.json()
    assert body == {"status": "unavailable", "database": "ok", "redis": "unreachable"}


async def test_metrics_show_the_clinic_to_the_operator_and_are_refused_to_a_patient(people, client):
    doctor = await people.doctor()
    patient, _ = await queued_patient(people)
    await queued_patient(people, name="Still Waiting")
    claim = await doctor.post("/api/doctor/claim", json={})
    assert claim.status == 201
    cid = (await claim.json())["id"]
    d_sock, p_sock = await doctor.socket(), await patient.socket()
    assert (await d_sock.call("join", {"consultation_id": cid}))["ok"]
    assert (await p_sock.call("join", {"consultation_id": cid}))["ok"]
    assert (await d_sock.call("signal", {"consultation_id": cid, "kind": "offer",
                                         "data": {"type": "offer", "sdp": "v=0\r\n"}}))["ok"]

    response = await client.get("/metrics")  # the scraper: loopback, no session
    assert response.status == 200, await response.text()
    assert response.headers["Content-Type"].startswith("text/plain")
    text = await response.text()
    for name in METRIC_NAMES:
        assert f"# TYPE {name} " in text, name
    samples = _samples(text)
    internal = (("department", "internal"),)
    assert samples[("clinic_waiting_patients", internal)] == 1
    assert samples[("clinic_claims_total", internal)] == 1
    assert samples[("clinic_active_consultations", ())] == 1
    assert samples[("clinic_socket_connections", ())] == 2
    assert samples[("clinic_signal_relay_seconds_count", ())] == 1
    claims_timed = (("method", "POST"), ("route", "/api/doctor/claim"), ("status", "201"))
    assert samples[("clinic_http_request_seconds_count", claims_timed)] == 1

    refused = await patient.get("/metrics")  # a browser with a patient's session, even from loopback
    assert refused.status == 403
    assert "clinic_" not in await refused.text()
    # Through the public proxy (which adds X-Forwarded-For) the caller's address is the proxy's, a
    # private one: still refused.
    relayed = await client.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
    assert relayed.status == 403

    await d_sock.disconnect()

    async def one_connection_left():
        return _samples(await (await client.get("/metrics")).text())[("clinic_socket_connections", ())] == 1
    await wait_for(one_connection_left)


async def test_openapi_lists_every_route_of_the_contract(client):
    response = await client.get("/api/openapi.json")
    assert response.status == 200
    document = await response.json()
    assert document["openapi"].startswith("3.")
    published = {f"{method.upper()} {path}" for path, operations in document["paths"].items()
                 for method in operations}
    missing = sorted(_contract_routes() - published)
    assert missing == [], f"API.md routes missing from /api/openapi.json (and so from the route table): {missing}"


async def test_every_route_but_home_watch_declares_the_shape_of_its_answer(client):
    document = await (await client.get("/api/openapi.json")).json()
    generic = sorted(f"{method.upper()} {path}" for path, operations in document["paths"].items()
                     for method, operation in operations.items()
                     if "2XX" in operation["responses"] and not operation["operationId"].startswith("hw_"))
    assert generic == [], f"answers the fuzzer cannot check (give them a model in server/web/schemas*.py): {generic}"


def test_the_production_compose_file_is_valid():
    compose = shutil.which("docker-compose")
    assert compose, "docker-compose is not installed: apt-get install -y docker-compose (.ci/run installs it)"
    result = subprocess.run([compose, "--env-file", ".env.example", "-f", "docker-compose.yml", "config", "-q"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    services = subprocess.run([compose, "--env-file", ".env.example", "-f", "docker-compose.yml", "config",
                               "--services"], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    assert set(services.stdout.split()) >= {"postgres", "redis", "app1", "app2", "proxy", "coturn"}
