"""GET/POST /api/me/consents and GET /api/me/export."""
from __future__ import annotations

from typing import Literal

from aiohttp import web

from server.consent import export as export_service
from server.consent import service
from server.web.common import actor_of, json, pool, user_of
from server.web.validation import Body, parse_body


class ConsentDecision(Body):
    """Agree to, or withdraw, one purpose."""

    purpose: Literal["health_data", "video", "employer_screening", "family_access"]
    granted: bool


async def my_consents(request: web.Request) -> web.Response:
    """Every purpose with its version, decision and time."""
    user = user_of(request)
    async with pool(request).acquire() as conn:
        return json(await service.current(conn, user["id"]))


async def decide_consent(request: web.Request) -> web.Response:
    """Grant or withdraw one purpose; audited; it takes effect at once."""
    user = user_of(request)
    body = await parse_body(request, ConsentDecision)
    async with pool(request).acquire() as conn:
        await service.decide(conn, user["id"], actor_of(request), body.purpose, body.granted)
        return json(await service.current(conn, user["id"]))


async def my_export(request: web.Request) -> web.Response:
    """Everything the clinic holds about the caller (and their dependants), as a JSON download."""
    patient = user_of(request, "patient")
    async with pool(request).acquire() as conn:
        data = await export_service.export(conn, patient, actor_of(request), f"{request.scheme}://{request.host}")
    response = json(data)
    response.headers["Content-Disposition"] = 'attachment; filename="my-clinic-data.json"'
    return response
