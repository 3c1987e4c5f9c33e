"""Images and PDFs sent during a consultation: type and size checks, storage, listing, download.

The bytes are stored in PostgreSQL (table `attachments`, see db/migrations/0003_records.sql for
why). Only JPEG, PNG and PDF are accepted, decided by the file's own bytes, never by its name or
declared type alone.
"""
from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata
from urllib.parse import quote

import asyncpg
from aiohttp import web

from server.audit import service as audit
from server.audit.service import Actor
from server.consultations import service as consults
from server.records import queries as sql
from server.web.errors import AppError, Conflict, Forbidden, NotFound, ValidationFailed
from server.web.uploads import UploadedFile

MAX_BYTES = 10 * 1024 * 1024
CHUNK = 64 * 1024
# Past this the upload is refused without reading it: nothing legitimate is that large.
HOPELESS_BYTES = 4 * MAX_BYTES
ALLOWED = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}
EXTENSIONS = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".pdf": "application/pdf"}
ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "application/x-pdf": "application/pdf"}
NAMES = {"image/jpeg": "a JPEG image", "image/png": "a PNG image", "application/pdf": "a PDF document"}


class UnsupportedType(AppError):
    status, code, message = 415, "unsupported_type", "Only JPEG or PNG images and PDF documents can be attached."


class ContentMismatch(AppError):
    status, code, message = 422, "content_mismatch", "The file's content does not match its type."


class AttachmentNotFound(NotFound):
    code, message = "attachment_not_found", "No such attachment."


def sniff(head: bytes) -> str | None:
    """The allowed type that the file's first bytes show, or None.

    Three fixed signatures are all the allow-list needs, so they are checked here rather than with
    a general file-type library: JPEG starts FF D8 FF, PNG with its 8-byte signature, PDF with
    "%PDF-" (ISO 32000-1, 7.5.2).
    """
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return None


def declared_type(content_type: str | None, filename: str) -> str:
    """The type the client says the file has; for an unlabelled file, the one its extension says."""
    declared = (content_type or "").split(";")[0].strip().lower()
    declared = ALIASES.get(declared, declared)
    if declared in ("", "application/octet-stream"):
        declared = EXTENSIONS.get(_extension(filename), mimetypes.guess_type(filename)[0] or declared or "unknown")
    return declared


def check(content: bytes, declared: str) -> str:
    """The file's type when it is allowed and its bytes are what it claims; 415/422 otherwise."""
    if declared not in ALLOWED:
        raise UnsupportedType(f"Only JPEG or PNG images and PDF documents can be attached; this file is {declared}.",
                              field="file")
    if not content:
        raise ValidationFailed("The file is empty.", field="file", code="empty_file")
    actual = sniff(content[:16])
    if actual != declared:
        what = f"it is {NAMES[actual]}" if actual else "its bytes are not a JPEG, PNG or PDF file"
        raise ContentMismatch(f"The file was sent as {NAMES[declared]} ({declared}), but {what}.", field="file")
    return actual


def _extension(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower() if dot > 0 else ""


def safe_filename(filename: str | None, content_type: str) -> str:
    """A display name without paths or control characters, ending in the extension of its real type."""
    name = re.split(r"[\\/]", filename or "")[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C").strip(" .")
    name = name[:150] or "attachment"
    if EXTENSIONS.get(_extension(name)) != content_type:
        name += ALLOWED[content_type]
    return name


def view(row) -> dict:
    """An attachment as the API lists it (never its bytes)."""
    return {"id": str(row["id"]), "consultation_id": str(row["consultation_id"]), "filename": row["filename"],
            "content_type": row["content_type"], "size_bytes": row["size_bytes"], "sha256": row["sha256"],
            "uploaded_by": row["uploader_role"], "created_at": row["created_at"].isoformat(),
            "url": f"/api/attachments/{row['id']}"}


async def may_upload(conn: asyncpg.Connection, consultation_id: int, user, actor: Actor) -> tuple[asyncpg.Record, str]:
    """(consultation, role) when `user` may add a file now: a member, before the end."""
    row, role = await consults.load_for(conn, consultation_id, user, actor, "attachment.upload")
    if row["status"] == "ended":
        raise Conflict("This consultation has ended: files can no longer be added.", code="already_ended")
    return row, role


async def refused(conn: asyncpg.Connection, consultation_id: int, actor: Actor, error: AppError) -> None:
    """Audit an upload refused for its size or type."""
    await audit.record(conn, actor, "attachment.create", "consultation", consultation_id, allowed=False,
                       detail={"reason": error.code})


async def store(conn: asyncpg.Connection, consultation_id: int, user, role: str, actor: Actor, upload: UploadedFile) -> dict:
    """Check and keep a file that a member sent (see `may_upload`); 415/422 for a wrong or disguised type."""
    try:
        content_type = check(upload.content, declared_type(upload.content_type, upload.filename))
    except AppError as error:
        await refused(conn, consultation_id, actor, error)
        raise
    saved = await conn.fetchrow(sql.INSERT_ATTACHMENT, consultation_id, user["id"], role,
                                safe_filename(upload.filename, content_type), content_type, len(upload.content),
                                hashlib.sha256(upload.content).hexdigest(), upload.content)
    if saved is None:
        raise Conflict("This consultation has ended: files can no longer be added.", code="already_ended")
    await audit.record(conn, actor, "attachment.create", "attachment", saved["id"],
                       detail={"consultation_id": str(consultation_id)})
    return view(saved)


async def listing(conn: asyncpg.Connection, consultation_id: int, user, actor: Actor) -> list[dict]:
    """The consultation's files, for its members."""
    await consults.load_for(conn, consultation_id, user, actor, "attachment.list")
    return [view(r) for r in await conn.fetch(sql.ATTACHMENTS, consultation_id)]


async def of_consultation(conn: asyncpg.Connection, consultation_id: int) -> list:
    """The consultation's attachment rows (no bytes), for exports and summaries."""
    return await conn.fetch(sql.ATTACHMENTS, consultation_id)


async def read(conn: asyncpg.Connection, attachment_id: int, user, actor: Actor) -> tuple[asyncpg.Record, bytes]:
    """(attachment row, bytes) for a member of its consultation; audited, allowed or not."""
    row = await conn.fetchrow(sql.ATTACHMENT, attachment_id)
    if row is None:
        await audit.record(conn, actor, "attachment.read", "attachment", attachment_id, allowed=False,
                           detail={"reason": "not_found"})
        raise AttachmentNotFound()
    role, _status = await consults.membership(conn, row["consultation_id"], user)
    detail = {"consultation_id": str(row["consultation_id"])}
    if role is None:
        await audit.record(conn, actor, "attachment.read", "attachment", attachment_id, allowed=False, detail=detail)
        raise Forbidden("Only this consultation's patient and doctor may open its files.")
    await audit.record(conn, actor, "attachment.read", "attachment", attachment_id, detail=detail)
    return row, await conn.fetchval(sql.ATTACHMENT_CONTENT, attachment_id)


def download_response(row, content: bytes) -> web.Response:
    """The file as a download that the browser never renders in our origin nor sniffs."""
    name = row["filename"]
    fallback = re.sub(r'[^A-Za-z0-9._-]', "_", name) or "attachment"
    return web.Response(body=content, headers={
        "Content-Type": row["content_type"],
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
        "Cache-Control": "private, no-store",
    })
