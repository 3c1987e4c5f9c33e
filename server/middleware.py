"""Cross-cutting request handling, installed by `setup_middlewares` in this order:

1. headers  - security headers on every answer, errors included.
2. errors   - every AppError (and stray HTTP error) becomes API.md's JSON body under /api/, a page elsewhere;
              an unexpected exception is logged with the request id and answered 500 without details.
3. session  - the session cookie is resolved to request[USER] (or None).
4. csrf     - state-changing requests from a signed-in browser must carry X-CSRF-Token.
"""
from __future__ import annotations

import logging
import secrets
import time

import aiohttp_jinja2
from aiohttp import web

from server import auth, i18n
from server.errors import AppError, CsrfFailed
from server.keys import DB_POOL, METRICS, REQUEST_ID, USER
from server.logs import request_id_var

log = logging.getLogger(__name__)
access_log = logging.getLogger("clinic.access")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Sign-in and registration start a session; they need no token from an earlier one.
CSRF_EXEMPT = {"/api/auth/login", "/api/auth/register"}
STATUS_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large", 401: "not_signed_in",
                403: "forbidden"}


def _localise(error: AppError, lang: str) -> None:
    """Chinese clients get the Chinese wording of known codes (the field name stays as it is)."""
    if lang != "zh" or any("\u4e00" <= ch <= "\u9fff" for ch in error.message):
        return
    zh = i18n.TEXTS.get(f"error.{error.code}")
    if zh:
        error.message = f"{error.field}：{zh[0]}" if error.field and error.status == 422 else zh[0]


def _error_response(request: web.Request, error: AppError) -> web.StreamResponse:
    lang = i18n.pick_language(request)
    _localise(error, lang)
    if request.path.startswith("/api/") or request.path.startswith("/socket.io"):
        return web.json_response(error.to_dict(), status=error.status)
    return aiohttp_jinja2.render_template("error.html", request, {
        "status": error.status, "message": error.message, "lang": lang, "t": i18n.translator(lang),
        "texts": i18n.table(lang), "user": None}, status=error.status)


@web.middleware
async def errors_middleware(request: web.Request, handler):
    """Render domain errors; never leak a traceback or health data to the client or the log."""
    request[REQUEST_ID] = request.headers.get("X-Request-Id", "")[:64] or secrets.token_hex(8)
    request_id_var.set(request[REQUEST_ID])
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except AppError as error:
        status = error.status
        return _error_response(request, error)
    except web.HTTPException as exc:
        status = exc.status
        if exc.status >= 400:
            code = STATUS_CODES.get(exc.status, "http_error")
            return _error_response(request, AppError(exc.reason, code=code, status=exc.status))
        raise
    except Exception:
        log.exception("unhandled error request_id=%s %s %s", request[REQUEST_ID], request.method,
                      request.match_info.route.resource.canonical if request.match_info.route.resource else "?")
        return _error_response(request, AppError("Something went wrong on our side. Please try again; "
                                                 "if it keeps happening, call the clinic.",
                                                 code="internal_error", status=500))
    finally:
        resource = request.match_info.route.resource
        route = resource.canonical if resource else "unmatched"
        seconds = time.perf_counter() - started
        metrics = request.app.get(METRICS)
        if metrics is not None:
            metrics.observe_http(request.method, route, status, seconds)
        user = request.get(USER)
        access_log.info("request", extra={"fields": {
            "method": request.method, "route": route, "status": status, "ms": round(seconds * 1000, 1),
            "role": user["role"] if user else None, "user_id": user["id"] if user else None}})


@web.middleware
async def session_middleware(request: web.Request, handler):
    """Attach the signed-in user (a row with csrf_token) or None."""
    token = request.cookies.get(auth.SESSION_COOKIE)
    request[USER] = None
    if token:
        async with request.app[DB_POOL].acquire() as conn:
            request[USER] = await auth.session_user(conn, token)
    return await handler(request)


@web.middleware
async def csrf_middleware(request: web.Request, handler):
    """A cookie alone never authorises a change: the page must echo the session's CSRF token."""
    user = request[USER]
    if request.method not in SAFE_METHODS and user is not None and request.path not in CSRF_EXEMPT:
        sent = request.headers.get("X-CSRF-Token", "")
        if not secrets.compare_digest(sent, user["csrf_token"]):
            raise CsrfFailed()
    return await handler(request)


@web.middleware
async def headers_middleware(request: web.Request, handler):
    """Security headers; camera and microphone are allowed for our own origin only."""
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Permissions-Policy", "camera=(self), microphone=(self)")
    if request.path.startswith("/api/"):
        response.headers.setdefault("Cache-Control", "no-store")
    if REQUEST_ID in request:
        response.headers.setdefault("X-Request-Id", request[REQUEST_ID])
    return response


def setup_middlewares(app: web.Application) -> None:
    """Install the middlewares in the order the module docstring gives."""
    app.middlewares.extend([headers_middleware, errors_middleware, session_middleware, csrf_middleware])
