"""Adding and reading dependants, and whose a dependant is."""
from __future__ import annotations

from datetime import date

import asyncpg

from server.audit import service as audit
from server.audit.service import Actor
from server.dependants import queries as sql
from server.identity import service as identity
from server.web.errors import Conflict, NotFound, ValidationFailed

MAX_DEPENDANTS = 20


def age_years(born: date, today: date | None = None) -> int:
    """Whole years of age on `today`."""
    today = today or date.today()
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def view(row, identity_view: dict | None = None) -> dict:
    """A dependant as the account holder sees it."""
    out = {"id": str(row["id"]), "name": row["name"], "birth_date": row["birth_date"].isoformat(),
           "sex": row["sex"], "relation": row["relation"], "age_years": age_years(row["birth_date"])}
    if identity_view is not None:
        out["identity"] = identity_view
    return out


async def add(conn: asyncpg.Connection, account, actor: Actor, *, name: str, birth_date: date, sex: str,
              relation: str) -> dict:
    """Add a dependant to the account."""
    if not date(1900, 1, 1) <= birth_date <= date.today():
        raise ValidationFailed("The date of birth is not plausible.", field="birth_date")
    async with conn.transaction():
        if await conn.fetchval(sql.COUNT_OF, account["id"]) >= MAX_DEPENDANTS:
            raise Conflict(f"An account holds at most {MAX_DEPENDANTS} dependants.", code="too_many_dependants")
        row = await conn.fetchrow(sql.INSERT_DEPENDANT, account["id"], name, birth_date, sex, relation)
        await audit.record(conn, actor, "dependant.create", "dependant", row["id"])
    return view(row, await identity.of(conn, account["id"], row["id"]))


async def of_account(conn: asyncpg.Connection, account_id: int) -> list[dict]:
    """The account's dependants with their masked identities."""
    return [view(r, await identity.of(conn, account_id, r["id"])) for r in await conn.fetch(sql.DEPENDANTS_OF, account_id)]


async def own(conn: asyncpg.Connection, account_id: int, dependant_id: int, field: str = "for_dependant_id"):
    """The dependant if it belongs to the account; 404 otherwise, the field named (someone else's
    dependant is not even confirmed to exist)."""
    row = await conn.fetchrow(sql.DEPENDANT, dependant_id)
    if row is None or row["account_id"] != account_id:
        raise NotFound("No such person on your account.", code="dependant_not_found", field=field)
    return row


async def get(conn: asyncpg.Connection, dependant_id: int | None):
    """The dependant row, or None."""
    return await conn.fetchrow(sql.DEPENDANT, dependant_id) if dependant_id else None


async def requested(request, conn: asyncpg.Connection, account_id: int) -> int | None:
    """The `for_dependant_id` of a JSON body, checked to be one of the account's dependants (None: the holder)."""
    from server.web.validation import parse_id, read_json  # web helpers import the domain services, not back

    raw = (await read_json(request)).get("for_dependant_id")
    if raw is None:
        return None
    try:
        dependant_id = parse_id(raw)
    except ValueError:
        raise ValidationFailed("for_dependant_id must be an id.", field="for_dependant_id") from None
    await own(conn, account_id, dependant_id)
    return dependant_id


async def check_same(conn: asyncpg.Connection, account_id: int, requested_id: int | None,
                     assessment_dependant_id: int | None) -> None:
    """A queue entry is for the person its assessment was for (left out: as the assessment says); one that
    differs is a 422."""
    if requested_id is None:
        return
    await own(conn, account_id, requested_id)
    if requested_id != assessment_dependant_id:
        raise ValidationFailed("for_dependant_id: the assessment was made for someone else; answer the questionnaire "
                               "for this person first.", field="for_dependant_id", code="assessment_of_someone_else")
