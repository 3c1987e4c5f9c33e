"""QR codes as SVG data URIs for an <img>: invitation links on the printable list, an admin's TOTP enrolment."""
from __future__ import annotations

import segno


def qr_data_uri(text: str) -> str:
    """A QR code of `text` (medium error correction) as an SVG data URI."""
    return segno.make_qr(text, error="m").svg_data_uri(scale=4, border=2)
