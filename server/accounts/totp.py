"""Time-based one-time passwords (RFC 6238, HMAC-SHA1, 6 digits, 30 s), the admins' second factor.

Pure Python on purpose: the algorithm is 15 lines of RFC 4226/6238 and any authenticator app
(Google Authenticator, Microsoft Authenticator, FreeOTP) reads the otpauth:// URI.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
import time
from urllib.parse import quote

STEP_SECONDS = 30
DIGITS = 6
# One step either side: a phone clock a little off, or a code typed as it changed.
WINDOW = 1


def new_secret() -> str:
    """A random 160-bit secret in base32, as authenticator apps expect it."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def code(secret: str, at: float | None = None) -> str:
    """The code of `secret` for the 30-second step containing `at` (now by default)."""
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // STEP_SECONDS)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**DIGITS).zfill(DIGITS)


def verify(secret: str, candidate: str | None, at: float | None = None) -> bool:
    """Whether `candidate` is the code of this step or one next to it (constant-time comparison)."""
    if not candidate or not candidate.isascii() or not candidate.isdigit() or len(candidate) != DIGITS:
        return False
    now = time.time() if at is None else at
    return any(hmac.compare_digest(code(secret, now + step * STEP_SECONDS), candidate)
               for step in range(-WINDOW, WINDOW + 1))


def provisioning_uri(secret: str, account: str, issuer: str = "Cloud clinic") -> str:
    """The otpauth:// URI an authenticator app scans (shown as a QR code or typed in)."""
    return (f"otpauth://totp/{quote(issuer)}:{quote(account)}?secret={secret}&issuer={quote(issuer)}"
            f"&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}")
