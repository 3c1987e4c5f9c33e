"""Video calls into a home: the contracted doctor or a carer of the street rings the resident's home
page; the resident answers (or, with their recorded consent, the page answers itself after an audible
countdown); the doctor's note of the call goes into the person's record (docs/HOMEWATCH.md).

A home call is not a queue consultation: it has its own table (hw_calls), no queue entry and no
consultation row, so a doctor in clinic can start or take one without claiming or pausing anything
in the queue. The media reuse the consultation call (webclient/static/js/call.js) over its own
Socket.IO events (signaling/home_calls.py): the caller offers, the home answers, a reload or a
dropped network rejoins the same call.
"""
from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
from pydantic import Field

from server.audit import service as audit
from server.audit.service import Actor
from server.homewatch import call_queries as sql
from server.homewatch import homes
from server.homewatch.queries import INSERT_TIMELINE
from server.web.errors import Conflict, Forbidden, NotFound, ValidationFailed
from server.web.validation import Body, Id

COUNTDOWN_SECONDS = 10  # the audible countdown before an auto-answered call opens the camera
RING_SECONDS = 60  # unanswered after this, the call is over (no_answer)
REJOIN_SECONDS = 120  # a member gone this long from a running call ends it (left)
CONSENT = "video_auto_answer"
SYSTEM = Actor(None, "system")  # the sweeper ending a call by itself


class NewCall(Body):
    """Ring the home; `alert_id` when the call is about one of its alerts."""

    alert_id: Id | None = None


class Answer(Body):
    """`auto`: the page answered by itself at the end of the countdown (needs the consent, checked now)."""

    auto: bool = False


class EndCall(Body):
    """Hang up (either member), or decline while it rings (the home)."""

    reason: str = Field(default="hung_up", pattern="^(hung_up|declined)$")


class Note(Body):
    """The doctor's note of the call; a correction names the note it replaces and why."""

    text: str = Field(min_length=1, max_length=20000)
    replaces_id: Id | None = None
    reason: str | None = Field(default=None, min_length=1, max_length=2000)


class ResolveByCall(Body):
    """Close the call's alert with outcome `video_call`."""

    note: str | None = Field(default=None, max_length=2000)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def role_in(call, user) -> str | None:
    """'caller' or 'home' when `user` is a member of the call, else None."""
    if user is None:
        return None
    if call["caller_id"] == user["id"]:
        return "caller"
    if call["resident_user_id"] == user["id"]:
        return "home"
    return None


def note_view(row) -> dict:
    """One note as the API shows it."""
    return {"id": str(row["id"]), "call_id": str(row["call_id"]), "text": row["text"],
            "author": {"id": str(row["author_id"]), "name": row["author_name"]},
            "written_at": row["written_at"].isoformat(),
            "replaces_id": str(row["replaces_id"]) if row["replaces_id"] else None, "reason": row["reason"],
            "current": not row.get("replaced", False)}


def view(call, role: str, notes=()) -> dict:
    """A HomeCall as one of its members (or the home's doctor, role 'doctor') sees it."""
    out = {
        "id": str(call["id"]), "home_id": str(call["home_id"]), "status": call["status"], "my_role": role,
        "caller": {"id": str(call["caller_id"]), "name": call["caller_name"], "role": call["caller_role"]},
        "resident": {"name": call["resident_name"]},
        "alert_id": str(call["alert_id"]) if call["alert_id"] else None,
        "auto_answer": call["auto_answer"], "auto_answer_at": _iso(call["auto_answer_at"]),
        "countdown_seconds": COUNTDOWN_SECONDS, "ring_seconds": RING_SECONDS,
        "answered": call["answered"], "started_at": _iso(call["started_at"]),
        "answered_at": _iso(call["answered_at"]), "ended_at": _iso(call["ended_at"]), "end_reason": call["end_reason"],
    }
    if role in ("caller", "doctor"):
        out["address"] = call["address"]
        out["community"] = call["community"]
    if role == "doctor" or (role == "caller" and call["caller_role"] == "doctor"):
        out["notes"] = [note_view(n) for n in notes]
    return out


async def expire(conn: asyncpg.Connection, home_id: int | None, user_id: int | None) -> list[asyncpg.Record]:
    """End the open calls of a home or a person that rang unanswered or lost a member for too long."""
    return await conn.fetch(sql.EXPIRE_STALE, home_id, user_id, float(RING_SECONDS), float(REJOIN_SECONDS))


