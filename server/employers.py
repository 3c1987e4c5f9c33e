"""Employers: staff lists from CSV files, invitation links, the person's own links, and screenings.

What an employer may see is built from enrollment columns and the outcome columns of `screenings`
(result and dates) only: never answers, symptoms, temperatures, diagnoses, triage levels or clinic
departments. The CSV functions at the top are pure; the rest take a connection.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import asyncpg
import segno

from db.queries import employers as sql
from server import assessments, audit, auth, i18n, screening
from server.audit import Actor
from server.errors import AppError, Conflict, NotFound, ValidationFailed

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
INVITATION_DAYS = 14
SUMMARY_DAYS = 14
CLINIC_TZ = "Asia/Shanghai"  # the clinic's days (dashboard chart, CSV export) are Beijing days
MAX_QR_PER_REQUEST = 200  # segno takes a few ms per code: larger batches are issued in chunks
STATUSES = ("pending", "cleared", "not_cleared", "expired")

FIELDS = ("employee_ref", "name", "phone", "email", "department")  # = sql.IMPORT_COLUMNS
REQUIRED = ("employee_ref", "name", "phone")
MAX_LENGTH = {"employee_ref": 64, "name": 100, "phone": 30, "email": 200, "department": 100}
# Header spellings seen in Excel exports, compared after _header_key (NFKC, lower case, separators
# collapsed to one space), so 'Employee_ID', 'employee-id' and 'ＥＭＰＬＯＹＥＥ ＩＤ' all match.
HEADER_ALIASES: dict[str, str] = {}
for _field, _names in {
    "employee_ref": ("employee ref", "employee id", "employee no", "employee number", "staff id", "staff no",
                     "工号", "员工编号", "员工号", "员工工号", "职工号", "职工编号", "人员编号"),
    "name": ("name", "full name", "employee name", "姓名", "名字", "员工姓名"),
    "phone": ("phone", "mobile", "mobile phone", "phone number", "mobile number", "cell", "cellphone", "tel",
              "手机", "手机号", "手机号码", "电话", "联系电话", "移动电话"),
    "email": ("email", "e mail", "email address", "mail", "邮箱", "电子邮箱", "邮件", "电子邮件"),
    "department": ("department", "dept", "部门", "所属部门"),
}.items():
    HEADER_ALIASES.update({name: _field for name in _names})

ALLOWED_UPLOAD_TYPES = frozenset({
    "", "text/csv", "text/plain", "application/csv", "text/x-csv", "application/x-csv",
    "text/comma-separated-values", "application/octet-stream",
    "application/vnd.ms-excel",  # what Windows browsers declare for any .csv when Excel is installed
})
# Signatures of spreadsheet workbooks people upload instead of "Save As CSV".
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"


# ------------------------------------------------------------------------------------------------
# CSV parsing (pure)


class InvitationExpired(AppError):
    status, code, message = 410, "invitation_expired", "This invitation link has expired."


class InvitationUsed(Conflict):
    code, message = "invitation_used", "This invitation link has already been used."


class InvitationNotFound(NotFound):
    code, message = "invitation_not_found", "This invitation link is not valid."


@dataclass
class ParsedStaff:
    """The good rows of a staff file (tuples in FIELDS order) and every problem found."""

    rows: list[tuple] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


def _file_error(message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, field="file", code=code)


def decode_upload(raw: bytes, lang: str = "en") -> str:
    """The text of an uploaded CSV: UTF-8 (BOM or not), UTF-16 with BOM, or GBK; 422 on binary content.

    Hand-written rather than a file-type library: a CSV is text, so the question is only "is this
    text, in which encoding"; the one binary case worth its own message is an Excel workbook.
    """
    t = i18n.translator(lang)
    if not raw.strip():
        raise _file_error(t("emp_file_empty"), "file_empty")
    if raw.startswith(_WORKBOOK_MAGIC):
        raise _file_error(t("emp_file_excel"), "file_is_workbook")
    candidates: tuple[str, ...]
    if raw.startswith(codecs.BOM_UTF8):
        raw, candidates = raw[len(codecs.BOM_UTF8):], ("utf-8",)
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)  # Excel's "Unicode text" export
    elif b"\x00" in raw[:65536]:
        raise _file_error(t("emp_file_binary"), "file_not_text")
    else:
        candidates = ("utf-8", "gb18030")  # GB18030 is the superset of GBK that Chinese Excel writes
    for encoding in candidates:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text[:65536]):
            raise _file_error(t("emp_file_binary"), "file_not_text")
        return text
    raise _file_error(t("emp_file_encoding"), "file_encoding")


def _header_key(cell: str) -> str:
    text = unicodedata.normalize("NFKC", cell).strip(" \t" + _INVISIBLE).lower()
    return re.sub(r"[\s_\-./]+", " ", text).strip()


def _clean(cell: str) -> str:
    # Excel pads cells with spaces, full-width spaces and zero-width characters.
    return cell.strip(" \t\r\n\u3000\u00a0" + _INVISIBLE)


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


def map_header(header: list[str], lang: str = "en") -> dict[str, int]:
    """Column index of each known field; 422 when a required column is missing or one appears twice."""
    t = i18n.translator(lang)
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = HEADER_ALIASES.get(_header_key(cell))
        if name is None:
            continue  # other columns (notes, job title...) are ignored
        if name in columns:
            raise _file_error(t("emp_file_duplicate_column").format(column=_clean(cell)), "duplicate_column")
        columns[name] = index
    missing = [t(f"emp_col_{name}") for name in REQUIRED if name not in columns]
    if missing:
        raise _file_error(t("emp_file_columns").format(columns=", ".join(missing)), "missing_columns")
    return columns


def _row_values(cells: list[str], columns: dict[str, int]) -> dict[str, str]:
    return {name: _clean(cells[index]) if index < len(cells) else "" for name, index in columns.items()}


def _row_problems(values: dict[str, str], t) -> tuple[dict[str, str | None], list[tuple[str, str]]]:
    """The cleaned row and its problems as (field, message)."""
    problems = []
    out: dict[str, str | None] = {}
    for name in FIELDS:
        value = values.get(name, "")
        if not value:
            if name in REQUIRED:
                problems.append((name, t("emp_err_required")))
            out[name] = None
            continue
        if len(value) > MAX_LENGTH[name]:
            problems.append((name, t("emp_err_too_long").format(max=MAX_LENGTH[name])))
            continue
        if name == "phone":
            try:
                value = auth.normalise_phone(value)
            except ValidationFailed:
                problems.append((name, t("emp_err_phone")))
                continue
        elif name == "email":
            value = value.lower()
            if not auth.EMAIL_RE.match(value):
                problems.append((name, t("emp_err_email")))
                continue
        out[name] = value
    return out, problems


def parse_staff_csv(raw: bytes, lang: str = "en") -> ParsedStaff:
    """Decode and validate a staff file; every bad row is reported with its line (header = line 1) and field.

    A row whose employee id or phone repeats an earlier good row is reported and left out: the
    first one wins. Blank lines (Excel writes `,,,,` for them) are skipped.
    """
    t = i18n.translator(lang)
    text = decode_upload(raw, lang)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    parsed = ParsedStaff()
    try:
        header = next(reader, None)
        if header is None or not any(_clean(c) for c in header):
            raise _file_error(t("emp_file_empty"), "file_empty")
        columns = map_header(header, lang)
        seen_refs: dict[str, int] = {}
        seen_phones: dict[str, int] = {}
        line = reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not any(_clean(c) for c in cells):
                continue
            row, problems = _row_problems(_row_values(cells, columns), t)
            if not problems:
                if row["employee_ref"] in seen_refs:
                    problems.append(("employee_ref", t("emp_err_dup_ref").format(line=seen_refs[row["employee_ref"]])))
                elif row["phone"] in seen_phones:
                    problems.append(("phone", t("emp_err_dup_phone").format(line=seen_phones[row["phone"]])))
            if problems:
                parsed.errors.extend({"row": start, "field": f, "message": m} for f, m in problems)
                continue
            seen_refs[row["employee_ref"]] = start
            seen_phones[row["phone"]] = start
            parsed.rows.append(tuple(row[name] for name in FIELDS))
    except csv.Error as exc:
        raise _file_error(t("emp_file_malformed").format(line=reader.line_num, detail=exc), "file_malformed") from None
    return parsed


# ------------------------------------------------------------------------------------------------
# Import and status


async def import_staff(conn: asyncpg.Connection, organisation_id: int, parsed: ParsedStaff) -> dict:
    """Upsert the good rows by employee id in one transaction (COPY into a temp table, one INSERT ... ON CONFLICT)."""
    created = updated = 0
    if parsed.rows:
        async with conn.transaction():
            await conn.execute(sql.CREATE_IMPORT_TABLE)
            await conn.copy_records_to_table(sql.IMPORT_TABLE, records=parsed.rows, columns=sql.IMPORT_COLUMNS)
            counts = await conn.fetchrow(sql.UPSERT_IMPORTED, organisation_id)
        created, updated = counts["created"], counts["updated"]
    return {"created": created, "updated": updated, "unchanged": len(parsed.rows) - created - updated,
            "errors": parsed.errors}


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


def _spreadsheet_safe(value) -> str:
    """A cell Excel will not run as a formula (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


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
# Invitations


def token_hash(token: str) -> bytes:
    """What is stored of an invitation token: its sha256."""
    return hashlib.sha256(token.encode()).digest()


def qr_data_uri(url: str) -> str:
    """A QR code of `url` as an SVG data URI, for an <img> on the printable list."""
    return segno.make_qr(url, error="m").svg_data_uri(scale=4, border=2)


async def issue_invitations(conn: asyncpg.Connection, organisation_id: int, employer_id: int,
                            employee_refs: list[str] | None, base_url: str, with_qr: bool = False,
                            lang: str = "en") -> list[dict]:
    """Fresh single-use links for the given staff (default: all), skipping those already linked.

    The raw token appears only in this answer; the database keeps its hash.
    """
    t = i18n.translator(lang)
    rows = await conn.fetch(sql.ENROLLMENTS_TO_INVITE, organisation_id, employee_refs)
    if employee_refs is not None:
        missing = sorted(set(employee_refs) - {r["employee_ref"] for r in rows})
        if missing:
            raise NotFound(t("emp_staff_not_found").format(refs=", ".join(missing[:20])), code="staff_not_found",
                           field="employee_refs")
    targets = [r for r in rows if r["patient_id"] is None]
    if with_qr and len(targets) > MAX_QR_PER_REQUEST:
        raise ValidationFailed(t("emp_too_many_qr").format(max=MAX_QR_PER_REQUEST), field="employee_refs",
                               code="too_many_qr")
    tokens = [secrets.token_urlsafe(32) for _ in targets]
    expires_at = datetime.now(timezone.utc) + timedelta(days=INVITATION_DAYS)
    if targets:
        await conn.execute(sql.INSERT_INVITATIONS, [r["id"] for r in targets], [token_hash(tok) for tok in tokens],
                           employer_id, expires_at)
    issued = []
    for row, token in zip(targets, tokens):
        item = {"employee_ref": row["employee_ref"], "name": row["name"], "url": f"{base_url}/invite/{token}",
                "expires_at": expires_at.isoformat()}
        if with_qr:
            item["qr"] = qr_data_uri(item["url"])
        issued.append(item)
    return issued


def _check_usable(row, lang: str) -> None:
    t = i18n.translator(lang)
    if row is None:
        raise InvitationNotFound(t("inv_not_found"))
    if row["used_at"] is not None or row["patient_id"] is not None:
        raise InvitationUsed(t("inv_used"))
    if row["expires_at"] <= datetime.now(timezone.utc):
        raise InvitationExpired(t("inv_expired"))


def _plausible_token(token: str) -> bool:
    return 20 <= len(token) <= 100 and re.fullmatch(r"[A-Za-z0-9_-]+", token) is not None


async def invitation(conn: asyncpg.Connection, token: str, lang: str = "en") -> dict:
    """What the invite page shows: organisation, the invited name, phone to prefill, expiry; 404/409/410."""
    row = await conn.fetchrow(sql.INVITATION_BY_HASH, token_hash(token)) if _plausible_token(token) else None
    _check_usable(row, lang)
    return {"organisation": row["organisation"], "name": row["name"], "phone": row["phone"],
            "expires_at": row["expires_at"].isoformat()}


async def accept_invitation(conn: asyncpg.Connection, token: str, patient, actor: Actor, lang: str = "en") -> dict:
    """Bind the invited enrollment to the signed-in patient; the token is spent."""
    if not _plausible_token(token):
        _check_usable(None, lang)
    async with conn.transaction():
        row = await conn.fetchrow(sql.INVITATION_BY_HASH_FOR_UPDATE, token_hash(token))
        _check_usable(row, lang)
        if await conn.fetchval(sql.PATIENT_LINKED_IN_ORG, row["organisation_id"], patient["id"]):
            raise Conflict(i18n.translator(lang)("inv_already_linked"), code="already_linked")
        await conn.execute(sql.MARK_INVITATION_USED, row["id"], patient["id"])
        bound = await conn.fetchrow(sql.BIND_ENROLLMENT, row["enrollment_id"], patient["id"])
        await audit.record(conn, actor, "enrollment.bind", "enrollment", row["enrollment_id"])
    return {"id": str(row["enrollment_id"]), "organisation": row["organisation"], "employee_ref": row["employee_ref"],
            "name": row["name"], "bound_at": bound["bound_at"].isoformat()}


# ------------------------------------------------------------------------------------------------
# The person's own links


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
    t = i18n.translator(lang)
    if not await conn.fetchval(sql.IS_LINKED, patient["id"]):
        raise Conflict(t("scr_not_enrolled"), code="not_enrolled")
    if not isinstance(raw_answers, Mapping):
        raise ValidationFailed("answers must be an object.", field="answers")
    raw = dict(raw_answers)
    raw.setdefault("symptoms", [])
    if raw.get("temperature_c") is None:
        raise ValidationFailed(t("scr_temperature_needed"), field="answers.temperature_c", code="required")
    if raw.get("age_years") is None:
        if not patient["birth_date"]:
            raise ValidationFailed(t("scr_age_needed"), field="answers.age_years", code="required")
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
