"""Several server processes on one PostgreSQL and one Redis, as docker-compose runs them.

Two real `python -m server` processes (A and B) share a fresh database, which they migrate and seed
themselves at the same moment, and a Redis database that carries live events between them. People
talk to whichever process the proxy would have picked; a process dying costs nobody their place.
"""
from __future__ import annotations

import asyncio
import itertools
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import aiohttp
import asyncpg
import pytest
import redis
import socketio

from db.migrate import migration_files
from helpers import PASSWORD, recording_socket, wait_for
from helpers.databases import empty_database
from helpers.processes import ServerProcess
from helpers.rtc_peer import RtcPeer
from server import seed, triage
from server.accounts import service as auth

pytestmark = pytest.mark.cluster

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
# Triage answers and where they send a patient (department, level): each test uses its own department.
RASH = {"age_years": 30, "symptoms": ["rash", "itching"]}                    # dermatology, 4
RASH_PAINFUL = {"age_years": 30, "symptoms": ["rash"], "pain_score": 6}      # dermatology, 3
EAR = {"age_years": 30, "symptoms": ["ear_pain"]}                            # ent, 4
EAR_SEVERE = {"age_years": 30, "symptoms": ["ear_pain"], "pain_score": 7}    # ent, 2
COUGH = {"age_years": 34, "symptoms": ["cough"], "pain_score": 5}            # internal, 3
_phones = itertools.count(1)


@dataclass
class Cluster:
    a: ServerProcess
    b: ServerProcess
    database_url: str
    env: dict
    log_dir: object


def _redis_or_fail() -> None:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis is not reachable at {REDIS_URL} ({exc}). The multi-process tests need it: start it "
                    f"(`redis-server --daemonize yes --port 6379`, as .ci/run does) or set TEST_REDIS_URL.",
                    pytrace=False)
    client.flushdb()
    client.close()


def _start_together(*processes: ServerProcess) -> None:
    """Start the processes at the same moment (each migrates and seeds on start-up) and wait for all."""
    with ThreadPoolExecutor(len(processes)) as pool:
        futures = [pool.submit(p.start, 60) for p in processes]
        errors = [f.exception() for f in futures]
    if any(errors):
        for p in processes:
            p.stop()
        raise next(e for e in errors if e)


@pytest.fixture(scope="module")
def cluster(database_url, tmp_path_factory):
    """Processes A and B on a fresh, empty database of the test PostgreSQL and on Redis db 15 (flushed)."""
    _redis_or_fail()
    log_dir = tmp_path_factory.mktemp("cluster")
    with empty_database(database_url, "clinic_cluster") as url:
        env = {"DATABASE_URL": url, "REDIS_URL": REDIS_URL, "DEMO": "1",
               "LOG_LEVEL": "WARNING", "TURN_URLS": "", "STUN_URLS": ""}
        a, b = ServerProcess(env, log_dir=log_dir), ServerProcess(env, log_dir=log_dir)
        try:
            _start_together(a, b)
            yield Cluster(a, b, url, env, log_dir)
        finally:
            a.stop()
            b.stop()
            redis.Redis.from_url(REDIS_URL).flushdb()


class Browser:
    """One person's browser: a cookie jar that every process accepts (the proxy picks the process)."""

    def __init__(self):
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        self.user: dict | None = None
        self.csrf = ""
        self.sockets: list[socketio.AsyncClient] = []

    @property
    def id(self) -> str:
        return self.user["id"]

    async def call(self, method: str, base: str, path: str, json=None, status: int | None = None):
        """One API request; returns (status, JSON body or None). With `status`, anything else fails."""
        headers = {"X-CSRF-Token": self.csrf} if method != "GET" else {}
        async with self.http.request(method, base + path, json=json, headers=headers) as response:
            body = await response.json() if response.content_type == "application/json" else None
            if status is not None:
                assert response.status == status, f"{method} {path} on {base}: {response.status} {body}"
            return response.status, body

    async def register(self, base: str, name: str) -> Browser:
        phone = f"137{os.getpid() % 1000:03d}{next(_phones):05d}"
        _, body = await self.call("POST", base, "/api/auth/register",
                                  {"phone": phone, "password": PASSWORD, "name": name,
                                   "consents": ["health_data", "video"]}, status=201)
        self.user, self.csrf = body["user"], body["csrf_token"]
        return self

    async def login(self, base: str, login: str) -> Browser:
        _, body = await self.call("POST", base, "/api/auth/login", {"login": login, "password": PASSWORD},
                                  status=200)
        self.user, self.csrf = body["user"], body["csrf_token"]
        return self

    async def queue(self, base: str, answers: dict) -> dict:
        """Answer the questionnaire and join the queue through process `base`; the QueueEntry."""
        _, assessment = await self.call("POST", base, "/api/triage/assessments", {"answers": answers}, status=201)
        _, entry = await self.call("POST", base, "/api/queue", {"assessment_id": assessment["id"]}, status=201)
        return entry

    def cookie_header(self) -> str:
        return "; ".join(f"{c.key}={c.value}" for c in self.http.cookie_jar)

    async def socket(self, base: str, received: list | None = None) -> socketio.AsyncClient:
        """A Socket.IO connection to process `base`, authenticated by the cookie; events are recorded."""
        sio = await recording_socket(base, self.cookie_header(), received)
        self.sockets.append(sio)
        return sio

    async def close(self):
        for sio in self.sockets:
            if sio.connected:
                await sio.disconnect()
        await self.http.close()


