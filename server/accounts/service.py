"""Accounts, password sign-in, server-side sessions, roles and CSRF tokens."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date

import asyncpg

from server.accounts import queries as sql
from server.accounts import totp
from server.accounts.passwords import hash_password, verify_password
from server.web.errors import Conflict, Forbidden, NotSignedIn, ValidationFailed

SESSION_COOKIE = "clinic_session"
# Mainland China mobile numbers (11 digits starting with 1), optionally with +86.
PHONE_RE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
MIN_PASSWORD = 8


def normalise_phone(phone: str) -> str:
    """Strip spaces, dashes and the +86 prefix; the stored form is the bare 11 digits."""
    digits = re.sub(r"[\s-]", "", phone or "")
    if not PHONE_RE.match(digits):
        raise ValidationFailed("Enter an 11-digit mobile number.", field="phone", code="invalid_phone")
    return digits[-11:]


def public_user(row) -> dict:
    """The user as API.md shows it: id (string), role, name, and the role's own attributes."""
    user = {"id": str(row["id"]), "role": row["role"], "name": row["name"]}
    if row["role"] == "doctor":
        user["department"] = row["department"]
        user["status"] = row["doctor_status"]
        user["auto_assign"] = row["auto_assign"]
    if row["role"] == "employer":
        user["organisation_id"] = str(row["organisation_id"])
    if row["role"] in ("doctor", "pharmacist"):  # real-name rules: a clinician is named with licence and title
        user["licence_number"] = row["licence_number"]
        user["title"] = row["title"]
    return user


def token_hash(token: str) -> bytes:
    """What is stored of a secret token (a session cookie, an invitation link): its sha256."""
    return hashlib.sha256(token.encode()).digest()


def check_password_rules(password: str) -> None:
    """Reject passwords too short to be safe."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise ValidationFailed(f"The password needs at least {MIN_PASSWORD} characters.", field="password",
                               code="password_too_short")
    if len(password) > 256:
        raise ValidationFailed("The password is too long.", field="password", code="password_too_long")


async def new_password_hash(password: str) -> str:
    """Check the password rules and hash it; call it before taking a database connection (argon2 is slow)."""
    check_password_rules(password)
    return await hash_password(password)


async def create_user(conn: asyncpg.Connection, *, role: str, name: str, password: str | None = None,
                      password_hash: str | None = None, email: str | None = None, phone: str | None = None,
                      birth_date: date | None = None, sex: str | None = None, department: str | None = None,
                      organisation_id: int | None = None):
    """Create an account from a password or (on request paths) a hash made beforehand; 409 when the email or phone is taken."""
    if password_hash is None:
        password_hash = await new_password_hash(password)
    email = email.lower() if email else None
    if await conn.fetchval(sql.LOGIN_TAKEN, email, phone):
        raise Conflict("An account with this email or phone number already exists.",
                       field="email" if email else "phone", code="account_exists")
    try:
        return await conn.fetchrow(sql.INSERT_USER, role, name, email, phone, password_hash, birth_date, sex,
                                   department, organisation_id)
    except asyncpg.UniqueViolationError:  # a concurrent registration won the race
        raise Conflict("An account with this email or phone number already exists.",
                       field="email" if email else "phone", code="account_exists") from None


async def login_taken(pool: asyncpg.Pool, *, email: str | None = None, phone: str | None = None) -> bool:
    """Whether an account already uses this email or phone (checked before spending a hash on a new one)."""
    async with pool.acquire() as conn:
        return bool(await conn.fetchval(sql.LOGIN_TAKEN, email.lower() if email else None, phone))


async def create_staff(conn: asyncpg.Connection, *, role: str, name: str, email: str, password_hash: str,
                       department: str | None, organisation_id: int | None) -> asyncpg.Record:
    """An account an admin creates: a doctor needs an existing department, an employer an existing organisation."""
    if role == "doctor":
        if not department or not await conn.fetchval(sql.DEPARTMENT_EXISTS, department):
            raise ValidationFailed("A doctor needs an existing department.", field="department")
    if role == "employer":
        if organisation_id is None or not await conn.fetchval(sql.ORGANISATION_EXISTS, organisation_id):
            raise ValidationFailed("An employer needs an existing organisation.", field="organisation_id")
    return await create_user(conn, role=role, name=name, email=email, password_hash=password_hash,
                             department=department if role == "doctor" else None,
                             organisation_id=organisation_id if role == "employer" else None)


async def set_professional(conn: asyncpg.Connection, user_id: int, licence_number: str | None,
                           title: str | None) -> asyncpg.Record:
    """A doctor's or pharmacist's licence number and title (real-name rules: a prescription names both)."""
    return await conn.fetchrow(sql.SET_PROFESSIONAL, user_id, licence_number, title)


async def create_organisation(conn: asyncpg.Connection, name: str) -> asyncpg.Record:
    """A new organisation (an employer); 409 when the name is taken."""
    row = await conn.fetchrow(sql.INSERT_ORGANISATION, name)
    if row is None:
        raise Conflict("An organisation with this name exists.", field="name", code="organisation_exists")
    return row


def login_key(login: str) -> str:
    """The login as stored: a phone's bare 11 digits, an email as typed (emails compare case-blind in SQL)."""
    login = (login or "").strip()
    if PHONE_RE.match(re.sub(r"[\s-]", "", login)):
        login = normalise_phone(login)
    return login


