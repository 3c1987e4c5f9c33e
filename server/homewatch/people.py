"""The people of a home, linked by the street operator: family accounts, the resident's own
(patient) account and the contracted doctor, each found by the phone or email they sign in with."""
from __future__ import annotations

import asyncpg

from server.accounts import service as auth
from server.homewatch import queries as sql
from server.web.errors import ValidationFailed

ROLE_WORDS = {"family": "a family account", "patient": "a resident's (patient) account", "doctor": "a doctor"}


async def _account(conn, login: str, role: str, field: str) -> asyncpg.Record:
    """The account signing in with `login`, which must have `role`; else a 422 naming the field."""
    row = await conn.fetchrow(sql.USER_OF_LOGIN, auth.login_key(login))
    if row is None:
        raise ValidationFailed(f"{field}: nobody signs in with this phone or email.", field=field,
                               code="account_not_found")
    if row["role"] != role:
        raise ValidationFailed(f"{field}: this account is not {ROLE_WORDS[role]}.", field=field,
                               code=f"not_{role}_account")
    return row


async def link(conn: asyncpg.Connection, home_id: int, body) -> asyncpg.Record:
    """Replace the home's family, resident account and doctor with those named (all or nothing)."""
    family = []
    for index, login in enumerate(body.family_logins):
        row = await _account(conn, login, "family", f"family_logins[{index}]")
        if row["id"] not in family:
            family.append(row["id"])
    resident = await _account(conn, body.resident_login, "patient", "resident_login") if body.resident_login else None
    doctor = await _account(conn, body.doctor_login, "doctor", "doctor_login") if body.doctor_login else None
    async with conn.transaction():
        await conn.execute(sql.DELETE_FAMILY, home_id)
        for user_id in family:
            await conn.execute(sql.INSERT_FAMILY, home_id, user_id)
        return await conn.fetchrow(sql.SET_HOME_PEOPLE, home_id, resident["id"] if resident else None,
                                   doctor["id"] if doctor else None)


async def people_view(conn: asyncpg.Connection, home) -> dict:
    """Who is linked to the home, for the operator: names and the logins they were linked by."""
    family = await conn.fetch(sql.FAMILY_PEOPLE, home["id"])
    others = {r["id"]: r for r in await conn.fetch(
        sql.PEOPLE_BY_IDS, [u for u in (home["resident_user_id"], home["doctor_id"]) if u])}

    def person(user_id):
        row = others.get(user_id)
        return {"id": str(row["id"]), "name": row["name"], "login": row["phone"] or row["email"]} if row else None
    return {"family": [{"id": str(r["id"]), "name": r["name"], "login": r["phone"]} for r in family],
            "resident": person(home["resident_user_id"]), "doctor": person(home["doctor_id"])}
