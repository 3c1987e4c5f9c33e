"""GET and POST /api/me/dependants."""
from __future__ import annotations

from datetime import date
from typing import Literal

from aiohttp import web
from pydantic import Field

from server.dependants import service
from server.web.common import actor_of, json, pool, user_of
from server.web.validation import Body, parse_body


class NewDependant(Body):
    """A person the account books for."""

    name: str = Field(min_length=1, max_length=100)
    birth_date: date
    sex: Literal["female", "male", "other"]
    relation: Literal["child", "parent", "other"]


async def add_dependant(request: web.Request) -> web.Response:
    """A patient adds a child, a parent or another person they book for."""
    patient = user_of(request, "patient")
    body = await parse_body(request, NewDependant)
    async with pool(request).acquire() as conn:
        view = await service.add(conn, patient, actor_of(request), **body.model_dump())
    return json(view, status=201)


async def list_dependants(request: web.Request) -> web.Response:
    """The patient's dependants."""
    patient = user_of(request, "patient")
    async with pool(request).acquire() as conn:
        return json(await service.of_account(conn, patient["id"]))
