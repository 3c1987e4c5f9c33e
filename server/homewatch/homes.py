"""Homes, their devices and the street's staff: who may see a home, how it is shown, enrolment,
device rows and their secrets (the HTTP token's hash; the broker password is kept by the broker)."""
from __future__ import annotations

import hmac
import secrets
from datetime import UTC, datetime

import asyncpg

from server.accounts import service as auth
from server.homewatch import queries as sql
from server.homewatch import rules
from server.web.errors import Forbidden, NotFound, ValidationFailed

# --- homes, devices, staff ---------------------------------------------------------------------

async def make_operator(conn: asyncpg.Connection, user_id: int, street_id: int | None) -> None:
    """Attach a new street operator account to its street (POST /api/admin/users with `street_id`)."""
    if street_id is None or not await conn.fetchval(sql.STREET_EXISTS, street_id):
        raise ValidationFailed("A street operator needs an existing street.", field="street_id")
    await conn.execute(sql.INSERT_STAFF, user_id, street_id, None)


async def staff_of(conn, user) -> asyncpg.Record:
    """The street (and community) of an operator or carer, or 403."""
    row = await conn.fetchrow(sql.STAFF, user["id"])
    if row is None:
        raise Forbidden("You are not attached to a street.", code="no_street")
    return row


async def home_access(conn, user, home_id: int) -> tuple[asyncpg.Record, str]:
    """(the home, how the user relates to it: operator/carer/family/doctor/resident), or 404."""
    home = await conn.fetchrow(sql.HOME, home_id)
    if home is None or user is None:
        raise NotFound("No such home.", code="home_not_found")
    role = user["role"]
    if role in ("street_operator", "carer"):
        staff = await conn.fetchrow(sql.STAFF, user["id"])
        if staff is not None and staff["street_id"] == home["street_id"]:
            return home, "operator" if role == "street_operator" else "carer"
    elif role == "family" and await conn.fetchval(sql.IS_FAMILY, home_id, user["id"]):
        return home, "family"
    elif role == "doctor" and home["doctor_id"] == user["id"]:
        return home, "doctor"
    elif role == "patient" and home["resident_user_id"] == user["id"]:
        return home, "resident"
    raise NotFound("No such home.", code="home_not_found")


def consent_given(home, purpose: str) -> bool:
    """Whether the resident's recorded consent for `purpose` stands."""
    entry = (home["consent"] or {}).get(purpose) or {}
    return bool(entry.get("granted"))


def home_view(home, relation: str, devices=()) -> dict:
    """A home as its viewer may see it: carers, the operator and the doctor see what a visit needs
    (key-safe code, conditions, medicines, contacts); family and the resident see less."""
    consent = home["consent"] or {}
    view = {"id": str(home["id"]), "community": home["community"], "address": home["address"],
            "resident": {"name": home["resident_name"]}, "away": home["away"],
            "consent": {k: bool((v or {}).get("granted")) for k, v in consent.items()},
            "doctor_id": str(home["doctor_id"]) if home["doctor_id"] else None}
    if relation in ("operator", "carer", "doctor"):
        view.update(key_safe_code=home["key_safe_code"], conditions=home["conditions"],
                    medicines=home["medicines"],
                    contacts=home["contacts"],
                    rules=rules.rules_of(home["rules"]))
    if relation == "operator":
        view["devices"] = [{"id": str(d["id"]), "kind": d["kind"], "room": d["room"],
                            "last_seen_at": d["last_seen_at"].isoformat() if d["last_seen_at"] else None,
                            "battery_pct": d["battery_pct"], "clock_suspect": d["clock_suspect"]} for d in devices]
    return view


async def create_home(conn, street_id: int, body) -> asyncpg.Record:
    """Enrol a home and its resident; consent as recorded now."""
    now = datetime.now(UTC).isoformat()
    consent = {k: {"granted": bool(v), "at": now} for k, v in (body.consent.model_dump(exclude_unset=True) if body.consent else {}).items()}
    async with conn.transaction():
        home = await conn.fetchrow(sql.INSERT_HOME, street_id, body.community, body.address, body.resident.name,
                                   body.resident.birth_date, body.resident_user_id, body.doctor_id,
                                   body.key_safe_code, body.conditions, body.medicines,
                                   [c.model_dump() for c in body.contacts], consent, {})
        for family_id in body.family_ids:
            await conn.execute(sql.INSERT_FAMILY, home["id"], family_id)
    return home


async def add_device(conn, home_id: int, kind: str, room: str | None) -> asyncpg.Record:
    """A new device row (its broker account is created by the caller)."""
    return await conn.fetchrow(sql.INSERT_DEVICE, home_id, kind, room)


def device_password() -> str:
    """A fresh broker password for a device: shown once, stored only by the broker (hashed)."""
    return secrets.token_urlsafe(18)



# --- device tokens (HTTP ingestion) ------------------------------------------------------------

def new_device_token() -> tuple[str, bytes]:
    """A fresh HTTP bearer token for a device and what is stored of it (its hash, like a session's)."""
    token = secrets.token_urlsafe(32)
    return token, auth.token_hash(token)


def token_matches(device, token: str) -> bool:
    """Whether `token` is the device's current token."""
    stored = device["token_hash"]
    return bool(stored) and hmac.compare_digest(bytes(stored), auth.token_hash(token or ""))