async def sweep(conn: asyncpg.Connection) -> list[int]:
    """The sweeper's part (every process, every HOMEWATCH_SWEEP_SECONDS): a member whose process died
    has left (their rejoin limit starts now), then calls rung out or left too long end. Returns the
    ended calls' ids (the caller tells both pages)."""
    async with conn.transaction():
        for row in await conn.fetch(sql.FORGET_DEAD_PRESENCE):
            if row["role"] not in {r["role"] for r in await conn.fetch(sql.ROLES_PRESENT, row["call_id"])}:
                await conn.execute(sql.MEMBER_LEFT, row["call_id"], row["role"])
        ended = await conn.fetch(sql.SWEEP_STALE, float(RING_SECONDS), float(REJOIN_SECONDS))
        if ended:
            await conn.execute(sql.FORGET_PRESENCE_OF_CALLS, [r["id"] for r in ended])
        for row in ended:
            await audit.record(conn, SYSTEM, "homewatch.call.end", "hw_call", row["id"],
                               detail={"reason": row["end_reason"]})
    return [r["id"] for r in ended]


async def consent_withdrawn(conn: asyncpg.Connection, home_id: int) -> list[int]:
    """The auto-answer consent was withdrawn: a call ringing the home now waits for a tap (its
    countdown stops). Returns the calls changed, to tell their pages. In the consent's transaction."""
    return [r["id"] for r in await conn.fetch(sql.DISARM_AUTO_ANSWER, home_id)]


def member_views(call) -> list[tuple]:
    """(user id, that member's view) for both members: what `homecall:update` sends each."""
    return [(call["caller_id"], view(call, "caller")), (call["resident_user_id"], view(call, "home"))]


async def load(conn: asyncpg.Connection, call_id: int, user, actor: Actor, action: str,
               roles: tuple[str, ...] = ("caller", "home")) -> tuple[asyncpg.Record, str]:
    """The call and the caller's role in it ('caller', 'home', or 'doctor': the home's contracted
    doctor reading it); 404 for anyone else (audited either way)."""
    row = await conn.fetchrow(sql.CALL, call_id)
    role = role_in(row, user) if row is not None else None
    if row is not None and role is None and user is not None and user["role"] == "doctor" \
            and row["home_doctor_id"] == user["id"]:
        role = "doctor"
    if role is None or role not in roles:
        await audit.record(conn, actor, action, "hw_call", call_id, allowed=False)
        raise NotFound("No such call.", code="call_not_found")
    await audit.record(conn, actor, action, "hw_call", call_id)
    return row, role


async def start(conn: asyncpg.Connection, user, actor: Actor, home_id: int, alert_id: int | None) -> asyncpg.Record:
    """Ring the home: its contracted doctor, or a carer of its street who is on duty or owns an open
    alert of the home. Auto-answer is armed only while the resident's consent stands. Queue,
    consultations and the doctor's status are not touched."""
    try:
        home, relation = await homes.home_access(conn, user, home_id)
    except NotFound:
        await audit.record(conn, actor, "homewatch.call.start", "hw_home", home_id, allowed=False)
        raise
    if relation not in ("doctor", "carer"):
        await audit.record(conn, actor, "homewatch.call.start", "hw_home", home_id, allowed=False)
        raise Forbidden("Only the home's doctor or a carer on duty can call the home.", code="not_a_caller")
    if relation == "carer" and not await conn.fetchval(sql.ON_DUTY, user["id"]) \
            and not await conn.fetchval(sql.CARER_OWNS_OPEN_ALERT, home_id, user["id"]):
        await audit.record(conn, actor, "homewatch.call.start", "hw_home", home_id, allowed=False,
                           detail={"reason": "not_on_duty"})
        raise Forbidden("Start your shift (or take one of the home's alerts) to call it.", code="not_on_duty")
    if alert_id is not None and await conn.fetchrow(sql.ALERT_OF_HOME, alert_id, home_id) is None:
        raise ValidationFailed("alert_id: not an alert of this home.", field="alert_id", code="alert_not_of_home")
    if home["resident_user_id"] is None:
        raise Conflict("The resident has no home page to ring.", code="no_home_page")
    async with conn.transaction():
        await expire(conn, home_id, None)
        auto = homes.consent_given(home, CONSENT)
        call_id = await conn.fetchval(sql.INSERT_CALL, home_id, user["id"], relation, home["resident_user_id"],
                                      alert_id, auto, float(COUNTDOWN_SECONDS))
        if call_id is None:
            raise Conflict("A call with this home is already ringing or running.", code="call_in_progress")
        if alert_id is not None:
            await conn.execute(INSERT_TIMELINE, alert_id, "video_call", user["id"], {"call_id": str(call_id)})
        await audit.record(conn, actor, "homewatch.call.start", "hw_call", call_id,
                           detail={"home_id": str(home_id), "auto_answer": auto,
                                   **({"alert_id": str(alert_id)} if alert_id else {})})
    return await conn.fetchrow(sql.CALL, call_id)