async def authenticate(pool: asyncpg.Pool, login: str, password: str):
    """The user whose phone or email and password match, or None.

    The connection is held only for the lookup, never while argon2 runs.
    """
    login = login_key(login)
    async with pool.acquire() as conn:
        row = await conn.fetchrow(sql.USER_BY_LOGIN, login)
    ok = await verify_password(row["password_hash"] if row else None, password or "")
    return row if ok else None


async def open_session(conn: asyncpg.Connection, user_id: int, ttl_hours: int) -> tuple[str, str]:
    """Create a session; return (cookie value, csrf token). Only a hash of the cookie is stored."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    await conn.execute(sql.INSERT_SESSION, token_hash(token), user_id, csrf, ttl_hours)
    return token, csrf


async def session_user(conn: asyncpg.Connection, token: str | None, doctor_idle_minutes: int = 0):
    """The (user row with csrf_token) of a live session cookie, or None; a doctor's session ends after
    `doctor_idle_minutes` without a request (0: never). A doctor's use is recorded at most once a minute."""
    if not token or len(token) > 200:
        return None
    key = token_hash(token)
    row = await conn.fetchrow(sql.SESSION_USER, key, doctor_idle_minutes)
    if row is not None and row["stale"]:
        await conn.execute(sql.TOUCH_SESSION, key)
    return row


async def end_user_sessions(conn: asyncpg.Connection, user_id: int, keep_token: str | None = None) -> None:
    """Delete every session of a user (but `keep_token`'s): their sockets are closed by the caller's event."""
    await conn.execute(sql.DELETE_USER_SESSIONS, user_id, token_hash(keep_token) if keep_token else None)


async def change_password(pool: asyncpg.Pool, user_id: int, current: str, new: str) -> None:
    """Check the current password, store the new one's hash; 401 when the current one is wrong.

    Neither hash runs while a connection is held; the caller ends the other sessions.
    """
    async with pool.acquire() as conn:
        stored = await conn.fetchval(sql.PASSWORD_HASH, user_id)
    if not await verify_password(stored, current or ""):
        raise NotSignedIn("The current password is wrong.", code="bad_credentials", field="current_password")
    new_hash = await new_password_hash(new)
    async with pool.acquire() as conn:
        await conn.execute(sql.SET_PASSWORD_HASH, user_id, new_hash)


async def close_session(conn: asyncpg.Connection, token: str | None) -> None:
    """Forget the session (sign out)."""
    if token:
        await conn.execute(sql.DELETE_SESSION, token_hash(token))


async def forget_expired_sessions(conn: asyncpg.Connection) -> None:
    """Delete sessions past their expiry (they no longer sign anyone in; this keeps the table small)."""
    await conn.execute(sql.DELETE_EXPIRED_SESSIONS)


def require_role(user, *roles: str):
    """Raise 401 without a user, 403 when the user's role is not one of `roles`; return the user."""
    if user is None:
        raise NotSignedIn()
    if roles and user["role"] not in roles:
        raise Forbidden()
    return user


# An admin's TOTP secret is stored with this prefix until a first code confirms it (totp.py).
PENDING_TOTP = "pending:"


def totp_enrolment_required(user, required: bool) -> bool:
    """Whether this signed-in user is an admin who must enrol TOTP first (ADMIN_TOTP_REQUIRED) and has not."""
    return required and user["role"] == "admin" and not user["totp_enrolled"]


def check_second_factor(user, code: str | None) -> None:
    """An account enrolled in TOTP signs in only with a current code: 401 `totp_required` / `bad_totp`."""
    secret = user["totp_secret"]
    if not secret or secret.startswith(PENDING_TOTP):
        return
    if not code:
        raise NotSignedIn("Enter the 6-digit code from your authenticator app.", code="totp_required", field="totp")
    if not totp.verify(secret, code):
        raise NotSignedIn("The code is wrong or has expired.", code="bad_totp", field="totp")


async def start_totp(conn: asyncpg.Connection, user_id: int) -> str:
    """A new secret for the user, pending until confirmed (an unconfirmed one never blocks sign-in)."""
    secret = totp.new_secret()
    await conn.execute(sql.SET_TOTP_SECRET, user_id, PENDING_TOTP + secret)
    return secret


async def confirm_totp(conn: asyncpg.Connection, user_id: int, code: str) -> None:
    """Activate the pending secret with a first code; 422 naming `code` when it is wrong."""
    stored = await conn.fetchval(sql.TOTP_SECRET, user_id)
    if not stored or not stored.startswith(PENDING_TOTP) or not totp.verify(stored[len(PENDING_TOTP):], code):
        raise ValidationFailed("The code is wrong or has expired.", field="code", code="bad_totp")
    await conn.execute(sql.SET_TOTP_SECRET, user_id, stored[len(PENDING_TOTP):])
