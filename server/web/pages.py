"""HTML pages: each renders a template with the user's language; the JavaScript does the rest."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from server import triage
from server.accounts import service as auth
from server.keys import USER
from server.web import i18n
from server.web.common import lang_of

HOME_OF_ROLE = {"patient": "/patient", "doctor": "/doctor", "employer": "/employer", "admin": "/admin"}


def _page(template: str, *roles: str):
    async def handler(request: web.Request) -> web.StreamResponse:
        user = request[USER]
        if roles and (user is None or user["role"] not in roles):
            raise web.HTTPFound(f"/?next={request.path}")
        lang = lang_of(request)
        response = aiohttp_jinja2.render_template(template, request, {
            "lang": lang, "t": i18n.translator(lang), "texts": i18n.table(lang),
            "user": auth.public_user(user) if user else None, "path": request.path,
            "departments": triage.DEPARTMENTS,
        })
        if request.query.get("lang") in i18n.LANGS:
            response.set_cookie(i18n.LANG_COOKIE, lang, max_age=365 * 86400, samesite="Lax", path="/")
        return response
    handler.__doc__ = f"The {template} page."
    return handler


async def home(request: web.Request) -> web.StreamResponse:
    """The start page; a signed-in user goes to their own page."""
    user = request[USER]
    if user is not None and "lang" not in request.query:
        raise web.HTTPFound(HOME_OF_ROLE[user["role"]])
    return await _page("index.html")(request)


patient_page = _page("patient.html", "patient")
doctor_page = _page("doctor.html", "doctor")
employer_page = _page("employer.html", "employer")
admin_page = _page("admin.html", "admin")
