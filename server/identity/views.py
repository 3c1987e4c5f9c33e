"""POST /api/me/identity: a patient gives their real name and resident ID number (or a dependant's)."""
from __future__ import annotations

from aiohttp import web
from pydantic import Field

from server.accounts import service as auth
from server.dependants import service as dependants
from server.identity import service
from server.keys import IDENTITY_PROVIDER, SETTINGS
from server.web.common import actor_of, json, path_id, pool, user_of
from server.web.validation import Body, Id, parse_body


class IdentityBody(Body):
    """A real name and an ID number (GB 11643); `for_dependant_id` gives a dependant's instead."""

    name: str = Field(min_length=1, max_length=100)
    id_number: str = Field(min_length=1, max_length=40)
    for_dependant_id: Id | None = None


async def submit_identity(request: web.Request) -> web.Response:
    """Check the ID number's check digit, verify it (DEMO: at once) and answer with the masked form."""
    patient = user_of(request, "patient")
    body = await parse_body(request, IdentityBody)
    key = service.hash_key(request.app[SETTINGS].secret_key)
    async with pool(request).acquire() as conn:
        dependant_id = body.for_dependant_id
        if dependant_id is not None:
            await dependants.own(conn, patient["id"], dependant_id)
        view = await service.submit(conn, patient, actor_of(request), name=body.name, raw_number=body.id_number,
                                    key=key, provider=request.app[IDENTITY_PROVIDER], dependant_id=dependant_id)
    return json(view)


async def my_identity(request: web.Request) -> web.Response:
    """The patient's own identity, masked."""
    patient = user_of(request, "patient")
    async with pool(request).acquire() as conn:
        return json(await service.of(conn, patient["id"]))


class PhoneChange(Body):
    """A new phone for a patient who lost theirs, with the ID number they show at the desk."""

    phone: str = Field(max_length=20)
    id_number: str = Field(min_length=1, max_length=40)


async def change_phone(request: web.Request) -> web.Response:
    """The clinic's admin gives a patient a new phone number after checking their ID card in person."""
    user_of(request, "admin")
    body = await parse_body(request, PhoneChange)
    phone = auth.normalise_phone(body.phone)
    key = service.hash_key(request.app[SETTINGS].secret_key)
    async with pool(request).acquire() as conn:
        await service.change_phone(conn, actor_of(request), path_id(request), phone, key, body.id_number)
    return web.Response(status=204)
