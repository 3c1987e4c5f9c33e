"""Morning peak bench, setup: one company's staff, imported and invited through the real routes.

The employer's side goes through HTTP as an employer does it: sign in, upload the staff CSV
(`POST /api/employer/staff/import`), issue invitation links for the staff who have no account yet
(`POST /api/employer/staff/invitations`). The staff who joined on earlier days are made directly in
the database (BENCH SETUP SQL): their patient accounts, their bound enrollment, their consents and,
for those whose session is still open, a session through `server.accounts.service.open_session`.
Their password hash is one real argon2 hash of the bench password, shared (hashing thousands of
them would take minutes; verifying one costs exactly what verifying any costs).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import aiohttp
import asyncpg

from server.accounts import passwords
from server.accounts import queries as accounts_sql
from server.accounts import service as auth
from server.consent.service import VERSIONS

PASSWORD = "bench-morning-password"
EMPLOYER = "bench-employer@bench.clinic"
COMPANY = "Bench Manufacturing Co."

# ---- BENCH SETUP SQL (bulk rows; not the application's queries) -------------------------------
SETUP_ACCOUNTS = """
INSERT INTO users (role, name, phone, password_hash, birth_date, sex)
SELECT 'patient', e.name, e.phone, $2, date '1990-05-01', 'female'
FROM enrollments e WHERE e.employee_ref = ANY($1::text[])"""
SETUP_BIND = """
UPDATE enrollments e SET patient_id = u.id, bound_at = now() - interval '30 days'
FROM users u WHERE u.phone = e.phone AND e.employee_ref = ANY($1::text[])
RETURNING e.employee_ref, u.id AS user_id"""
SETUP_CONSENTS = """
INSERT INTO consents (user_id, purpose, version, granted, at)
SELECT u, p.purpose, p.version, true, now() - interval '30 days'
FROM unnest($1::bigint[]) AS u, unnest($2::text[], $3::text[]) AS p(purpose, version)"""
SETUP_VACUUM = "VACUUM ANALYZE users, enrollments, invitations, consents, sessions"


@dataclass
class Person:
    """One member of staff as the bench drives them."""

    ref: str
    phone: str
    kind: str  # "new" (registers from a link), "signin" (signs in), "session" (still signed in)
    invitation: str = ""
    cookie: str = ""
    csrf: str = ""


@dataclass
class Staff:
    """Everyone, by group: the peak's people and the few the solo pass measures CPU per request kind with."""

    peak: list[Person] = field(default_factory=list)
    solo: list[Person] = field(default_factory=list)
    flooded: Person | None = None  # an account the flood guesses at


def staff_csv(rows: int) -> bytes:
    """The company's staff file as Excel saves it (BOM, CRLF, Chinese headers)."""
    lines = ["工号,姓名,手机号,部门"] + [f"E{i:06d},员工 {i},138{i:08d},部门{i % 40}" for i in range(rows)]
    return "\ufeff".encode() + ("\r\n".join(lines) + "\r\n").encode()


def plan(new: int, signin: int, screenings: int, solo: int) -> Staff:
    """Who is who: `screenings` staff screen in the peak, `new` of them register first and `signin` sign in."""
    staff, i = Staff(), 0

    def person(kind: str) -> Person:
        nonlocal i
        p = Person(f"E{i:06d}", f"138{i:08d}", kind)
        i += 1
        return p

    staff.peak = ([person("new") for _ in range(new)] + [person("signin") for _ in range(signin)]
                  + [person("session") for _ in range(screenings - new - signin)])
    staff.solo = [person("new") for _ in range(solo)] + [person("signin") for _ in range(solo)]
    staff.flooded = person("signin")
    return staff


async def build(dsn: str, url: str, staff: Staff, session_ttl_hours: int = 12) -> None:
    """The employer, the imported staff file, links for the new, accounts and sessions for the others."""
    everyone = [*staff.peak, *staff.solo, staff.flooded]
    conn = await asyncpg.connect(dsn)
    try:
        org = await conn.fetchrow(accounts_sql.INSERT_ORGANISATION, COMPANY)
        await auth.create_user(conn, role="employer", name="Bench Employer", email=EMPLOYER, password=PASSWORD,
                               organisation_id=org["id"])
    finally:
        await conn.close()
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.post(url + "/api/auth/login", json={"login": EMPLOYER, "password": PASSWORD}) as response:
            csrf = (await response.json())["csrf_token"]
        form = aiohttp.FormData()
        form.add_field("file", staff_csv(len(everyone)), filename="staff.csv", content_type="text/csv")
        async with http.post(url + "/api/employer/staff/import", data=form, headers={"X-CSRF-Token": csrf}) as r:
            answer = await r.json()
            assert r.status == 200 and answer["created"] == len(everyone), (r.status, answer)
        new = {p.ref: p for p in everyone if p.kind == "new"}
        async with http.post(url + "/api/employer/staff/invitations", json={"employee_refs": list(new)},
                             headers={"X-CSRF-Token": csrf}) as r:
            issued = await r.json()
            assert r.status == 201 and len(issued) == len(new), (r.status, str(issued)[:300])
        for item in issued:
            new[item["employee_ref"]].invitation = item["url"].rsplit("/invite/", 1)[1]

    known = [p for p in everyone if p.kind != "new"]
    conn = await asyncpg.connect(dsn)
    try:
        refs = [p.ref for p in known]
        await conn.execute(SETUP_ACCOUNTS, refs, await passwords.hash_password(PASSWORD))
        user_of = {r["employee_ref"]: r["user_id"] for r in await conn.fetch(SETUP_BIND, refs)}
        purposes = ("health_data", "employer_screening")
        await conn.execute(SETUP_CONSENTS, list(user_of.values()), list(purposes), [VERSIONS[p] for p in purposes])
        still_in = [p for p in known if p.kind == "session"]
        for start in range(0, len(still_in), 1000):
            async with conn.transaction():
                for p in still_in[start:start + 1000]:
                    p.cookie, p.csrf = await auth.open_session(conn, user_of[p.ref], session_ttl_hours)
        await conn.execute(SETUP_VACUUM)
    finally:
        await conn.close()

