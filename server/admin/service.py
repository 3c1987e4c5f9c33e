"""What the administrator manages: staff accounts (create, disable, a doctor's department, title and
licence number) and organisations; every change leaves an audit row."""
from __future__ import annotations

import asyncpg

from server.accounts import service as auth
from server.admin import queries as sql
from server.audit import service as audit
from server.audit.service import Actor
from server.web.errors import NotFound, ValidationFailed


def _staff_view(row) -> dict:
    return {"id": str(row["id"]), "role": row["role"], "name": row["name"], "email": row["email"],
            "department": row["department"], "title": row["title"], "licence_number": row["licence_number"],
            "organisation": {"id": str(row["organisation_id"]), "name": row["organisation_name"]}
            if row["organisation_id"] else None,
            "disabled": row["disabled_at"] is not None, "status": row["doctor_status"] if row["role"] == "doctor" else None}


async def staff(conn: asyncpg.Connection, role: str | None) -> list[dict]:
    """Every doctor, employer and administrator account (or those of one role)."""
    return [_staff_view(r) for r in await conn.fetch(sql.STAFF, role)]


async def organisations(conn: asyncpg.Connection) -> list[dict]:
    """Every organisation with its number of employer accounts."""
    return [{"id": str(r["id"]), "name": r["name"], "employers": r["employers"]} for r in await conn.fetch(sql.ORGANISATIONS)]


async def set_doctor_details(conn: asyncpg.Connection, user_id: int, title: str | None, licence_number: str | None,
                             department: str | None = None) -> None:
    """A doctor's title, licence number (执业证号) and department; 404 when the account is not a doctor's."""
    if await conn.fetchval(sql.SET_DOCTOR_DETAILS, user_id, title, licence_number, department) is None:
        raise NotFound("No such doctor.", code="not_found", field="id")


async def update_staff(conn: asyncpg.Connection, actor: Actor, user_id: int, changes: dict) -> bool:
    """Apply an administrator's changes to a staff account, audited; the one way to disable or enable one.

    Disabling ends the account's sessions here; it answers True then, so the caller closes its sockets
    on every process. 404 for no such staff account, 422 for disabling one's own.
    """
    role = await conn.fetchval(sql.USER_ROLE, user_id)
    if role is None or role == "patient":
        raise NotFound("No such staff account.", code="not_found", field="id")
    if changes.get("disabled") and user_id == actor.user_id:  # an admin never locks themselves out
        raise ValidationFailed("You cannot disable your own account.", field="id", code="own_account")
    async with conn.transaction():
        details = {k: changes.get(k) for k in ("title", "licence_number", "department")}
        if any(v is not None for v in details.values()):
            if role != "doctor":
                raise ValidationFailed("Only a doctor has a department, title and licence number.", field="department")
            await set_doctor_details(conn, user_id, **details)
        if changes.get("disabled") is not None:
            await conn.execute(sql.SET_DISABLED, user_id, changes["disabled"])
            if changes["disabled"]:
                await auth.end_user_sessions(conn, user_id)
        await audit.record(conn, actor, "user.update", "user", user_id,
                           detail={k: v for k, v in changes.items() if v is not None})
    return bool(changes.get("disabled"))
