"""The contract does not move: a recorded corpus of bad requests is replayed and each must get the
same status, `error.code` and `error.field` as when it was recorded; /api/openapi.json only gains.

tests/data/bad_requests.json was recorded before request bodies moved to pydantic models (every
case is a 4xx; none changes data). To record it again, on purpose, after a deliberate contract
change: RECORD_BAD_REQUESTS=1 python3 manage.py test tests/test_bad_requests.py
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import aiohttp
import pytest

from helpers import queued_patient

CORPUS = Path(__file__).parent / "data" / "bad_requests.json"
OPENAPI_BEFORE = Path(__file__).parent / "data" / "openapi_before.json"  # recorded with the corpus
# Long runs of one character are written "<N*c>" in the corpus file, to keep it readable.
RUN = re.compile(r"^<(\d+)\*(.)>$")


def _expand(value):
    if isinstance(value, str) and (m := RUN.match(value)):
        return m.group(2) * int(m.group(1))
    if isinstance(value, dict):
        return {k: _expand(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand(v) for v in value]
    return value


def _shorten(value):
    if isinstance(value, str) and len(value) >= 100 and len(set(value)) == 1:
        return f"<{len(value)}*{value[0]}>"
    if isinstance(value, dict):
        return {k: _shorten(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shorten(v) for v in value]
    return value


async def world(people, make_client) -> tuple[dict, dict]:
    """Someone of each role and the ids the cases name: a patient in consultation with a doctor, an idle
    patient, an employer with an organisation, an admin, and an anonymous client."""
    admin = await people.staff("admin")
    org = await (await admin.post("/api/admin/organisations", json={"name": "Corpus Ltd"})).json()
    employer = await people.staff("employer", organisation_id=int(org["id"]))
    doctor = await people.doctor("internal")
    patient, entry = await queued_patient(people)
    claimed = await doctor.post("/api/doctor/claim", json={"entry_id": entry["id"]})
    assert claimed.status == 201, await claimed.text()
    consultation = await claimed.json()
    idle = await people.patient(name="Idle Patient")
    roles = {"anonymous": await make_client(), "patient": patient, "idle_patient": idle, "doctor": doctor,
             "employer": employer, "admin": admin}
    ids = {"consultation": consultation["id"], "patient": patient.id}
    return roles, ids


async def send(roles: dict, ids: dict, case: dict) -> dict:
    """Send one case; return what the answer says: status, error code and field."""
    case = _expand(case)
    who = roles[case["role"]]
    client = who if case["role"] == "anonymous" else who.client
    headers = {"Accept-Language": "en", **case.get("headers", {})}
    if case["role"] != "anonymous" and case.get("csrf", True):
        headers["X-CSRF-Token"] = who.csrf
    kwargs: dict = {}
    if "oversize" in case:  # a JSON object of this many bytes (kept short in the corpus file)
        kwargs["data"] = json.dumps({"x": "y" * case["oversize"]}).encode()
        headers.setdefault("Content-Type", "application/json")
    elif "raw" in case:
        kwargs["data"] = case["raw"].encode()
        headers.setdefault("Content-Type", case.get("content_type", "application/json"))
    elif "multipart" in case:
        form = aiohttp.FormData()
        for part in case["multipart"]:
            form.add_field(part["name"], part["content"].encode(), filename=part.get("filename"),
                           content_type=part.get("content_type"))
        kwargs["data"] = form
    elif "body" in case:
        kwargs["json"] = case["body"]
    path = case["path"].format(**ids)
    async with client.request(case["method"], path, headers=headers, **kwargs) as response:
        answer = {"status": response.status, "code": None, "field": None}
        if response.content_type == "application/json":
            error = (await response.json()).get("error") or {}
            answer.update(code=error.get("code"), field=error.get("field"))
    return answer


@pytest.mark.slow
async def test_bad_requests_answer_as_recorded(people, make_client, db):
    roles, ids = await world(people, make_client)
    if os.environ.get("RECORD_BAD_REQUESTS"):
        return await _record(roles, ids)
    corpus = json.loads(CORPUS.read_text())
    assert len(corpus) >= 200
    async with db.acquire() as conn:
        before = await conn.fetchval("SELECT count(*) FROM users") + await conn.fetchval(
            "SELECT count(*) FROM queue_entries") + await conn.fetchval("SELECT count(*) FROM enrollments")
    changed = []
    for case in corpus:
        got = await send(roles, ids, case)
        if got != case["expect"]:
            changed.append(f"{case['method']} {case['path']} as {case['role']}: {case['expect']} -> {got}")
    assert changed == [], "\n".join(changed)
    async with db.acquire() as conn:
        after = await conn.fetchval("SELECT count(*) FROM users") + await conn.fetchval(
            "SELECT count(*) FROM queue_entries") + await conn.fetchval("SELECT count(*) FROM enrollments")
    assert after == before


async def test_openapi_only_gains(client):
    before = json.loads(OPENAPI_BEFORE.read_text())["paths"]
    now = (await (await client.get("/api/openapi.json")).json())["paths"]
    lost = []
    for path, operations in before.items():
        for method, old in operations.items():
            new = now.get(path, {}).get(method)
            if new is None:
                lost.append(f"{method} {path}")
                continue
            if new["operationId"] != old["operationId"] or ("requestBody" in old and "requestBody" not in new):
                lost.append(f"{method} {path}: operation id or body schema")
            if not {p["name"] for p in old.get("parameters", [])} <= {p["name"] for p in new.get("parameters", [])}:
                lost.append(f"{method} {path}: parameters")
    assert lost == []


async def _record(roles: dict, ids: dict) -> None:
    recorded, not_refused = [], []
    for case in _cases():
        case["expect"] = await send(roles, ids, case)
        (recorded if 400 <= case["expect"]["status"] < 500 else not_refused).append(_shorten(case))
    assert not_refused == []
    CORPUS.parent.mkdir(exist_ok=True)
    lines = ",\n".join(json.dumps(case, ensure_ascii=False) for case in recorded)  # one case a line
    CORPUS.write_text(f"[\n{lines}\n]\n")


# ------------------------------------------------------------------------------------------------
# The cases (used only to record the corpus)

BAD_IDS = ["abc", -1, 0, 1.5, True, "²", "1" * 19, None, [1], {"id": 1}]
BAD_PATH_IDS = ["abc", "0", "-1", "1.5", "%C2%B2", "1" * 19]


def _c(method, path, role, **extra) -> dict:
    return {"method": method, "path": path, "role": role, **extra}


def _bodies(method, path, role, bodies) -> list[dict]:
    return [_c(method, path, role, body=b) for b in bodies]


def _json_shape_cases(method, path, role) -> list[dict]:
    """Bodies that are not a JSON object, an unknown field, a body past the size limit."""
    return [_c(method, path, role, raw="{not json"), _c(method, path, role, raw="[1, 2]"),
            _c(method, path, role, raw='"text"'), _c(method, path, role, body={"surprise": 1}),
            _c(method, path, role, oversize=300_000)]


def _cases() -> list[dict]:
    cid = "/api/consultations/{consultation}"
    out: list[dict] = []
    # Who may ask: nobody signed in, and the wrong role.
    for method, path, wrong in [
        ("GET", "/api/me", None), ("POST", "/api/admin/users", "doctor"),
        ("POST", "/api/admin/organisations", "patient"), ("POST", "/api/triage/assessments", "doctor"),
        ("POST", "/api/queue", "doctor"), ("GET", "/api/queue/me", "doctor"), ("DELETE", "/api/queue/me", "employer"),
        ("POST", "/api/queue/me/precheck", "doctor"), ("POST", "/api/queue/me/reassess", "doctor"),
        ("GET", "/api/doctor/queue", "patient"), ("POST", "/api/doctor/status", "patient"),
        ("POST", "/api/doctor/claim", "patient"), ("GET", "/api/consultations/current", "employer"),
        ("GET", "/api/consultations/history", "admin"), ("GET", cid, None), ("POST", cid + "/end", "patient"),
        ("POST", cid + "/return", "patient"), ("POST", cid + "/transfer", "patient"),
        ("POST", cid + "/recall", "patient"), ("POST", cid + "/quality", "employer"),
        ("POST", cid + "/rating", "doctor"), ("GET", "/api/rtc/ice-servers", None), ("POST", "/api/rtc/precheck", None),
        ("POST", "/api/employer/staff/import", "patient"), ("POST", "/api/employer/staff/invitations", "doctor"),
        ("GET", "/api/employer/staff", "patient"), ("GET", "/api/employer/staff.csv", "doctor"),
        ("GET", "/api/employer/staff/E1", "admin"), ("GET", "/api/employer/summary", "patient"),
        ("POST", "/api/employer/colleagues", "patient"), ("POST", "/api/invitations/" + "t" * 30 + "/accept", "employer"),
        ("GET", "/api/me/employers", "doctor"), ("DELETE", "/api/me/employers/1", "employer"),
        ("POST", "/api/screenings", "doctor"), ("GET", "/api/screenings/latest", "doctor"),
        ("GET", "/api/icd10?q=J06", "patient"), ("GET", cid + "/record", None), ("PUT", cid + "/record", "patient"),
        ("POST", cid + "/amendments", "patient"), ("GET", "/api/patients/{patient}/consultations", "patient"),
        ("POST", cid + "/attachments", None), ("GET", cid + "/attachments", "idle_patient"),
        ("GET", "/api/attachments/1", None), ("GET", cid + "/summary", "idle_patient"),
        ("GET", cid + "/fhir", "idle_patient"), ("GET", "/api/admin/stats", "doctor"),
        ("GET", "/api/admin/audit", "employer"),
    ]:
        out.append(_c(method, path, "anonymous", body={} if method in ("POST", "PUT") else None))
        if wrong:
            out.append(_c(method, path, wrong, body={} if method in ("POST", "PUT") else None))
    # Accounts
    good = {"phone": "13800000000", "password": "a-good-password", "name": "Corpus"}
    out += _bodies("POST", "/api/auth/register", "anonymous", [
        {}, {**good, "phone": None}, {**good, "phone": 13800000000}, {**good, "phone": "12345"},
        {**good, "phone": "1" * 21}, {**good, "password": "short"}, {**good, "password": "p" * 257},
        {**good, "password": 12345678}, {**good, "name": ""}, {**good, "name": "n" * 101},
        {k: v for k, v in good.items() if k != "name"}, {**good, "birth_date": "yesterday"},
        {**good, "birth_date": "1800-01-01"}, {**good, "birth_date": "2999-01-01"}, {**good, "sex": "x"},
        {**good, "role": "admin"}])
    out += _json_shape_cases("POST", "/api/auth/register", "anonymous")
    out.append(_c("POST", "/api/auth/register", "anonymous", raw="phone=1", content_type="application/x-www-form-urlencoded"))
    out += _bodies("POST", "/api/auth/login", "anonymous", [
        {}, {"login": ""}, {"password": "whatever-pass"}, {"login": "l" * 201, "password": "whatever-pass"},
        {"login": "13800009999", "password": "wrong-password"}, {"login": ["a"], "password": "x"},
        {"login": "a", "password": "x", "remember": True}])
    out += _json_shape_cases("POST", "/api/auth/login", "anonymous")
    out.append(_c("POST", "/api/auth/login", "anonymous", raw="login=a&password=b",
                  content_type="application/x-www-form-urlencoded"))
    new_user = {"role": "doctor", "name": "Dr Corpus", "email": "dr.corpus@test.clinic", "password": "a-good-password"}
    out += _bodies("POST", "/api/admin/users", "admin", [
        {}, {**new_user, "role": "superuser"}, {**new_user, "email": "not-an-email"}, new_user,
        {**new_user, "department": "nope"}, {**new_user, "role": "employer"},
        {**new_user, "role": "employer", "organisation_id": "abc"},
        {**new_user, "role": "employer", "organisation_id": 999999}, {**new_user, "name": ""},
        {**new_user, "password": "short", "department": "internal"}, {**new_user, "email": "e" * 201},
        {**new_user, "name": 5}])
    out += _json_shape_cases("POST", "/api/admin/users", "admin")
    out += _bodies("POST", "/api/admin/organisations", "admin", [
        {}, {"name": ""}, {"name": "o" * 201}, {"name": 5}, {"name": "Corpus Ltd"}])
    out += _json_shape_cases("POST", "/api/admin/organisations", "admin")
    # Queue
    out += _bodies("POST", "/api/queue", "patient", [{}] + [{"assessment_id": b} for b in BAD_IDS]
                   + [{"assessment_id": 999999}, {"assessment_id": 1, "x": 1}])
    out += _json_shape_cases("POST", "/api/queue", "patient")
    out.append(_c("GET", "/api/queue/me", "idle_patient"))
    out.append(_c("DELETE", "/api/queue/me", "idle_patient"))
    out += _bodies("POST", "/api/queue/me/precheck", "idle_patient", [
        {}, {"camera": "maybe", "microphone": True}, {"camera": True}, {"camera": True, "microphone": True, "rtt_ms": -1},
        {"camera": True, "microphone": True, "rtt_ms": 70000}, {"camera": True, "microphone": True, "rtt_ms": "fast"},
        {"camera": True, "microphone": True, "extra": 1}])
    out += _json_shape_cases("POST", "/api/queue/me/precheck", "idle_patient")
    out += _bodies("POST", "/api/doctor/status", "doctor", [
        {}, {"status": "busy"}, {"status": 1}, {"status": "available", "auto_assign": "maybe"},
        {"status": "away", "extra": 1}])
    out += _json_shape_cases("POST", "/api/doctor/status", "doctor")
    out += _bodies("POST", "/api/doctor/claim", "doctor", [{"entry_id": b} for b in BAD_IDS if b is not None]
                   + [{"entry_id": 999999}, {"extra": 1}])
    out += _json_shape_cases("POST", "/api/doctor/claim", "doctor")
    # Consultations
    for bad in BAD_PATH_IDS:
        out.append(_c("GET", f"/api/consultations/{bad}", "doctor"))
        out.append(_c("POST", f"/api/consultations/{bad}/rating", "patient", body={"rating": 5}))
    out.append(_c("GET", "/api/consultations/99999999", "doctor"))
    out.append(_c("GET", cid, "idle_patient"))
    out.append(_c("GET", "/api/consultations/current", "idle_patient"))
    out += _bodies("POST", cid + "/end", "doctor", [
        {"disposition": "bogus"}, {"notes": "n" * 20001}, {"diagnoses": "J06"}, {"soap": "text"},
        {"medications": [{"drug": ""}]}, {"surprise": 1}, {"advice": 5}])
    out += _json_shape_cases("POST", cid + "/end", "doctor")
    out.append(_c("POST", "/api/consultations/99999999/end", "doctor", body={}))
    out.append(_c("POST", "/api/consultations/99999999/return", "doctor"))
    out.append(_c("POST", "/api/consultations/99999999/recall", "doctor"))
    out.append(_c("POST", cid + "/recall", "idle_patient"))
    out += _bodies("POST", cid + "/transfer", "doctor", [
        {}, {"department": "nope"}, {"department": ""}, {"department": "d" * 41}, {"department": 5},
        {"department": "surgery", "x": 1}])
    out += _json_shape_cases("POST", cid + "/transfer", "doctor")
    out += _bodies("POST", cid + "/quality", "patient", [
        {"rtt_ms": -1}, {"packet_loss_pct": 101}, {"frame_width": "wide"}, {"jitter_ms": 1e9},
        {"frames_decoded": -3}, {"bitrate_kbps": "lots"}, {"extra": 1}])
    out += _json_shape_cases("POST", cid + "/quality", "patient")
    out.append(_c("POST", "/api/consultations/99999999/quality", "patient", body={}))
    out += _bodies("POST", cid + "/rating", "patient", [
        {"rating": 0}, {"rating": 6}, {"rating": "five"}, {}, {"rating": 5, "comment": "c" * 2001},
        {"rating": 1.5}, {"rating": 5}, {"rating": 5, "extra": 1}])
    out += _json_shape_cases("POST", cid + "/rating", "patient")
    out.append(_c("POST", cid + "/rating", "idle_patient", body={"rating": 5}))
    # Calls
    out += _bodies("POST", "/api/rtc/precheck", "patient", [
        {}, {"sdp": "short", "type": "offer"}, {"sdp": "v=0 " * 10, "type": "answer"}, {"sdp": "s" * 70000, "type": "offer"},
        {"sdp": "v=0\r\nnot an offer at all\r\n", "type": "offer"}, {"type": "offer"}, {"sdp": 5, "type": "offer"}])
    out += _json_shape_cases("POST", "/api/rtc/precheck", "patient")
    # Employers
    imp = "/api/employer/staff/import"
    out.append(_c("POST", imp, "employer", body={}))
    for parts in [
        [{"name": "other", "content": "a,b", "filename": "a.csv", "content_type": "text/csv"}],
        [{"name": "file", "content": "", "filename": "a.csv", "content_type": "text/csv"}],
        [{"name": "file", "content": "PK\x03\x04rest", "filename": "a.xlsx", "content_type": "text/csv"}],
        [{"name": "file", "content": "employee_ref,name,phone", "filename": "a.png", "content_type": "image/png"}],
        [{"name": "file", "content": "name,email\nA,a@b.c\n", "filename": "a.csv", "content_type": "text/csv"}],
        [{"name": "file", "content": "employee_ref,name,name,phone\n", "filename": "a.csv", "content_type": "text/csv"}],
        [{"name": "file", "content": "a\x00b\x00c", "filename": "a.csv", "content_type": "text/csv"}],
        [{"name": "file", "content": "x", "filename": "a.xlsx",
          "content_type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}],
    ]:
        out.append(_c("POST", imp, "employer", multipart=parts))
    out += _bodies("POST", "/api/employer/staff/invitations", "employer", [
        {"employee_refs": "all"}, {"employee_refs": [1, 2]}, {"qr": "maybe"}, {"extra": 1}, {"employee_refs": ["nobody"]}])
    out += _json_shape_cases("POST", "/api/employer/staff/invitations", "employer")
    out.append(_c("GET", "/api/employer/staff?status=bogus", "employer"))
    out.append(_c("GET", "/api/employer/staff.csv?status=bogus", "employer"))
    out.append(_c("GET", "/api/employer/staff/nobody", "employer"))
    colleague = {"name": "Colleague", "email": "colleague@test.clinic", "password": "a-good-password"}
    out += _bodies("POST", "/api/employer/colleagues", "employer", [
        {}, {**colleague, "email": "bad"}, {**colleague, "password": "short"}, {**colleague, "name": ""},
        {**colleague, "extra": 1}, {**colleague, "email": None}])
    out += _json_shape_cases("POST", "/api/employer/colleagues", "employer")
    for token in ("short", "t" * 30, "bad token with spaces!!!!"):
        out.append(_c("GET", f"/api/invitations/{token}", "anonymous"))
        out.append(_c("POST", f"/api/invitations/{token}/accept", "idle_patient"))
    for bad in ("abc", "0", "99999"):
        out.append(_c("DELETE", f"/api/me/employers/{bad}", "idle_patient"))
    out.append(_c("POST", "/api/screenings", "anonymous", body={"answers": {}}))
    out.append(_c("GET", "/api/screenings/latest", "idle_patient"))
    # Records
    for bad in BAD_PATH_IDS[:3]:
        out.append(_c("GET", f"/api/consultations/{bad}/record", "doctor"))
        out.append(_c("GET", f"/api/consultations/{bad}/summary", "patient"))
        out.append(_c("GET", f"/api/consultations/{bad}/fhir", "patient"))
        out.append(_c("GET", f"/api/attachments/{bad}", "patient"))
        out.append(_c("GET", f"/api/patients/{bad}/consultations", "doctor"))
    out.append(_c("GET", cid + "/record", "patient"))
    out.append(_c("GET", cid + "/record", "idle_patient"))
    out.append(_c("GET", "/api/attachments/99999", "patient"))
    out.append(_c("GET", "/api/patients/99999/consultations", "doctor"))
    out += _bodies("PUT", cid + "/record", "doctor", [
        {"soap": "text"}, {"soap": {"subjective": 5}}, {"diagnoses": [{"code": "NOPE"}]}, {"diagnoses": "J06"},
        {"medications": [{"drug": ""}]}, {"medications": "aspirin"}, {"extra": 1}, {"disposition": "bogus"},
        {"notes": ["a"]}, {"soap": {"subjective": "s" * 20001}}])
    out += _json_shape_cases("PUT", cid + "/record", "doctor")
    out += _bodies("POST", cid + "/amendments", "doctor", [
        {}, {"field": "bogus", "value": "v", "reason": "r"}, {"field": "notes", "value": "v", "reason": ""},
        {"field": "notes", "value": "v", "reason": "typo"}, {"field": "notes", "value": "v", "reason": "r", "x": 1}])
    out += _json_shape_cases("POST", cid + "/amendments", "doctor")
    att = cid + "/attachments"
    out.append(_c("POST", att, "doctor", body={"file": "x"}))
    out.append(_c("POST", att, "idle_patient", body={}))
    for parts in [
        [{"name": "other", "content": "x", "filename": "a.png", "content_type": "image/png"}],
        [{"name": "file", "content": "plain text", "filename": "a.txt", "content_type": "text/plain"}],
        [{"name": "file", "content": "not a png", "filename": "a.png", "content_type": "image/png"}],
        [{"name": "file", "content": "%PDF-1.4 fake", "filename": "a.png", "content_type": "image/png"}],
        [{"name": "file", "content": "", "filename": "a.pdf", "content_type": "application/pdf"}],
    ]:
        out.append(_c("POST", att, "doctor", multipart=parts))
    # Admin
    for query in ("days=abc", "days=0", "days=1000", "tz=Mars/Olympus", "days=1.5", "tz=" + "z" * 100):
        out.append(_c("GET", f"/api/admin/stats?{query}", "admin"))
    for query in ("allowed=maybe", "limit=abc", "actor_id=-1", "limit=1.5", "actor_id=abc", "limit=" + "9" * 19):
        out.append(_c("GET", f"/api/admin/audit?{query}", "admin"))
    # Cross-cutting: CSRF, Origin, unknown routes and methods
    for method, path, role in [("POST", "/api/queue", "patient"), ("POST", "/api/doctor/status", "doctor"),
                               ("POST", "/api/admin/organisations", "admin"), ("POST", cid + "/rating", "patient"),
                               ("DELETE", "/api/queue/me", "patient"), ("PUT", cid + "/record", "doctor")]:
        out.append(_c(method, path, role, body={}, csrf=False))
        out.append(_c(method, path, role, body={}, headers={"Origin": "https://evil.example"}))
    out.append(_c("POST", "/api/auth/login", "anonymous", body={"login": "a", "password": "b"},
                  headers={"Origin": "https://evil.example"}))
    out += [_c("GET", "/api/nope", "anonymous"), _c("PATCH", "/api/queue", "patient", body={}),
            _c("GET", "/api/doctor/claim", "doctor"), _c("PUT", "/api/me", "patient", body={})]
    return out
