"""Prescription routes: the doctor writes, the pharmacist reviews, the patient reads approved ones."""
from __future__ import annotations

from typing import Literal

from aiohttp import web
from pydantic import Field

from server.keys import EVENTS
from server.prescriptions import service
from server.web.common import actor_of, json, lang_of, path_id, pool, user_of
from server.web.validation import Body, parse_body


class Item(Body):
    """One drug: what, how much, how, how often, for how long, how many packs."""

    drug: str = Field(min_length=1, max_length=200)
    dose: str = Field(min_length=1, max_length=100)
    route: str = Field(min_length=1, max_length=50)
    frequency: str = Field(min_length=1, max_length=100)
    days: int = Field(ge=1, le=90)
    quantity: str = Field(min_length=1, max_length=50)


class NewPrescription(Body):
    """The doctor's prescription."""

    items: list[Item] = Field(min_length=1, max_length=10)


class Review(Body):
    """The pharmacist's decision; a return says why."""

    decision: Literal["approve", "return"]
    reason: str | None = Field(default=None, max_length=2000)


async def create_prescription(request: web.Request) -> web.Response:
    """The consultation's doctor prescribes (confirmed follow-up only); it waits for a pharmacist."""
    doctor = user_of(request, "doctor")
    body = await parse_body(request, NewPrescription)
    items = [item.model_dump() for item in body.items]
    async with pool(request).acquire() as conn:
        view = await service.create(conn, path_id(request), doctor, actor_of(request), items, lang_of(request))
    return json(view, status=201)


async def list_prescriptions(request: web.Request) -> web.Response:
    """The consultation's prescriptions: all for its doctor, approved ones for its patient."""
    user = user_of(request, "patient", "doctor")
    async with pool(request).acquire() as conn:
        return json(await service.of_consultation(conn, path_id(request), user, actor_of(request), lang_of(request)))


async def pharmacy_queue(request: web.Request) -> web.Response:
    """Prescriptions waiting for review, oldest first."""
    user_of(request, "pharmacist")
    async with pool(request).acquire() as conn:
        return json(await service.pending(conn, actor_of(request), lang_of(request)))


async def review_prescription(request: web.Request) -> web.Response:
    """The pharmacist approves a prescription or returns it to the doctor with a reason."""
    pharmacist = user_of(request, "pharmacist")
    body = await parse_body(request, Review)
    async with pool(request).acquire() as conn:
        view = await service.review(conn, path_id(request), pharmacist, actor_of(request), body.decision, body.reason,
                                    lang_of(request))
    # The doctor's page hears at once (a returned prescription shows its reason there).
    await request.app[EVENTS].notify_user(view["doctor"]["id"], "prescription:reviewed", {
        "id": view["id"], "consultation_id": view["consultation_id"], "status": view["status"], "reason": view["reason"]})
    return json(view)