class FailoverSocket:
    """A waiting room page behind the proxy: when its process dies, it connects to a live one with
    the same cookie (what the proxy does in production) and subscribes to its queue again."""

    def __init__(self, browser: Browser, urls: list[str]):
        self.browser, self.urls, self.index = browser, urls, 0
        self.received: list = []
        self.acks: list[dict] = []
        self.failed_over = asyncio.Event()
        self.sio: socketio.AsyncClient | None = None
        self._task: asyncio.Task | None = None

    async def start(self) -> dict:
        await self._connect()
        return self.acks[-1]

    async def _connect(self) -> None:
        self.sio = await self.browser.socket(self.urls[self.index], self.received)
        self.sio.on("disconnect", self._on_disconnect)
        ack = await self.sio.call("queue:subscribe", {}, timeout=5)
        assert ack["ok"], ack
        self.acks.append(ack)

    async def _on_disconnect(self, *reason) -> None:
        if self.index + 1 < len(self.urls) and self._task is None:
            self._task = asyncio.create_task(self._failover())

    async def _failover(self) -> None:
        self.index += 1
        await self._connect()
        self.failed_over.set()


def events_named(received: list, name: str) -> list:
    return [data for event, data in received if event == name]


def has_event(sock, name: str, **fields) -> bool:
    """Whether `sock` received a `name` event carrying these fields (payloads may carry more)."""
    return any(isinstance(data, dict) and all(data.get(k) == v for k, v in fields.items())
               for data in events_named(sock.received, name))


async def _db(cluster: Cluster) -> asyncpg.Connection:
    return await asyncpg.connect(cluster.database_url)


async def _doctor(cluster: Cluster, base: str, department: str) -> Browser:
    """A doctor account made in the database (as an admin would), signed in and on duty through `base`."""
    email = f"dr-{department}-{secrets.token_hex(3)}@cluster.test"
    conn = await _db(cluster)
    try:
        await auth.create_user(conn, role="doctor", name=f"Dr. {department}", email=email, password=PASSWORD,
                               department=department)
    finally:
        await conn.close()
    doctor = await Browser().login(base, email)
    await doctor.call("POST", base, "/api/doctor/status", {"status": "available"}, status=200)
    return doctor


def _changes(update: dict) -> list[dict]:
    """The queue changes one `queue:update` carries (a batch under `changes`, or the event itself)."""
    return update.get("changes") or [update]


def _updates_naming(sock, entry_id: str, change: str) -> list[dict]:
    """The `queue:update` events `sock` received in which `entry_id` was inserted (or removed)."""
    return [u for u in events_named(sock.received, "queue:update")
            if any(entry_id in [c["id"] for c in part.get(change, [])] for part in _changes(u))]


def _position_after(own_key: list, position: int, update: dict, seq: int = 0) -> int:
    """What a waiting page computes from one `queue:update`: entries ahead of it inserted or removed,
    in the changes after its snapshot's `seq` (a batch may also carry changes the snapshot counted)."""
    for part in _changes(update):
        if part.get("seq", seq + 1) <= seq:
            continue
        position += len([c for c in part.get("inserted", []) if c["key"] < own_key])
        position -= len([c for c in part.get("removed", []) if c["key"] < own_key])
    return position


