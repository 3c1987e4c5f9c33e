"""HTML pages: one renderer, and what every template gets from one aiohttp-jinja2 context processor.

Each page renders a template in the user's language; the JavaScript does the rest. A template
names its page module in `{% block script %}`; the page embeds only the texts that module graph
uses (i18n.page_table) and the department names, in a JSON block read by js/lib/texts.js.
"""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from server import triage
from server.accounts import service as auth
from server.keys import USER
from server.web import i18n

HOME_OF_ROLE = {"patient": "/patient", "doctor": "/doctor", "employer": "/employer", "admin": "/admin",
                "pharmacist": "/pharmacy",
                "street_operator": "/homewatch/carer", "carer": "/homewatch/carer", "family": "/homewatch/family"}


async def page_context(request: web.Request) -> dict:
    """What every template gets: the language, its texts, the signed-in user, the path, the departments."""
    lang = i18n.pick_language(request)
    user = request.get(USER)

    def page_data(script: str) -> dict:
        return {"lang": lang, "texts": i18n.page_table(script.strip() or None, lang),
                "departments": {code: names[lang] for code, names in triage.DEPARTMENTS.items()}}

    return {"lang": lang, "t": i18n.translator(lang), "page_data": page_data,
            "user": auth.public_user(user) if user else None, "path": request.path,
            "departments": triage.DEPARTMENTS}


def render(request: web.Request, template: str, context: dict | None = None, status: int = 200) -> web.Response:
    """Render a page; a language chosen with ?lang= is remembered in a cookie."""
    response = aiohttp_jinja2.render_template(template, request, context or {}, status=status)
    if request.query.get("lang") in i18n.LANGS:
        response.set_cookie(i18n.LANG_COOKIE, request.query["lang"], max_age=365 * 86400, samesite="Lax", path="/")
    return response


def page(template: str, *roles: str, context=None):
    """A handler rendering `template` for the given roles (anyone when none); others are sent to sign in.
    `context(request)`, when given, adds what the template needs beyond every page's context."""
    async def handler(request: web.Request) -> web.StreamResponse:
        user = request[USER]
        if roles and (user is None or user["role"] not in roles):
            raise web.HTTPFound(f"/?next={request.path}")
        return render(request, template, context(request) if context else None)
    handler.__doc__ = f"The {template} page."
    return handler


async def home(request: web.Request) -> web.StreamResponse:
    """The start page; a signed-in user goes to their own page."""
    user = request[USER]
    if user is not None and "lang" not in request.query:
        raise web.HTTPFound(HOME_OF_ROLE[user["role"]])
    return render(request, "index.html")


patient_page = page("patient.html", "patient")
doctor_page = page("doctor.html", "doctor")
employer_page = page("employer.html", "employer")
admin_page = page("admin.html", "admin")
pharmacy_page = page("pharmacy.html", "pharmacist")
account_page = page("account.html", "patient")
