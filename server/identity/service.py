"""Submitting and reading identities; the full ID number is hashed at once and never stored or logged."""
from __future__ import annotations

import hashlib
import hmac

import asyncpg

from server.audit import service as audit
from server.audit.service import Actor
from server.identity import gb11643
from server.identity import queries as sql
from server.identity.verification import IdentityProvider
from server.web.errors import Conflict, NotFound, ValidationFailed


def hash_key(key_material: str) -> bytes:
    """The HMAC key for ID numbers, derived from SECRET_KEY (a stolen table cannot be matched by brute force)."""
    return hmac.new(key_material.encode(), b"identity-number-v1", hashlib.sha256).digest()


def number_hash(key: bytes, number: str) -> bytes:
    """The keyed hash stored in place of the number."""
    return hmac.new(key, number.encode(), hashlib.sha256).digest()


def checked_number(raw: str) -> str:
    """The normalised number, or 422 naming `id_number` (the number itself is never echoed)."""
    try:
        return gb11643.validate(raw)
    except gb11643.InvalidIdNumber as exc:
        messages = {"format": "An ID number has 17 digits and a check digit (0-9 or X).",
                    "birth_date": "The date of birth in this ID number is not a real date.",
                    "check_digit": "The check digit of this ID number is wrong: please check the number."}
        raise ValidationFailed(messages[exc.reason], field="id_number", code=f"id_number_{exc.reason}") from None


def view(row) -> dict:
    """An identity as its owner sees it: masked."""
    if row is None:
        return {"verified": False, "name": None, "id_number_masked": None}
    return {"verified": row["verified"], "name": row["name"], "id_number_masked": row["id_number_masked"]}


async def submit(conn: asyncpg.Connection, user, actor: Actor, *, name: str, raw_number: str, key: bytes,
                 provider: IdentityProvider, dependant_id: int | None = None) -> dict:
    """Check, verify and store a person's real name and ID number; return the masked view."""
    number = checked_number(raw_number)
    verified = bool(await provider.verify(name, number))
    query = sql.UPSERT_DEPENDANT_IDENTITY if dependant_id else sql.UPSERT_IDENTITY
    row = await conn.fetchrow(query, user["id"], dependant_id, name, number_hash(key, number), gb11643.masked(number),
                              verified, provider.name if verified else None)
    await audit.record(conn, actor, "identity.submit", "dependant" if dependant_id else "user",
                       dependant_id or user["id"], detail={"verified": verified})
    return view(row)


async def of(conn: asyncpg.Connection, user_id: int, dependant_id: int | None = None) -> dict:
    """The masked identity of an account holder or of one of their dependants."""
    return view(await conn.fetchrow(sql.IDENTITY_OF, user_id, dependant_id))


async def is_verified(conn: asyncpg.Connection, user_id: int, dependant_id: int | None = None) -> bool:
    """Whether the person's real name has been verified."""
    row = await conn.fetchrow(sql.IDENTITY_OF, user_id, dependant_id)
    return bool(row and row["verified"])


async def matches(conn: asyncpg.Connection, user_id: int, key: bytes, raw_number: str) -> bool:
    """Whether an ID number shown in person is the one the account holder gave (the lost-phone check)."""
    return bool(await conn.fetchval(sql.IDENTITY_MATCHES, user_id, number_hash(key, checked_number(raw_number))))


async def change_phone(conn: asyncpg.Connection, actor: Actor, user_id: int, phone: str, key: bytes,
                       raw_number: str) -> None:
    """The lost-phone path: at the clinic's desk, the ID number the person shows must be the one on the
    account; then the phone changes and every session of the account ends (audited, allowed or not)."""
    if not await matches(conn, user_id, key, raw_number):
        await audit.record(conn, actor, "account.phone_change", "user", user_id, allowed=False,
                           detail={"reason": "identity_mismatch"})
        raise ValidationFailed("This ID number is not the one on this account.", field="id_number",
                               code="identity_mismatch")
    async with conn.transaction():
        try:
            changed = await conn.fetchval(sql.SET_PHONE, user_id, phone)
        except asyncpg.UniqueViolationError:
            raise Conflict("Another account has this phone number.", field="phone", code="account_exists") from None
        if changed is None:
            raise NotFound("No such patient.", code="user_not_found")
        await conn.execute(sql.END_SESSIONS, user_id)
        await audit.record(conn, actor, "account.phone_change", "user", user_id)