def test_processes_started_at_once_migrate_and_seed_exactly_once(cluster):
    async def check():
        conn = await _db(cluster)
        try:
            migrations = await conn.fetch("SELECT version FROM schema_migrations ORDER BY version")
            assert [r["version"] for r in migrations] == [v for v, _, _ in migration_files()]
            assert await conn.fetchval("SELECT count(*) FROM users WHERE email = 'doctor@demo.clinic'") == 1
            assert await conn.fetchval("SELECT count(*) FROM users WHERE email LIKE '%@demo.clinic'") == len(
                seed.DEMO_ACCOUNTS)
            assert await conn.fetchval("SELECT count(*) FROM organisations WHERE name = 'Demo Co.'") == 1
            assert await conn.fetchval("SELECT count(*) FROM departments") == len(triage.DEPARTMENTS)
        finally:
            await conn.close()
        async with aiohttp.ClientSession() as http:
            for process in (cluster.a, cluster.b):
                async with http.get(process.url + "/healthz") as response:
                    assert response.status == 200
                    assert await response.json() == {"status": "ok", "database": "ok", "redis": "ok"}
    asyncio.run(check())


async def test_a_session_made_on_one_process_is_valid_on_every_process(cluster):
    a, b = cluster.a.url, cluster.b.url
    patient = await Browser().register(a, "Session Patient")
    try:
        _, me = await patient.call("GET", b, "/api/me", status=200)
        assert me["user"]["id"] == patient.id and me["csrf_token"] == patient.csrf
        await patient.call("POST", b, "/api/triage/assessments", {"answers": COUGH}, status=201)
        async with patient.http.post(b + "/api/triage/assessments", json={"answers": COUGH}) as no_token:
            assert no_token.status == 403  # B checks the CSRF token A issued
        sock = await patient.socket(b)
        assert sock.connected

        cookie = patient.cookie_header()
        await patient.call("POST", a, "/api/auth/logout", status=204)
        async with aiohttp.ClientSession() as stranger:  # the old cookie, replayed on the other process
            async with stranger.get(b + "/api/me", headers={"Cookie": cookie}) as response:
                assert response.status == 401
            refused = socketio.AsyncClient(reconnection=False)
            with pytest.raises(socketio.exceptions.ConnectionError):
                await refused.connect(b, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=5)

        doctor = await _doctor(cluster, b, "internal")
        try:
            await doctor.call("GET", a, "/api/doctor/queue", status=200)
        finally:
            await doctor.close()
    finally:
        await patient.close()


