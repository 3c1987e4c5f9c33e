"""A way back in: one-time codes sent by SMS for signing in and for resetting a password.

A code is 6 digits, valid 5 minutes, single-use; only its keyed hash is stored. Per phone: one
code a minute and five an hour; five wrong codes lock codes for that phone for 15 minutes. The
answer to a request never tells whether the phone has an account (a code is only sent if it has).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets

import asyncpg

from server.accounts import queries as sql
from server.outbox import service as outbox
from server.web.errors import AppError, NotSignedIn

CODE_TTL_SECONDS = 5 * 60
MAX_WRONG_CODES = 5
LOCK_SECONDS = 15 * 60
CODES_PER_MINUTE = 1
CODES_PER_HOUR = 5


class TooManyCodes(AppError):
    """429: codes for this phone are rate-limited or locked."""

    status, code, message = 429, "too_many_codes", "Too many codes for this phone number: please wait and try again."
    retry_after = 60


class WrongCode(NotSignedIn):
    """401: the code is wrong, used or expired (which of them is not said)."""

    code, message = "bad_code", "The code is wrong or has expired: ask for a new one."


def code_hash(key_material: str, phone: str, code: str) -> bytes:
    """The stored form of a code: keyed, so the table alone cannot be searched through all 10^6 codes."""
    return hmac.new(key_material.encode(), f"phone-code:{phone}:{code}".encode(), hashlib.sha256).digest()


def sms_text(code: str) -> str:
    """The SMS: the code and how long it lasts, nothing else."""
    return f"【云诊室】验证码 {code}，5分钟内有效，请勿告诉他人。Cloud clinic code {code}, valid 5 minutes."


async def request_code(conn: asyncpg.Connection, key_material: str, phone: str) -> bool:
    """Queue a code for the phone's account (in the caller's transaction); False when no account has it."""
    if await conn.fetchval(sql.LOCKED_UNTIL, phone):
        raise TooManyCodes(field="phone", code="codes_locked")
    if (await conn.fetchval(sql.CODES_SENT_SINCE, phone, 60) >= CODES_PER_MINUTE
            or await conn.fetchval(sql.CODES_SENT_SINCE, phone, 3600) >= CODES_PER_HOUR):
        raise TooManyCodes(field="phone")
    if await conn.fetchrow(sql.USER_BY_PHONE, phone) is None:
        return False
    code = f"{secrets.randbelow(1_000_000):06d}"
    await conn.execute(sql.INSERT_PHONE_CODE, phone, code_hash(key_material, phone, code), CODE_TTL_SECONDS)
    await outbox.queue(conn, "sms", phone, sms_text(code), sms_text("******"))
    return True


async def spend_code(conn: asyncpg.Connection, key_material: str, phone: str, code: str):
    """The account of the phone when `code` is its live code (now spent); else WrongCode or TooManyCodes.

    One phone's attempts are serialised on its failure row, so parallel guesses cannot pass the limit.
    """
    wrong = locked = False
    user = None
    async with conn.transaction():
        await conn.execute(sql.ENSURE_FAILURE_ROW, phone)
        state = await conn.fetchrow(sql.FAILURES_FOR_UPDATE, phone)
        if state["locked_until"] is not None and await conn.fetchval(sql.LOCKED_UNTIL, phone):
            locked = True
        elif not (code.isascii() and code.isdigit() and len(code) == 6) or \
                await conn.fetchval(sql.SPEND_PHONE_CODE, phone, code_hash(key_material, phone, code)) is None:
            wrong = True
            await conn.execute(sql.RECORD_FAILURE, phone, LOCK_SECONDS, MAX_WRONG_CODES)
        else:
            await conn.execute(sql.CLEAR_FAILURES, phone)
            user = await conn.fetchrow(sql.USER_BY_PHONE, phone)
    if locked:
        raise TooManyCodes("Too many wrong codes: codes for this phone are locked for 15 minutes.", field="code",
                           code="codes_locked")
    if wrong or user is None:
        raise WrongCode(field="code")
    return user


async def reset_password(conn: asyncpg.Connection, user_id: int, password_hash: str) -> None:
    """Set the new password and end every session of the account."""
    async with conn.transaction():
        await conn.execute(sql.SET_PASSWORD, user_id, password_hash)
        await conn.execute(sql.END_SESSIONS_OF, user_id)
