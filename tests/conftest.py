"""Test fixtures against real parts: a real PostgreSQL, the real app on a real port, real clients.
What tests import (people, waiting, sockets, browsers, processes, fresh databases) is in tests/helpers/

The database is the embedded PostgreSQL from `pgserver` (or TEST_DATABASE_URL's server): a fresh
database per test session, migrated once, tables emptied before each test.
"""
from __future__ import annotations

import asyncio
import os
from urllib.parse import urlsplit

import asyncpg
import pytest

from db.connect import create_pool
from db.migrate import migrate
from db.roles import drop_role, with_user
from helpers import PASSWORD, ROOT, Person
from helpers.databases import empty_database
from server import seed
from server.accounts import service as auth
from server.app import create_app
from server.keys import DB_POOL
from server.queue import service as queue_service
from server.settings import Settings

KEEP_TABLES = {"schema_migrations", "departments"}
_EMBEDDED = None


def _admin_dsn() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    import pgserver
    (ROOT / "var").mkdir(exist_ok=True)
    global _EMBEDDED  # keep the handle: the server stops when the test session's last handle goes
    _EMBEDDED = pgserver.get_server(ROOT / "var" / "test-pgdata", cleanup_mode="stop")
    return _EMBEDDED.get_uri("postgres")


@pytest.fixture(scope="session")
def database_url():
    """A fresh, migrated database for this test session (the owner's DSN), dropped afterwards.

    Migrating also makes the app's least-privileged role, named after the database so parallel
    runs on one PostgreSQL never share one (roles are cluster-wide); it is dropped with the database.
    """
    admin = _admin_dsn()
    with empty_database(admin, "clinic_test") as url:
        role = f"{urlsplit(url).path.strip('/')}_app"
        asyncio.run(_prepare(url, role))
        yield url
    asyncio.run(_drop_role(admin, role))  # once its database is gone: nothing of it is left to own


async def _prepare(url: str, role: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await migrate(conn, app_role=role)
        await seed.seed_departments(conn)
    finally:
        await conn.close()


async def _drop_role(admin: str, role: str) -> None:
    conn = await asyncpg.connect(admin)
    try:
        await drop_role(conn, role)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def app_database_url(database_url) -> str:
    """The same database as the app's least-privileged role: what the application under test connects as."""
    name = urlsplit(database_url).path.strip("/")
    return with_user(database_url, f"{name}_app")


@pytest.fixture
async def db(database_url, app_database_url):
    """A pool on the test database as the app's role, with every table but the reference ones emptied
    first (by the owner: the app's role may not truncate the audit log)."""
    owner = await asyncpg.connect(database_url)
    try:
        tables = [r["tablename"] for r in await owner.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'") if r["tablename"] not in KEEP_TABLES]
        # replica mode skips the audit log's append-only trigger: only tests may do this.
        await owner.execute("SET session_replication_role = replica")
        await owner.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        await owner.execute("SET session_replication_role = DEFAULT")
        await owner.execute("UPDATE departments SET queue_seq = 0")
    finally:
        await owner.close()
    pool = await create_pool(app_database_url, min_size=1, max_size=10)
    yield pool
    await pool.close()


@pytest.fixture
def settings(app_database_url) -> Settings:
    """Settings for an app under test."""
    return Settings(database_url=app_database_url, housekeeping_seconds=0.2)


@pytest.fixture
async def app(settings, db):
    """The real application sharing the test's pool."""
    # The queue's department figures are cached per process for a few seconds; the tables were just
    # emptied, so figures from an earlier test would be stale here.
    queue_service._stats_cache.clear()
    application = create_app(settings)
    application[DB_POOL] = db
    return application


@pytest.fixture
async def server(app, aiohttp_server):
    """The application listening on a real port of 127.0.0.1."""
    return await aiohttp_server(app, host="127.0.0.1")


@pytest.fixture
def make_client(server, aiohttp_client):
    """New HTTP clients of the same server, each with its own cookie jar (one per person)."""
    async def make():
        return await aiohttp_client(server)
    return make


@pytest.fixture
async def client(make_client):
    """One anonymous HTTP client."""
    return await make_client()


@pytest.fixture
async def people(make_client, db):
    """Factory for signed-in people of every role; their sockets are closed at the end."""
    made: list[Person] = []
    counter = iter(range(10_000))

    async def sign_in(client, login):
        response = await client.post("/api/auth/login", json={"login": login, "password": PASSWORD})
        assert response.status == 200, await response.text()
        body = await response.json()
        person = Person(client, body["user"], body["csrf_token"])
        made.append(person)
        return person

    class Factory:
        async def patient(self, name="Test Patient", birth_date="1990-05-01", sex="female",
                          consents=("health_data", "video")) -> Person:
            client = await make_client()
            phone = f"139{next(counter):08d}"
            response = await client.post("/api/auth/register", json={
                "phone": phone, "password": PASSWORD, "name": name, "birth_date": birth_date, "sex": sex,
                "consents": list(consents)})
            assert response.status == 201, await response.text()
            body = await response.json()
            person = Person(client, body["user"], body["csrf_token"])
            person.phone = phone
            made.append(person)
            return person

        emails: dict[str, str] = {}

        async def staff(self, role: str, department: str | None = None, organisation_id: int | None = None,
                        name: str | None = None) -> Person:
            email = f"{role}{next(counter)}@test.clinic"
            async with db.acquire() as conn:
                row = await auth.create_user(conn, role=role, name=name or f"Test {role}", email=email, password=PASSWORD,
                                       department=department, organisation_id=organisation_id)
            self.emails[str(row["id"])] = email
            return await sign_in(await make_client(), email)

        async def doctor(self, department: str = "internal", available: bool = True) -> Person:
            person = await self.staff("doctor", department=department)
            if available:
                response = await person.post("/api/doctor/status", json={"status": "available"})
                assert response.status == 200
            return person

        async def follow_up(self, patient: Person, doctor: Person, consultation_id: str) -> None:
            """Let a consultation carry a prescription (server/visits): the doctor has a licence number, the
            patient's real name is verified (as at the clinic's desk: no provider is reachable in tests),
            and the doctor confirms a follow-up of a diagnosis made in person."""
            async with db.acquire() as conn:
                await conn.execute("UPDATE users SET licence_number = coalesce(licence_number, 'TEST-' || id) "
                                   "WHERE id = $1", int(doctor.id))
            response = await patient.post("/api/me/identity", json={"name": patient.user["name"],
                                                                    "id_number": "11010519491231002X"})
            assert response.status == 200, await response.text()
            async with db.acquire() as conn:
                await conn.execute("UPDATE identities SET verified = true, verified_at = now(), verified_by = 'desk' "
                                   "WHERE user_id = $1", int(patient.id))
            response = await doctor.post(f"/api/consultations/{consultation_id}/visit-type", json={
                "visit": "follow_up", "prior_diagnosis": {"hospital": "Test Hospital", "date": "2025-01-02",
                                                          "icd10": "J02.9"}})
            assert response.status == 200, await response.text()

    yield Factory()
    for person in made:  # sockets close while the server still runs
        await person.close()