async def answer(conn: asyncpg.Connection, call_id: int, user, actor: Actor, auto: bool) -> asyncpg.Record:
    """The home answers: a tap, or the page itself at the end of the countdown. An automatic answer
    needs the consent as it stands now (a withdrawal counts at once) and the countdown run out."""
    await expire(conn, None, user["id"])
    call, role = await load(conn, call_id, user, actor, "homewatch.call.answer")
    if role != "home":
        raise Forbidden("Only the home answers its call.", code="not_the_home")
    refused = False
    async with conn.transaction():
        row = await conn.fetchrow(sql.CALL_FOR_UPDATE, call_id)
        if row["status"] != "ringing":
            raise Conflict("This call is no longer ringing.", code="not_ringing")
        if auto:
            home = await conn.fetchrow(sql.HOME_CONSENT, row["home_id"])
            refused = not (row["auto_answer"] and homes.consent_given(home, CONSENT))
            if not refused and datetime.now(UTC) < row["auto_answer_at"]:
                raise Conflict("The countdown has not run out yet.", code="countdown_running")
        if not refused:
            await conn.fetchval(sql.ANSWER, call_id, "auto" if auto else "tapped")
            await audit.record(conn, actor, "homewatch.call.answer", "hw_call", call_id,
                               detail={"answered": "auto" if auto else "tapped"})
    if refused:  # the consent is checked as it stands now: a withdrawal counts at once
        await audit.record(conn, actor, "homewatch.call.auto_answer", "hw_call", call_id, allowed=False,
                           detail={"reason": "no_consent"})
        raise Forbidden("Auto-answer needs the resident's consent; tap to answer.",
                        code="consent_required", field=CONSENT, text="error.auto_answer_consent")
    return await conn.fetchrow(sql.CALL, call_id)


async def end(conn: asyncpg.Connection, call_id: int, user, actor: Actor, reason: str) -> asyncpg.Record:
    """Either member hangs up; the home declines while it rings. 409 when it is over already."""
    call, role = await load(conn, call_id, user, actor, "homewatch.call.end")
    if reason == "declined" and (role != "home" or call["status"] != "ringing"):
        raise Conflict("Only a ringing call can be declined, by the home.", code="not_ringing")
    async with conn.transaction():
        if await conn.fetchval(sql.END_CALL, call_id, reason, user["id"]) is None:
            raise Conflict("This call has ended.", code="ended", text="error.call_ended")
        await conn.execute(sql.FORGET_CALL_PRESENCE, call_id)
        await audit.record(conn, actor, f"homewatch.call.{'decline' if reason == 'declined' else 'end'}",
                           "hw_call", call_id)
    return await conn.fetchrow(sql.CALL, call_id)


async def open_calls(conn: asyncpg.Connection, user, actor: Actor) -> list[dict]:
    """The caller's or the resident's calls that ring or run (to ring again or rejoin after a reload)."""
    await expire(conn, None, user["id"])
    rows = await conn.fetch(sql.OPEN_CALLS_OF_USER, user["id"])
    await audit.record(conn, actor, "homewatch.calls.open", "hw_call", None, detail={"count": len(rows)})
    return [view(r, role_in(r, user), await _notes(conn, r, role_in(r, user))) for r in rows]


async def calls_of_home(conn: asyncpg.Connection, user, actor: Actor, home_id: int) -> list[dict]:
    """The home's recent calls: for its doctor (with the notes) and the street's carers and operator."""
    try:
        _home, relation = await homes.home_access(conn, user, home_id)
        if relation not in ("doctor", "carer", "operator"):
            raise NotFound("No such home.", code="home_not_found")
    except NotFound:
        await audit.record(conn, actor, "homewatch.calls.read", "hw_home", home_id, allowed=False)
        raise
    await expire(conn, home_id, None)
    rows = await conn.fetch(sql.CALLS_OF_HOME, home_id, 20)
    notes: dict[int, list] = {}
    if relation == "doctor":
        for n in await conn.fetch(sql.NOTES_OF_CALLS, [r["id"] for r in rows]):
            notes.setdefault(n["call_id"], []).append(n)
    await audit.record(conn, actor, "homewatch.calls.read", "hw_home", home_id, detail={"count": len(rows)})
    return [view(r, role_in(r, user) or ("doctor" if relation == "doctor" else "staff"), notes.get(r["id"], ()))
            for r in rows]


