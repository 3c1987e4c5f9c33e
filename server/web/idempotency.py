"""Idempotency-Key on state-changing requests: the same request sent twice is answered once.

A page that lost an answer (a dropped connection, a database outage) resends with the same key; the
first answer is kept for a day and replayed, so nothing is stored twice. Keys belong to the
signed-in user (anonymous requests such as registration carry their own uniqueness: the phone).
A failed first attempt (an error answer) keeps nothing, so the resend runs afresh.
"""
from __future__ import annotations

import random
import re

from aiohttp import web

from server.keys import DB_POOL, USER
from server.web.errors import Conflict, ValidationFailed

HEADER = "Idempotency-Key"
KEY_RE = re.compile(r"^[\x21-\x7e]{1,200}$")
METHODS = {"POST", "PUT", "DELETE"}

CLAIM = """
INSERT INTO idempotency_keys (user_id, key, method, path) VALUES ($1, $2, $3, $4)
ON CONFLICT (user_id, key) DO NOTHING RETURNING 1"""
STORED = "SELECT method, path, status, body, content_type FROM idempotency_keys WHERE user_id = $1 AND key = $2"
KEEP = "UPDATE idempotency_keys SET status = $3, body = $4, content_type = $5 WHERE user_id = $1 AND key = $2"
RELEASE = "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2"
FORGET_OLD = "DELETE FROM idempotency_keys WHERE created_at < now() - interval '1 day'"


def _replay(row) -> web.Response:
    response = web.Response(status=row["status"], body=row["body"], content_type=row["content_type"])
    response.headers["Idempotent-Replayed"] = "true"
    return response


@web.middleware
async def idempotency_middleware(request: web.Request, handler):
    """Replay the kept answer of a request already made with this Idempotency-Key (same user, method and path)."""
    key = request.headers.get(HEADER)
    user = request.get(USER)
    if key is None or user is None or request.method not in METHODS:
        return await handler(request)
    if not KEY_RE.match(key):
        raise ValidationFailed(f"{HEADER} is 1 to 200 visible ASCII characters.", field=HEADER, code="invalid")
    pool = request.app[DB_POOL]
    async with pool.acquire() as conn:
        if random.random() < 0.01:
            await conn.execute(FORGET_OLD)
        claimed = await conn.fetchval(CLAIM, user["id"], key, request.method, request.path)
        row = None if claimed else await conn.fetchrow(STORED, user["id"], key)
    if row is not None:
        if (row["method"], row["path"]) != (request.method, request.path):
            raise ValidationFailed(f"This {HEADER} was used for another request.", field=HEADER, code="key_reused")
        if row["status"] is None:
            raise Conflict("The first request with this key is still being answered.", field=HEADER,
                           code="request_in_progress")
        return _replay(row)
    try:
        response = await handler(request)
    except BaseException:
        async with pool.acquire() as conn:
            await conn.execute(RELEASE, user["id"], key)
        raise
    body = response.body if isinstance(response, web.Response) else None
    keep = response.status < 400 and (body is None or isinstance(body, bytes)) and isinstance(response, web.Response)
    async with pool.acquire() as conn:
        if keep:
            await conn.execute(KEEP, user["id"], key, response.status, body or b"", response.content_type)
        else:  # a stream or an error: nothing to replay, the resend runs afresh
            await conn.execute(RELEASE, user["id"], key)
    return response
