"""Small helpers every handler uses: who is asking, in which language, how to answer."""
from __future__ import annotations

from aiohttp import web

from server.accounts import service as auth
from server.audit.service import Actor
from server.keys import DB_POOL, USER
from server.web import i18n
from server.web.errors import ValidationFailed


def user_of(request: web.Request, *roles: str):
    """The signed-in user, 401 if nobody, 403 if their role is not allowed."""
    return auth.require_role(request[USER], *roles)


def actor_of(request: web.Request) -> Actor:
    """Who is asking and from where, for audit rows."""
    return Actor.of(request[USER], request.remote)


def lang_of(request: web.Request) -> str:
    """The language for user-facing texts in this answer."""
    return i18n.pick_language(request)


def pool(request: web.Request):
    """The database pool."""
    return request.app[DB_POOL]


def id_value(raw, field: str, *, status: int = 422, code: str | None = None, allow_zero: bool = False) -> int:
    """An id given as a whole number or a string of ASCII digits (at most 18), or a 4xx naming `field`.

    ASCII only: str.isdigit() also accepts digits such as "²" that int() then refuses.
    """
    text = str(raw) if isinstance(raw, int) and not isinstance(raw, bool) else raw
    if not (isinstance(text, str) and text.isascii() and text.isdigit() and len(text) <= 18
            and (allow_zero or int(text) > 0)):
        raise ValidationFailed(f"{field} must be an id.", field=field, code=code, status=status)
    return int(text)


def path_id(request: web.Request, name: str = "id") -> int:
    """A numeric id from the URL; 404 for anything else (ids are never guessed into errors)."""
    return id_value(request.match_info[name], name, status=404, code="bad_id")


def json(data, status: int = 200) -> web.Response:
    """A JSON answer."""
    return web.json_response(data, status=status)
