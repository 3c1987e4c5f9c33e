"""Duty and shifts: carers start and end their own duty, the street operator may put a carer on
or off duty and sets shifts (a carer's duty periods in a community), which the sweeper applies.

An alert still owned when its owner goes off duty (by hand, by the operator, or at the end of a
shift) is handed back: raised again and widened at once to every carer on duty in the street, so
the next shift (started first in the same sweep) takes it over, or it climbs to the duty desk.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

from server.homewatch import queries as sql
from server.web.errors import Conflict, Forbidden, NotFound, ValidationFailed

MAX_SHIFT = timedelta(hours=24)
MAX_AHEAD = timedelta(days=62)


async def set_duty(conn: asyncpg.Connection, user_id: int, on_duty: bool, by: int | None = None,
                   reason: str = "off_duty") -> list[int]:
    """Start or end someone's duty; alerts they still own at the end are handed back (their ids)."""
    async with conn.transaction():
        if await conn.fetchrow(sql.SET_DUTY, user_id, on_duty) is None:
            raise Forbidden("You are not attached to a street.", code="no_street")
        return [] if on_duty else await _hand_back(conn, user_id, by if by is not None else user_id, reason)


async def _hand_back(conn, user_id: int, by: int | None, reason: str) -> list[int]:
    handed = [r["id"] for r in await conn.fetch(sql.HAND_BACK, user_id)]
    for alert_id in handed:
        await conn.execute(sql.INSERT_TIMELINE, alert_id, "handed_back", by,
                           {"reason": reason, "from_user": str(user_id)})
    return handed


async def carer_of_street(conn, carer_id: int, street_id: int, field: str = "carer_id"):
    """The carer's staff row when they belong to the street; else 404 (another street's is not hinted at)."""
    row = await conn.fetchrow(sql.CARER_OF_STREET, carer_id, street_id)
    if row is None:
        raise NotFound("No carer of your street has this id.", field=field, code="carer_not_found")
    return row


def shift_view(row, name: str | None = None) -> dict:
    """A shift as the API shows it; `state` is planned, on (running), over or cancelled."""
    now = datetime.now(UTC)
    state = ("cancelled" if row["cancelled_at"] else "over" if row["ended_at"] or row["ends_at"] <= now
             else "on" if row["starts_at"] <= now else "planned")
    return {"id": str(row["id"]), "carer": {"id": str(row["user_id"]), "name": name}, "community": row["community"],
            "starts_at": row["starts_at"].isoformat(), "ends_at": row["ends_at"].isoformat(), "state": state}


def check_window(starts_at: datetime, ends_at: datetime) -> None:
    """A shift ends after it starts, lasts at most 24 h, is not over yet and starts within two months."""
    now = datetime.now(UTC)
    if ends_at <= starts_at:
        raise ValidationFailed("ends_at: the end must be after the start.", field="ends_at", code="shift_order")
    if ends_at - starts_at > MAX_SHIFT:
        raise ValidationFailed("ends_at: a shift lasts at most 24 hours.", field="ends_at", code="shift_too_long")
    if ends_at <= now:
        raise ValidationFailed("ends_at: this shift would be over already.", field="ends_at", code="shift_over")
    if starts_at > now + MAX_AHEAD:
        raise ValidationFailed("starts_at: at most two months ahead.", field="starts_at", code="shift_too_far")


async def create_shift(conn, street_id: int, operator_id: int, body) -> dict:
    """Plan a carer's shift (no overlap with another of theirs: 409)."""
    check_window(body.starts_at, body.ends_at)
    async with conn.transaction():
        carer = await carer_of_street(conn, body.carer_id, street_id)  # locks the carer's row: no racing overlap
        if await conn.fetchval(sql.OVERLAPPING_SHIFT, carer["user_id"], body.starts_at, body.ends_at):
            raise Conflict("starts_at: this carer has another shift at that time.", field="starts_at",
                           code="shift_overlap")
        row = await conn.fetchrow(sql.INSERT_SHIFT, street_id, carer["user_id"], body.community or carer["community"],
                                  body.starts_at, body.ends_at, operator_id)
    names = await conn.fetch(sql.NAMES, [row["user_id"]])
    return shift_view(row, names[0]["name"] if names else None)


async def cancel_shift(conn, street_id: int, shift_id: int) -> None:
    """A planned shift is cancelled; a running one ends now (the next sweep takes the carer off duty)."""
    async with conn.transaction():
        row = await conn.fetchrow(sql.SHIFT, shift_id, street_id)
        if row is None or row["cancelled_at"] or row["ended_at"]:
            raise NotFound("No such shift.", code="shift_not_found")
        await conn.execute(sql.END_SHIFT_NOW if row["started_at"] else sql.CANCEL_SHIFT, shift_id)


async def roster(conn, street_id: int, days: int) -> list[dict]:
    """The street's shifts from a day ago to `days` ahead."""
    now = datetime.now(UTC)
    rows = await conn.fetch(sql.SHIFTS_OF_STREET, street_id, now - timedelta(days=1), now + timedelta(days=days))
    return [shift_view(r, r["name"]) for r in rows]


async def apply_shifts(conn: asyncpg.Connection, limit: int = 100) -> list[int]:
    """Put carers on duty at their shifts' start and off duty at their end (handing back what they
    still own); starts first, so a back-to-back shift takes over. Returns the alerts handed back."""
    handed: list[int] = []
    async with conn.transaction():
        for shift in await conn.fetch(sql.SHIFTS_TO_START, limit):
            await conn.execute(sql.MARK_SHIFT_STARTED, shift["id"])
            await conn.execute(sql.SHIFT_ON_DUTY, shift["user_id"], shift["community"])
        for shift in await conn.fetch(sql.SHIFTS_TO_END, limit):
            await conn.execute(sql.MARK_SHIFT_ENDED, shift["id"])
            if await conn.fetchval(sql.ANOTHER_SHIFT_NOW, shift["user_id"], shift["id"]):
                continue  # the next shift of the same carer runs on
            await conn.fetchrow(sql.SET_DUTY, shift["user_id"], False)
            handed += await _hand_back(conn, shift["user_id"], None, "shift_end")
    return handed
