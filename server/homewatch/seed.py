"""Home watch demo data (`--demo`): one street, one community, three homes with devices, and a
street operator, a carer, a family member and a resident who can sign in (printed at start-up)."""
from __future__ import annotations

import asyncpg

from server.accounts import service as auth
from server.homewatch import queries as sql

DEMO_STREET = "示范街道 Demo Street"
DEMO_COMMUNITY = "花园社区 Garden"
# (role, phone, name): the password is the demo password of server/seed.py.
DEMO_LOGINS = (
    ("street_operator", "13900000101", "Demo Operator 王"),
    ("carer", "13900000102", "Demo Carer 张"),
    ("family", "13900000103", "Demo Family 李"),
    ("patient", "13900000104", "李奶奶 Grandma Li"),
)
DEMO_HOMES = (
    ("花园路1号302 / 1 Garden Rd, flat 302", "李奶奶 Grandma Li", "1940-03-02", "Hypertension", "Amlodipine 5 mg"),
    ("花园路3号101 / 3 Garden Rd, flat 101", "王爷爷 Grandpa Wang", "1936-11-20", "Type 2 diabetes", "Metformin"),
    ("花园路5号204 / 5 Garden Rd, flat 204", "赵奶奶 Grandma Zhao", "1945-07-08", None, None),
)


async def seed_demo(conn: asyncpg.Connection, password: str) -> None:
    """Create the demo street unless it exists (the caller holds the seed lock)."""
    if await conn.fetchrow(sql.STREET_BY_NAME, DEMO_STREET):
        return
    from datetime import date
    street = await conn.fetchrow(sql.INSERT_STREET, DEMO_STREET)
    users = {}
    for role, phone, name in DEMO_LOGINS:
        row = await conn.fetchrow(sql.USER_BY_PHONE, phone)
        if row is None:
            row = await auth.create_user(conn, role=role, name=name, phone=phone, password=password,
                                         birth_date=date(1940, 3, 2) if role == "patient" else None,
                                         sex="female" if role == "patient" else None)
        users[role] = row["id"]
        if role in ("street_operator", "carer"):
            await conn.execute(sql.INSERT_STAFF, row["id"], street["id"],
                               DEMO_COMMUNITY if role == "carer" else None)
    doctor = await conn.fetchval(sql.USER_BY_EMAIL, "doctor@demo.clinic")
    for index, (address, resident, born, conditions, medicines) in enumerate(DEMO_HOMES):
        home = await conn.fetchrow(
            sql.INSERT_HOME, street["id"], DEMO_COMMUNITY, address, resident, date.fromisoformat(born),
            users["patient"] if index == 0 else None, doctor, f"{1000 + index * 37}", conditions, medicines,
            [{"name": "Li Wei", "phone": "13800000000", "relation": "son"}],
            {"family_daily_summary": {"granted": True, "at": "2026-01-01T00:00:00+00:00"}}, {})
        if index == 0:
            await conn.execute(sql.INSERT_FAMILY, home["id"], users["family"])
        for kind, room in (("presence", "bedroom"), ("presence", "living_room"), ("presence", "bathroom"),
                           ("button", None)):
            await conn.execute(sql.INSERT_DEVICE, home["id"], kind, room)
