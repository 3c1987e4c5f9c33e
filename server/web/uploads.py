"""The one reader of uploaded files: the multipart field `file`, with a size limit.

Past the limit the rest is still read (up to DRAIN_FACTOR times the limit) and dropped, so the
client gets the 413 it can show instead of a connection reset mid-upload.
"""
from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from server.web.errors import TooLarge, ValidationFailed
from server.web.validation import multipart_errors

CHUNK = 64 * 1024
DRAIN_FACTOR = 4
MB = 1024 * 1024


@dataclass(frozen=True)
class UploadedFile:
    """One uploaded file as received: its name, declared type (lower case, no parameters) and bytes."""

    filename: str
    content_type: str
    content: bytes


async def read_file(request: web.Request, max_bytes: int, *, missing_code: str = "required",
                    text: str | None = None) -> UploadedFile:
    """The multipart field `file`; 413 `file_too_large` past `max_bytes`, 422 `missing_code` without one.

    `text` names the wording of those two errors in the text tables (`<text>_too_large`, `<text>_missing`).
    """
    too_large = TooLarge(f"The file is too large: a file may be at most {max_bytes // MB} MB.", field="file",
                         code="file_too_large", text=text and f"{text}_too_large", params={"mb": max_bytes // MB})
    missing = ValidationFailed("Send the file as multipart/form-data in the field `file`.", field="file",
                               code=missing_code, text=text and f"{text}_missing")
    if request.content_length is not None and request.content_length > DRAIN_FACTOR * max_bytes:
        raise too_large
    if not request.content_type.startswith("multipart/"):
        raise missing
    with multipart_errors("file"):
        upload, received = None, 0
        async for part in await request.multipart():
            if part.name != "file" or upload is not None:
                await part.release()
                continue
            buffer = bytearray()
            while chunk := await part.read_chunk(CHUNK):
                received += len(chunk)
                if received > DRAIN_FACTOR * max_bytes:
                    raise too_large
                if received <= max_bytes:
                    buffer.extend(chunk)
            declared = (part.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            upload = UploadedFile(part.filename or "", declared, bytes(buffer))
    if received > max_bytes:
        raise too_large
    if upload is None:
        raise missing
    return upload
