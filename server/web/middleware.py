"""Cross-cutting request handling, installed by `setup_middlewares` in this order:

0. early refusal - a sign-in from an address this process knows is blocked: 429 at once, nothing parsed.
1. headers  - security headers on every answer, errors included.
2. errors   - every AppError (and stray HTTP error) becomes API.md's JSON body under /api/, a page elsewhere;
              a database outage is 503 with Retry-After, a value PostgreSQL refuses 422; an unexpected
              exception is logged with the request id and answered 500 without details.
3. session  - the session cookie is resolved to request[USER] (or None).
4. input    - query parameters and path parts with control characters are refused, naming them
              (bodies pass the same gate in validation.py).
5. csrf     - state-changing requests must come from our own site (Origin, when a browser sends it) and,
              from a signed-in browser, carry X-CSRF-Token; sign-in and registration take JSON only, so no
              cross-site form can sign a victim into someone else's account (login CSRF).
6. totp     - with ADMIN_TOTP_REQUIRED, an admin without an active second factor reaches only the enrolment
              routes (server/accounts/middleware.py).
7. consent  - a patient's health-data routes need their `health_data` consent (server/consent/middleware.py).
8. idempotency - a state-changing request resent with the same Idempotency-Key gets the first answer
              again, and stores nothing twice (idempotency.py).
"""
from __future__ import annotations

import logging
import secrets
import time

import asyncpg
from aiohttp import web

from db.connect import OUTAGE_ERRORS
from server.accounts import service as auth
from server.keys import DB_POOL, METRICS, RATE_LIMITER, REQUEST_ID, SETTINGS, USER
from server.web import i18n
from server.web.addresses import client_address
from server.web.errors import AppError, CsrfFailed, DatabaseUnavailable, OriginRefused, UnsupportedMediaType
from server.web.idempotency import idempotency_middleware
from server.web.logs import request_id_var
from server.web.pages import page_context, render
from server.web.validation import check_line

log = logging.getLogger(__name__)
access_log = logging.getLogger("clinic.access")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Sign-in and registration start a session; they need no token from an earlier one.
CSRF_EXEMPT = {"/api/auth/login", "/api/auth/register", "/api/auth/code", "/api/auth/login-code",
               "/api/auth/reset-password"}
# Pages load scripts, styles and media from our own origin only: no inline script, handler or style,
# so a string that slips past escaping still cannot run. blob: is the call's local video and uploads.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                           "media-src 'self' blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
                           "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
STATUS_CODES = {404: "not_found", 405: "method_not_allowed", 413: "too_large", 401: "not_signed_in",
                403: "forbidden"}


