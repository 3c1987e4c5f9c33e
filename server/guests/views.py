"""POST /api/consultations/{id}/guests (the patient invites) and the guest's page GET /join/{token}."""
from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import Field

from server.guests import service
from server.web import pages
from server.web.common import actor_of, json, path_id, pool, user_of
from server.web.errors import NotFound
from server.web.validation import Body, parse_body


class Guest(Body):
    """Who the patient invites."""

    name: str = Field(min_length=1, max_length=100)
    relation: Literal["family", "interpreter"]


async def invite_guest(request: web.Request) -> web.Response:
    """The patient invites a family member or interpreter into the call; the link is shown once."""
    patient = user_of(request, "patient")
    body = await parse_body(request, Guest)
    async with pool(request).acquire() as conn:
        view = await service.invite(conn, path_id(request), patient, actor_of(request), body.name, body.relation)
    return json(view, status=201)


async def guest_page(request: web.Request) -> web.StreamResponse:
    """The guest's call page (no account): 404 for a link that is unknown, expired or of an ended call."""
    async with pool(request).acquire() as conn:
        guest = await service.by_token(conn, request.match_info["token"])
    if guest is None:
        raise NotFound("This link is not valid or has expired.", code="guest_link_invalid")
    return pages.render(request, "guest.html", {
        "guest": {"name": guest["name"], "relation": guest["relation"]}, "token": request.match_info["token"],
        "consultation_id": str(guest["consultation_id"])})
