"""What the record tests share: a real PNG and PDF, an upload form, and the audit rows they leave."""
from __future__ import annotations

import struct
import zlib

import aiohttp


def png_bytes() -> bytes:
    """A real 1x1 PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def form(content: bytes, filename: str, content_type: str) -> aiohttp.FormData:
    """A multipart upload of one file in the field `file`."""
    data = aiohttp.FormData(quote_fields=False)  # as browsers send names: raw, not percent-encoded
    data.add_field("file", content, filename=filename, content_type=content_type)
    return data


async def audit_rows(db, **where) -> list:
    """The audit log's rows matching column = value for each keyword, oldest first."""
    clauses = " AND ".join(f"{k} = ${n + 1}" for n, k in enumerate(where))
    async with db.acquire() as conn:
        return await conn.fetch(f"SELECT * FROM audit_log WHERE {clauses} ORDER BY id", *where.values())