async def test_patient_on_one_process_and_doctor_on_another_go_through_the_whole_consultation(cluster):
    a, b = cluster.a.url, cluster.b.url
    doctor = await _doctor(cluster, b, "dermatology")
    waiting = await Browser().register(b, "Waiting On B")
    patient = await Browser().register(a, "Patient On A")
    peers: list[RtcPeer] = []
    try:
        d_sock = await doctor.socket(b)
        first = await waiting.queue(b, RASH)
        w_sock = await waiting.socket(b)
        subscribed = await w_sock.call("queue:subscribe", {}, timeout=5)
        assert subscribed["ok"] and subscribed["entry"]["position"] == first["position"] == 1
        own_key = subscribed["entry"]["sort_key"]

        p_sock = await patient.socket(a)
        entry = await patient.queue(a, RASH_PAINFUL)  # more urgent: goes ahead of the one waiting on B
        assert entry["department"] == "dermatology" and entry["level"] == 3 and entry["position"] == 1

        # Enqueued on A; the doctor's dashboard and the other waiting page, both on B, hear of it.
        await wait_for(lambda: _updates_naming(d_sock, entry["id"], "inserted")
                       and _updates_naming(w_sock, entry["id"], "inserted"))
        await wait_for(lambda: has_event(d_sock, "queue:alert", kind="new_patient", entry_id=entry["id"], level=3))
        assert _position_after(own_key, 1, _updates_naming(w_sock, entry["id"], "inserted")[0]) == 2
        _, mine = await waiting.call("GET", b, "/api/queue/me", status=200)
        assert mine["position"] == 2

        # The doctor on B claims the next patient: the one on A, whose page on A is told.
        _, consultation = await doctor.call("POST", b, "/api/doctor/claim", {}, status=201)
        cid = consultation["id"]
        assert consultation["patient"]["id"] == patient.id
        await wait_for(lambda: has_event(p_sock, "consult:ready", consultation_id=cid))
        await wait_for(lambda: has_event(d_sock, "consult:ready", consultation_id=cid))
        removed = await wait_for(lambda: _updates_naming(w_sock, entry["id"], "removed"))
        assert _position_after(own_key, 2, removed[0]) == 1
        assert (await waiting.call("GET", a, "/api/queue/me", status=200))[1]["position"] == 1

        # Both join the room, each on its own process; the call and the chat cross the processes.
        assert (await p_sock.call("join", {"consultation_id": cid}))["ok"]
        ack = await d_sock.call("join", {"consultation_id": cid})
        assert ack["ok"] and ack["peers"] == ["patient"]
        await wait_for(lambda: has_event(p_sock, "peer:joined", consultation_id=cid, role="doctor"))
        doctor_peer, patient_peer = RtcPeer(d_sock, cid, "doctor"), RtcPeer(p_sock, cid, "patient")
        peers += [doctor_peer, patient_peer]
        await doctor_peer.offer()
        await wait_for(lambda: doctor_peer.frames_received > 10 and patient_peer.frames_received > 10, timeout=20)

        assert (await p_sock.call("chat", {"consultation_id": cid, "text": "皮疹很痒"}))["ok"]
        assert (await d_sock.call("chat", {"consultation_id": cid, "text": "请拍张照片"}))["ok"]
        for sock in (p_sock, d_sock):
            await wait_for(lambda s=sock: [m["text"] for m in events_named(s.received, "chat")] == ["皮疹很痒", "请拍张照片"])
        _, record = await patient.call("GET", b, f"/api/consultations/{cid}", status=200)
        assert [(m["from_role"], m["text"]) for m in record["messages"]] == [("patient", "皮疹很痒"), ("doctor", "请拍张照片")]

        # The doctor ends it on B; the patient's page on A is told.
        await doctor.call("POST", b, f"/api/consultations/{cid}/end",
                          {"notes": "n", "diagnosis": "contact dermatitis", "disposition": "advice", "advice": "a"},
                          status=200)
        await wait_for(lambda: has_event(p_sock, "consult:ended", consultation_id=cid))
        _, record = await patient.call("GET", a, f"/api/consultations/{cid}", status=200)
        assert record["status"] == "ended" and record["diagnosis"] == "contact dermatitis"
    finally:
        await asyncio.gather(*(peer.close() for peer in peers))
        for person in (doctor, waiting, patient):
            await person.close()


async def test_waiting_patients_keep_their_places_when_their_process_is_killed(cluster):
    victim = ServerProcess(cluster.env, log_dir=cluster.log_dir)
    await asyncio.to_thread(victim.start, 60)
    c, a, b = victim.url, cluster.a.url, cluster.b.url
    patients: list[Browser] = []
    try:
        pages = []
        for i in range(3):
            patient = await Browser().register(c, f"Waiting {i}")
            patients.append(patient)
            entry = await patient.queue(c, EAR)
            assert entry["department"] == "ent" and entry["position"] == i + 1
            page = FailoverSocket(patient, [c, a])
            pages.append(page)
            await page.start()
        before = [page.acks[0]["entry"] for page in pages]
        assert [e["position"] for e in before] == [1, 2, 3]

        await asyncio.to_thread(victim.kill)  # SIGKILL: no goodbye, no cleanup

        await asyncio.wait_for(asyncio.gather(*(page.failed_over.wait() for page in pages)), timeout=10)
        after = [page.acks[-1]["entry"] for page in pages]
        assert [(e["id"], e["position"], e["status"]) for e in after] == \
               [(e["id"], e["position"], "waiting") for e in before]
        assert [e["sort_key"] for e in after] == [e["sort_key"] for e in before]
        for patient, entry in zip(patients, before):
            _, mine = await patient.call("GET", a, "/api/queue/me", status=200)
            assert (mine["id"], mine["position"]) == (entry["id"], entry["position"])

        # Their pages are live again on A: someone more urgent arriving through B moves them all back one.
        urgent = await Browser().register(b, "Urgent")
        patients.append(urgent)
        new = await urgent.queue(b, EAR_SEVERE)
        assert new["position"] == 1
        for page, entry in zip(pages, after):
            update = await wait_for(lambda p=page: _updates_naming(p, new["id"], "inserted"))
            assert _position_after(entry["sort_key"], entry["position"], update[0], entry["seq"]) == entry["position"] + 1
        for patient, entry in zip(patients, before):
            assert (await patient.call("GET", b, "/api/queue/me", status=200))[1]["position"] == entry["position"] + 1
    finally:
        victim.kill()
        for patient in patients:
            await patient.close()

