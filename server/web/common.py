"""Small helpers every handler uses: who is asking, in which language, how to answer."""
from __future__ import annotations

from aiohttp import web

from server.accounts import service as auth
from server.audit.service import Actor
from server.keys import DB_POOL, RATE_LIMITER, USER
from server.web import i18n, jsoncodec
from server.web.addresses import client_address
from server.web.errors import NotFound
from server.web.validation import parse_id


def user_of(request: web.Request, *roles: str):
    """The signed-in user, 401 if nobody, 403 if their role is not allowed."""
    return auth.require_role(request[USER], *roles)


def actor_of(request: web.Request) -> Actor:
    """Who is asking and from where, for audit rows."""
    return Actor.of(request[USER], address_of(request))


def address_of(request: web.Request) -> str:
    """The client's address (proxy-aware, see addresses.py), for rate limits and audit rows."""
    return client_address(request)


def limiter(request: web.Request):
    """The rate limiter (server/web/ratelimit.py)."""
    return request.app[RATE_LIMITER]


def lang_of(request: web.Request) -> str:
    """The language for user-facing texts in this answer."""
    return i18n.pick_language(request)


def pool(request: web.Request):
    """The database pool."""
    return request.app[DB_POOL]


def path_id(request: web.Request, name: str = "id") -> int:
    """A numeric id from the URL; 404 for anything else (ids are never guessed into errors)."""
    try:
        return parse_id(request.match_info[name])
    except ValueError:
        raise NotFound(f"{name} must be an id.", field=name, code="bad_id") from None


def json(data, status: int = 200) -> web.Response:
    """A JSON answer."""
    return web.json_response(data, status=status, dumps=jsoncodec.dumps)
