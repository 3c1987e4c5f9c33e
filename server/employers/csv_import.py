"""Staff lists from CSV files: decoding what Excel writes, mapping the header, checking each row,
and the one-transaction import. Everything but `import_staff` is pure."""
from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

import asyncpg

from server.accounts import service as auth
from server.employers import queries as sql
from server.web import i18n
from server.web.errors import ValidationFailed
from server.web.validation import EMAIL_RE

MAX_UPLOAD_BYTES = 5 * 1024 * 1024

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


@dataclass
class ParsedStaff:
    """The good rows of a staff file (tuples in FIELDS order) and every problem found."""

    rows: list[tuple] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)


def _file_error(text: str, code: str, **params) -> ValidationFailed:
    return ValidationFailed(field="file", code=code, text=text, params=params)


def decode_upload(raw: bytes) -> str:
    """The text of an uploaded CSV: UTF-8 (BOM or not), UTF-16 with BOM, or GBK; 422 on binary content.

    Hand-written rather than a file-type library: a CSV is text, so the question is only "is this
    text, in which encoding"; the one binary case worth its own message is an Excel workbook.
    """
    if not raw.strip():
        raise _file_error("emp_file_empty", "file_empty")
    if raw.startswith(_WORKBOOK_MAGIC):
        raise _file_error("emp_file_excel", "file_is_workbook")
    candidates: tuple[str, ...]
    if raw.startswith(codecs.BOM_UTF8):
        raw, candidates = raw[len(codecs.BOM_UTF8):], ("utf-8",)
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)  # Excel's "Unicode text" export
    elif b"\x00" in raw:  # the whole file: a NUL past the first 64 KB would reach PostgreSQL
        raise _file_error("emp_file_binary", "file_not_text")
    else:
        candidates = ("utf-8", "gb18030")  # GB18030 is the superset of GBK that Chinese Excel writes
    for encoding in candidates:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _CONTROL.search(text):
            raise _file_error("emp_file_binary", "file_not_text")
        return text
    raise _file_error("emp_file_encoding", "file_encoding")


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


def map_header(header: list[str]) -> dict[str, int]:
    """Column index of each known field; 422 when a required column is missing or one appears twice."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        name = HEADER_ALIASES.get(_header_key(cell))
        if name is None:
            continue  # other columns (notes, job title...) are ignored
        if name in columns:
            raise _file_error("emp_file_duplicate_column", "duplicate_column", column=_clean(cell))
        columns[name] = index
    missing = [i18n.TEXTS[f"emp_col_{name}"] for name in REQUIRED if name not in columns]
    if missing:  # the column names in the client's language: a (zh, en) parameter
        raise _file_error("emp_file_columns", "missing_columns",
                          columns=("、".join(zh for zh, _ in missing), ", ".join(en for _, en in missing)))
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
            if not EMAIL_RE.match(value):
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
    text = decode_upload(raw)
    first_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line))
    parsed = ParsedStaff()
    try:
        header = next(reader, None)
        if header is None or not any(_clean(c) for c in header):
            raise _file_error("emp_file_empty", "file_empty")
        columns = map_header(header)
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
        raise _file_error("emp_file_malformed", "file_malformed", line=reader.line_num, detail=exc) from None
    return parsed


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
