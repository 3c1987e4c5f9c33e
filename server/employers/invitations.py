"""Invitation links (single use, stored as a hash, optionally as QR codes) and the person's own
links to employers."""
from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

import asyncpg

from server.accounts import service as auth
from server.audit import service as audit
from server.audit.service import Actor
from server.consent import service as consent
from server.employers import queries as sql
from server.web.errors import AppError, Conflict, NotFound, ValidationFailed
from server.web.qr import qr_data_uri

INVITATION_DAYS = 14
MAX_ISSUE_PER_REQUEST = 5000
MAX_QR_PER_REQUEST = 200  # segno takes a few ms per code: larger batches are issued in chunks


class InvitationExpired(AppError):
    status, code, message = 410, "invitation_expired", "This invitation link has expired."


class InvitationUsed(Conflict):
    code, message = "invitation_used", "This invitation link has already been used."


class InvitationNotFound(NotFound):
    code, message = "invitation_not_found", "This invitation link is not valid."


async def issue_invitations(conn: asyncpg.Connection, organisation_id: int, employer_id: int,
                            employee_refs: list[str] | None, base_url: str, with_qr: bool = False) -> list[dict]:
    """Fresh single-use links for the given staff (default: all), skipping those already linked; their
    earlier unused links are revoked. At most MAX_ISSUE_PER_REQUEST per call (larger lists in batches).

    The raw token appears only in this answer; the database keeps its hash.
    """
    rows = await conn.fetch(sql.ENROLLMENTS_TO_INVITE, organisation_id, employee_refs)
    if employee_refs is not None:
        missing = sorted(set(employee_refs) - {r["employee_ref"] for r in rows})
        if missing:
            raise NotFound(code="staff_not_found", field="employee_refs", text="emp_staff_not_found",
                           params={"refs": ", ".join(missing[:20])})
    targets = [r for r in rows if r["patient_id"] is None]
    if len(targets) > MAX_ISSUE_PER_REQUEST:  # 133,013 links made a 24 MB answer: the page asks in batches
        raise ValidationFailed(field="employee_refs", code="too_many_links", text="emp_too_many_links",
                               params={"max": MAX_ISSUE_PER_REQUEST})
    if with_qr and len(targets) > MAX_QR_PER_REQUEST:
        raise ValidationFailed(field="employee_refs", code="too_many_qr", text="emp_too_many_qr",
                               params={"max": MAX_QR_PER_REQUEST})
    tokens = [secrets.token_urlsafe(32) for _ in targets]
    expires_at = datetime.now(UTC) + timedelta(days=INVITATION_DAYS)
    if targets:
        await conn.execute(sql.REVOKE_UNUSED_INVITATIONS, [r["id"] for r in targets])
        await conn.execute(sql.INSERT_INVITATIONS, [r["id"] for r in targets], [auth.token_hash(tok) for tok in tokens],
                           employer_id, expires_at)
    issued = []
    for row, token in zip(targets, tokens):
        item = {"employee_ref": row["employee_ref"], "name": row["name"], "url": f"{base_url}/invite/{token}",
                "expires_at": expires_at.isoformat()}
        if with_qr:
            item["qr"] = qr_data_uri(item["url"])
        issued.append(item)
    return issued


def _check_usable(row) -> None:
    if row is None:
        raise InvitationNotFound(text="inv_not_found")
    if row["used_at"] is not None or row["patient_id"] is not None:
        raise InvitationUsed(text="inv_used")
    if row["expires_at"] <= datetime.now(UTC) or row["revoked_at"] is not None:  # a newer link replaced it
        raise InvitationExpired(text="inv_expired")


def _plausible_token(token: str) -> bool:
    return 20 <= len(token) <= 100 and re.fullmatch(r"[A-Za-z0-9_-]+", token) is not None


async def invitation(conn: asyncpg.Connection, token: str) -> dict:
    """What the invite page shows: organisation, the invited name, phone to prefill, expiry; 404/409/410."""
    row = await conn.fetchrow(sql.INVITATION_BY_HASH, auth.token_hash(token)) if _plausible_token(token) else None
    _check_usable(row)
    return {"organisation": row["organisation"], "name": row["name"], "phone": row["phone"],
            "expires_at": row["expires_at"].isoformat()}


async def accept_invitation(conn: asyncpg.Connection, token: str, patient, actor: Actor) -> dict:
    """Bind the invited enrollment to the signed-in patient; the token is spent."""
    if not _plausible_token(token):
        _check_usable(None)
    async with conn.transaction():
        row = await conn.fetchrow(sql.INVITATION_BY_HASH_FOR_UPDATE, auth.token_hash(token))
        _check_usable(row)
        if await conn.fetchval(sql.PATIENT_LINKED_IN_ORG, row["organisation_id"], patient["id"]):
            raise Conflict(code="already_linked", text="inv_already_linked")
        await conn.execute(sql.MARK_INVITATION_USED, row["id"], patient["id"])
        bound = await conn.fetchrow(sql.BIND_ENROLLMENT, row["enrollment_id"], patient["id"])
        # Accepting is the person's explicit consent to share their screening status (withdrawable: server/consent).
        await consent.decide(conn, patient["id"], actor, "employer_screening", True)
        await audit.record(conn, actor, "enrollment.bind", "enrollment", row["enrollment_id"])
    return {"id": str(row["enrollment_id"]), "organisation": row["organisation"], "employee_ref": row["employee_ref"],
            "name": row["name"], "bound_at": bound["bound_at"].isoformat()}


async def my_employers(conn: asyncpg.Connection, patient_id: int) -> list[dict]:
    """The organisations the patient has linked their account to."""
    return [{"id": str(r["id"]), "organisation": r["organisation"], "employee_ref": r["employee_ref"],
             "name": r["name"], "department": r["department"], "bound_at": r["bound_at"].isoformat()}
            for r in await conn.fetch(sql.MY_ENROLLMENTS, patient_id)]


async def withdraw(conn: asyncpg.Connection, enrollment_id: int, patient_id: int, actor: Actor) -> None:
    """Unlink: the employer sees the person as pending again and never their results; 404 if not theirs."""
    row = await conn.fetchrow(sql.WITHDRAW_ENROLLMENT, enrollment_id, patient_id)
    if row is None:
        raise NotFound("You have no such employer link.", code="link_not_found")
    await audit.record(conn, actor, "enrollment.withdraw", "enrollment", enrollment_id)