async def _error_response(request: web.Request, error: AppError) -> web.StreamResponse:
    lang = i18n.pick_language(request)
    if request.path.startswith("/api/") or request.path.startswith("/socket.io"):
        response = web.json_response(error.to_dict(lang), status=error.status)
        if getattr(error, "retry_after", None):
            response.headers["Retry-After"] = str(error.retry_after)
        if getattr(error, "allow", None):
            response.headers["Allow"] = error.allow
        return response
    # The page context is built here: the error may come from a middleware before the context processor ran.
    return render(request, "error.html", {**await page_context(request), "status": error.status,
                                          "message": error.localised(lang), "user": None}, status=error.status)


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
        return await _error_response(request, error)
    except web.HTTPException as exc:
        status = exc.status
        if exc.status >= 400:
            code = STATUS_CODES.get(exc.status, "http_error")
            error = AppError(exc.reason, code=code, status=exc.status)
            error.allow = exc.headers.get("Allow")  # a 405 says which methods the path takes (RFC 9110)
            return await _error_response(request, error)
        raise
    except OUTAGE_ERRORS as exc:
        status = 503
        # The class tells an outage (refused, reset) from a query past command_timeout (TimeoutError).
        log.warning("database unavailable (%s) request_id=%s", type(exc).__name__, request[REQUEST_ID])
        return await _error_response(request, DatabaseUnavailable())
    except asyncpg.DataError:
        # A value the gate let through and a column cannot hold: the client's input, not our failure.
        status = 422
        return await _error_response(request, AppError("A value is out of range or malformed.", code="invalid_value",
                                                 status=422))
    except Exception:
        log.exception("unhandled error request_id=%s %s %s", request[REQUEST_ID], request.method,
                      request.match_info.route.resource.canonical if request.match_info.route.resource else "?")
        return await _error_response(request, AppError("Something went wrong on our side. Please try again; "
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
            request[USER] = await auth.session_user(conn, token, request.app[SETTINGS].doctor_idle_minutes)
    return await handler(request)


@web.middleware
async def early_refusal_middleware(request: web.Request, handler):
    """A sign-in from an address already refused is answered 429 before its body is read: a flood
    from one address then costs the clinic next to nothing (server/web/ratelimit.py)."""
    if request.method == "POST" and request.path == "/api/auth/login":
        limiter = request.app.get(RATE_LIMITER)
        refused = limiter.refused_early(client_address(request)) if limiter is not None else None
        if refused is not None:
            response = web.json_response(refused.to_dict(i18n.pick_language(request)), status=429)
            response.headers["Retry-After"] = str(refused.retry_after)
            return response
    return await handler(request)


@web.middleware
async def input_middleware(request: web.Request, handler):
    """Path parts (404) and query parameters (422) with a control character are refused, naming them."""
    for name, value in request.match_info.items():
        check_line(value, name, status=404)
    for name, value in request.query.items():
        check_line(name, "query")
        check_line(value, name)
    return await handler(request)


def _same_site(request: web.Request) -> bool:
    """True unless a browser says the request comes from another origin (apps and systems send no Origin).

    Only host and port are compared: behind a TLS-terminating proxy the scheme seen here is http.
    """
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    netloc = origin.split("://", 1)[-1].rstrip("/")
    return netloc == request.host


@web.middleware
async def csrf_middleware(request: web.Request, handler):
    """A cookie alone never authorises a change: same site only, and the page must echo the session's CSRF token."""
    if request.method in SAFE_METHODS:
        return await handler(request)
    if not _same_site(request):
        raise OriginRefused()
    if request.path in CSRF_EXEMPT and request.content_type != "application/json":
        raise UnsupportedMediaType(field="Content-Type")
    user = request[USER]
    if user is not None and request.path not in CSRF_EXEMPT:
        sent = request.headers.get("X-CSRF-Token", "")
        if not secrets.compare_digest(sent, user["csrf_token"]):
            raise CsrfFailed()
    return await handler(request)


def _security_headers(request: web.Request, headers) -> None:
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(self), microphone=(self)")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    hsts = request.app[SETTINGS].hsts_seconds
    if hsts:
        headers.setdefault("Strict-Transport-Security", f"max-age={hsts}; includeSubDomains")
    if request.path.startswith("/api/"):
        headers.setdefault("Cache-Control", "no-store")
    if REQUEST_ID in request:
        headers.setdefault("X-Request-Id", request[REQUEST_ID])


@web.middleware
async def headers_middleware(request: web.Request, handler):
    """Security headers on every answer, redirects included; camera and microphone for our own origin only."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # redirects are raised, not returned
        _security_headers(request, exc.headers)
        raise
    _security_headers(request, response.headers)
    return response


def setup_middlewares(app: web.Application) -> None:
    """Install the middlewares in the order the module docstring gives."""
    # The domain gates sit after the web plumbing.
    from server.accounts.middleware import totp_enrolment_middleware
    from server.consent.middleware import consent_middleware

    app.middlewares.extend([early_refusal_middleware, headers_middleware, errors_middleware, session_middleware,
                            input_middleware, csrf_middleware, totp_enrolment_middleware, consent_middleware,
                            idempotency_middleware])
