"""Departments (always) and the demo accounts (only when asked), idempotent and safe to run concurrently."""
from __future__ import annotations

import asyncpg

from server import triage
from server.accounts import queries as sql
from server.accounts import service as auth
from server.homewatch import seed as homewatch_seed
from server.triage import service as triage_service

DEMO_PASSWORD = "demo-password"
DEMO_ORGANISATION = "Demo Co."
DEMO_ACCOUNTS = (
    ("admin", "admin@demo.clinic", "Demo Admin", None),
    ("doctor", "doctor@demo.clinic", "Dr. Demo", "internal"),
    ("employer", "employer@demo.clinic", "Demo Employer", None),
    ("pharmacist", "pharmacist@demo.clinic", "Demo Pharmacist", None),
)
# Licence numbers and titles of the demo clinicians (real-name rules: a prescription names both).
DEMO_LICENCES = {"doctor@demo.clinic": ("DEMO-110440100000001", "主治医师"),
                 "pharmacist@demo.clinic": ("DEMO-YS-440100-0001", "主管药师")}
# Any constant: the same in every process, distinct from the migration lock.
SEED_LOCK_ID = 7_341_003


async def seed_departments(conn: asyncpg.Connection) -> None:
    """Make sure every department the triage engine routes to exists."""
    for code, names in triage.DEPARTMENTS.items():
        await conn.execute(sql.UPSERT_DEPARTMENT, code, names["zh"], names["en"])


async def seed_demo(conn: asyncpg.Connection) -> list[tuple[str, str]]:
    """Create the demo organisation and accounts unless they exist; return (role, login) pairs."""
    await conn.execute("SELECT pg_advisory_lock($1)", SEED_LOCK_ID)
    try:
        await conn.execute(sql.INSERT_ORGANISATION, DEMO_ORGANISATION)
        org = await conn.fetchrow(sql.ORGANISATION_BY_NAME, DEMO_ORGANISATION)
        for role, email, name, department in DEMO_ACCOUNTS:
            if await conn.fetchval(sql.LOGIN_TAKEN, email, None):
                continue
            user = await auth.create_user(conn, role=role, name=name, email=email, password=DEMO_PASSWORD,
                                          department=department,
                                          organisation_id=org["id"] if role == "employer" else None)
            if email in DEMO_LICENCES:
                await conn.execute(sql.SET_PROFESSIONAL, user["id"], *DEMO_LICENCES[email])
        # Demo only: the demo admin stands in for the clinical lead, so the demo serves the newest rules.
        admin_id = await conn.fetchval("SELECT id FROM users WHERE email = $1", DEMO_ACCOUNTS[0][1])
        await triage_service.sign_off(conn, triage.QUESTIONNAIRE_VERSION,
                                      triage.PUBLISHED[triage.QUESTIONNAIRE_VERSION], admin_id,
                                      "demo sign-off (not a clinical approval)")
        await homewatch_seed.seed_demo(conn, DEMO_PASSWORD)
    finally:
        await conn.execute("SELECT pg_advisory_unlock($1)", SEED_LOCK_ID)
    return [(role, email) for role, email, _, _ in DEMO_ACCOUNTS]