async def _notes(conn, call, role: str) -> list:
    if role == "doctor" or (role == "caller" and call["caller_role"] == "doctor"):
        return list(await conn.fetch(sql.NOTES_OF_CALL, call["id"]))
    return []


async def read(conn: asyncpg.Connection, call_id: int, user, actor: Actor) -> dict:
    """One call, for its members and the home's doctor."""
    call, role = await load(conn, call_id, user, actor, "homewatch.call.read", roles=("caller", "home", "doctor"))
    return view(call, role, await _notes(conn, call, role))


async def add_note(conn: asyncpg.Connection, call_id: int, user, actor: Actor, body: Note) -> dict:
    """The calling doctor writes the call's note (during or after it); a correction is a new note
    naming the one it replaces and why. Notes are never changed or deleted (append-only table)."""
    call, role = await load(conn, call_id, user, actor, "homewatch.call.note", roles=("caller",))
    if call["caller_role"] != "doctor":
        raise Forbidden("The note of a call is the doctor's.", code="doctor_only")
    if (body.replaces_id is None) != (body.reason is None):
        raise ValidationFailed("reason: a correction names the note it replaces and why.",
                               field="reason" if body.replaces_id else "replaces_id", code="required")
    async with conn.transaction():
        if body.replaces_id is not None:
            replaced = await conn.fetchrow(sql.NOTE, body.replaces_id)
            if replaced is None or replaced["call_id"] != call_id:
                raise ValidationFailed("replaces_id: not a note of this call.", field="replaces_id")
        note_id = await conn.fetchval(sql.INSERT_NOTE, call_id, call["resident_user_id"], user["id"],
                                      body.text.strip(), body.replaces_id, body.reason)
        if note_id is None:  # the unique index: that note was corrected already
            raise Conflict("This note has been corrected already: correct the newer one.", code="note_replaced")
        await audit.record(conn, actor, "homewatch.call.note_amended" if body.replaces_id else
                           "homewatch.call.note_written", "hw_call", call_id, detail={"note_id": str(note_id)})
    return note_view(await conn.fetchrow(sql.NOTE, note_id))


async def notes_of_patient(conn: asyncpg.Connection, patient_id: int, limit: int = 20) -> list[dict]:
    """The person's home calls with a note, newest first, each with its current notes (the record
    panel shows them beside the earlier consultations)."""
    calls = await conn.fetch(sql.HOME_CALLS_OF_PATIENT, patient_id, limit)
    notes: dict[int, list] = {}
    for n in await conn.fetch(sql.NOTES_OF_CALLS, [c["id"] for c in calls]):
        if not n["replaced"]:
            notes.setdefault(n["call_id"], []).append(note_view(n))
    return [{"id": str(c["id"]), "started_at": c["started_at"].isoformat(), "ended_at": _iso(c["ended_at"]),
             "caller": c["caller_name"], "caller_role": c["caller_role"], "notes": notes.get(c["id"], [])}
            for c in calls]


async def resolve_alert(conn: asyncpg.Connection, call_id: int, user, actor: Actor, note: str | None):
    """The caller, owning the call's alert, closes it with outcome `video_call`, linked to this call."""
    call, _role = await load(conn, call_id, user, actor, "homewatch.call.resolve_alert", roles=("caller",))
    if call["alert_id"] is None:
        raise Conflict("This call was not made about an alert.", code="no_alert")
    async with conn.transaction():
        row = await conn.fetchrow(sql.RESOLVE_ALERT, call["alert_id"], user["id"], note)
        if row is None:
            raise Conflict("Only the one who took the alert can close it.", code="not_owner")
        detail = {"outcome": "video_call", "call_id": str(call_id)}
        await conn.execute(INSERT_TIMELINE, row["id"], "outcome", user["id"], detail)
        await conn.execute(INSERT_TIMELINE, row["id"], "closed", user["id"], {})
        await audit.record(conn, actor, "homewatch.alert.resolved", "hw_alert", row["id"], detail=detail)
    return row
