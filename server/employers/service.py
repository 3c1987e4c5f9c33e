"""Employers: the staff list with screening statuses, its CSV export, and the person's screenings.

What an employer may see is built from enrollment columns and the outcome columns of `screenings`
(result and dates) only: never answers, symptoms, temperatures, diagnoses, triage levels or clinic
departments. CSV import is in csv_import.py, invitation links in invitations.py, the screening rule
in screening.py.
"""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

import asyncpg

from server.audit import service as audit
from server.audit.service import Actor
from server.employers import queries as sql
from server.employers import screening
from server.triage import service as assessments
from server.web import i18n
from server.web.errors import Conflict, NotFound, ValidationFailed

SUMMARY_DAYS = 14
CLINIC_TZ = "Asia/Shanghai"  # the clinic's days (dashboard chart, CSV export) are Beijing days
STATUSES = ("pending", "cleared", "not_cleared", "expired")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def staff_view(row) -> dict:
    """One staff member as the employer sees them: who, their status and its dates, nothing medical."""
    return {"employee_ref": row["employee_ref"], "name": row["name"], "department": row["department"],
            "status": row["status"], "screened_at": _iso(row["screened_at"]), "valid_until": _iso(row["valid_until"]),
            "invited": row["invited"], "bound": row["bound"]}


async def staff_list(conn: asyncpg.Connection, organisation_id: int, status: str | None = None) -> list[dict]:
    """The organisation's staff with their screening status, optionally of one status."""
    return [staff_view(r) for r in await conn.fetch(sql.STAFF_LIST, organisation_id, status)]


STAFF_PAGE_DEFAULT, STAFF_PAGE_MAX = 200, 1000


async def staff_page(conn: asyncpg.Connection, organisation_id: int, status: str | None, after: str | None,
                     limit: int) -> tuple[list[dict], str | None]:
    """At most `limit` staff (by employee id, after `after`), optionally of one status, and the `after`
    of the next page (None on the last)."""
    rows = await conn.fetch(sql.STAFF_PAGE, organisation_id, status, after, limit + 1)
    # One row more than asked says whether a page follows.
    page = [staff_view(r) for r in rows[:limit]]
    return page, page[-1]["employee_ref"] if len(rows) > limit else None


async def staff_member(conn: asyncpg.Connection, organisation_id: int, employee_ref: str) -> dict:
    """One member of the organisation's own staff; 404 for anyone else."""
    row = await conn.fetchrow(sql.STAFF_MEMBER, organisation_id, employee_ref)
    if row is None:
        raise NotFound("No staff member of your organisation has this employee id.", code="staff_not_found",
                       field="employee_ref")
    return staff_view(row)


async def summary(conn: asyncpg.Connection, organisation_id: int) -> dict:
    """Counts per status now, and cleared / not cleared per day of the last SUMMARY_DAYS days."""
    counts = {status: 0 for status in STATUSES}
    for row in await conn.fetch(sql.STATUS_COUNTS, organisation_id):
        counts[row["status"]] = row["n"]
    days = [{"date": r["day"].isoformat(), "cleared": r["cleared"], "not_cleared": r["not_cleared"]}
            for r in await conn.fetch(sql.DAILY_COUNTS, organisation_id, CLINIC_TZ, SUMMARY_DAYS)]
    return {"counts": {**counts, "total": sum(counts.values())}, "days": days, "timezone": CLINIC_TZ}


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _spreadsheet_safe(value) -> str:
    """A cell Excel will not run as a formula (OWASP CSV injection).

    Where the list separator is ";" (German, French... Excel), Excel splits `a;=cmd|...` into two
    cells and runs the second: so every ";"-separated piece is guarded, not just the start.
    """
    text = "" if value is None else str(value)
    return ";".join("'" + piece if piece.lstrip(" ")[:1] in FORMULA_STARTS else piece for piece in text.split(";"))


def staff_csv(staff: list[dict], lang: str) -> bytes:
    """The staff list as a CSV Excel opens directly: UTF-8 with BOM, CRLF, local times, translated status."""
    t = i18n.translator(lang)
    tz = ZoneInfo(CLINIC_TZ)

    def local(iso: str | None) -> str:
        return datetime.fromisoformat(iso).astimezone(tz).strftime("%Y-%m-%d %H:%M") if iso else ""

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([t(k) for k in ("emp_employee_ref", "name", "emp_department", "emp_status",
                                    "emp_screened_at", "emp_valid_until", "emp_invited", "emp_bound")])
    yes, no = t("emp_yes"), t("emp_no")
    for s in staff:
        writer.writerow([_spreadsheet_safe(v) for v in (
            s["employee_ref"], s["name"], s["department"], t(f"emp_st_{s['status']}"), local(s["screened_at"]),
            local(s["valid_until"]), yes if s["invited"] else no, yes if s["bound"] else no)])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")


# ------------------------------------------------------------------------------------------------
# Screenings


def _age(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def screening_view(row, assessment_row, lang: str) -> dict:
    """The patient's own screening: outcome and the full triage result (never shown to the employer)."""
    can_consult = row["result"] == "not_cleared" and assessment_row["disposition"] in screening.ONLINE_DISPOSITIONS
    return {"id": str(row["id"]), "result": row["result"], "screened_at": row["screened_at"].isoformat(),
            "valid_until": _iso(row["valid_until"]), "can_consult_now": can_consult,
            "assessment": assessments.view(assessment_row, lang)}


async def record_screening(conn: asyncpg.Connection, patient, raw_answers, actor: Actor, lang: str = "en") -> dict:
    """Assess today's answers with the triage engine, store assessment and outcome; 409 without an employer link."""
    if not await conn.fetchval(sql.IS_LINKED, patient["id"]):
        raise Conflict(code="not_enrolled", text="scr_not_enrolled")
    if not isinstance(raw_answers, Mapping):
        raise ValidationFailed("answers must be an object.", field="answers")
    raw = dict(raw_answers)
    raw.setdefault("symptoms", [])
    if raw.get("temperature_c") is None:
        raise ValidationFailed(field="answers.temperature_c", code="required", text="scr_temperature_needed")
    if raw.get("age_years") is None:
        if not patient["birth_date"]:
            raise ValidationFailed(field="answers.age_years", code="required", text="scr_age_needed")
        raw["age_years"] = _age(patient["birth_date"], date.today())
    answers = assessments.parse_answers(raw)
    async with conn.transaction():
        assessment_row = await assessments.create(conn, patient["id"], raw)
        screened_at = await conn.fetchval(sql.NOW)
        outcome = screening.decide(answers, assessment_row["disposition"], screened_at)
        row = await conn.fetchrow(sql.INSERT_SCREENING, patient["id"], assessment_row["id"], outcome.result,
                                  screened_at, outcome.valid_until)
        await audit.record(conn, actor, "assessment.create", "assessment", assessment_row["id"])
        await audit.record(conn, actor, "screening.create", "screening", row["id"])
    return screening_view(row, assessment_row, lang)


async def latest_screening(conn: asyncpg.Connection, patient, actor: Actor, lang: str = "en") -> dict:
    """The patient's own latest screening; 404 when they have none."""
    row = await conn.fetchrow(sql.LATEST_SCREENING, patient["id"])
    if row is None:
        raise NotFound("You have not screened yet.", code="no_screening")
    assessment_row = await assessments.get_own(conn, row["assessment_id"], patient["id"])
    await audit.record(conn, actor, "screening.read", "screening", row["id"])
    return screening_view(row, assessment_row, lang)
