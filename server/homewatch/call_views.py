"""Routes of the video calls into a home (server/homewatch/calls.py): thin handlers that check who
is asking, call the service, then tell both members live (`homecall:update`)."""
from __future__ import annotations

from aiohttp import web

from server.homewatch import call_queries as sql
from server.homewatch import calls
from server.homewatch.keys import HOMEWATCH
from server.keys import EVENTS, SETTINGS
from server.records import home_calls as record_calls
from server.records.views import FhirExport
from server.web import pages
from server.web.common import actor_of, json, path_id, pool, user_of
from server.web.errors import NotFound
from server.web.validation import parse_body, parse_query


async def _publish(request: web.Request, call) -> None:
    """Each member gets its own view of the call; an ended call's rooms are closed."""
    await request.app[EVENTS].home_call_changed(call["id"], calls.member_views(call), ended=call["status"] == "ended")


async def _publish_expired(request: web.Request, rows) -> None:
    async with pool(request).acquire() as conn:
        for row in rows:
            await _publish(request, await conn.fetchrow(sql.CALL, row["id"]))


async def start_call(request: web.Request) -> web.Response:
    """The home's doctor or a carer on duty rings the home page (auto-answer only with consent)."""
    user = user_of(request, "doctor", "carer")
    body = await parse_body(request, calls.NewCall)
    async with pool(request).acquire() as conn:
        call = await calls.start(conn, user, actor_of(request), path_id(request), body.alert_id)
    await _publish(request, call)
    return json(calls.view(call, "caller"), status=201)


async def home_calls(request: web.Request) -> web.Response:
    """The home's recent calls (with the doctor's notes for the home's doctor)."""
    user = user_of(request)
    async with pool(request).acquire() as conn:
        return json(await calls.calls_of_home(conn, user, actor_of(request), path_id(request)))


async def open_calls(request: web.Request) -> web.Response:
    """My calls that ring or run: the home page rings again, the caller's page rejoins, after a reload."""
    user = user_of(request)
    async with pool(request).acquire() as conn:
        expired = await calls.expire(conn, None, user["id"])
        views = await calls.open_calls(conn, user, actor_of(request))
    await _publish_expired(request, expired)
    return json(views)


async def get_call(request: web.Request) -> web.Response:
    """One call, for its two members and the home's doctor."""
    user = user_of(request)
    async with pool(request).acquire() as conn:
        return json(await calls.read(conn, path_id(request), user, actor_of(request)))


async def answer_call(request: web.Request) -> web.Response:
    """The home answers (a tap, or the page itself after the countdown when the consent stands)."""
    user = user_of(request)
    body = await parse_body(request, calls.Answer)
    async with pool(request).acquire() as conn:
        call = await calls.answer(conn, path_id(request), user, actor_of(request), body.auto)
    await _publish(request, call)
    return json(calls.view(call, "home"))


async def end_call(request: web.Request) -> web.Response:
    """Hang up, or decline while it rings; both pages close the call and its room closes."""
    user = user_of(request)
    body = await parse_body(request, calls.EndCall)
    async with pool(request).acquire() as conn:
        call = await calls.end(conn, path_id(request), user, actor_of(request), body.reason)
    await _publish(request, call)
    return json(calls.view(call, calls.role_in(call, user)))


async def add_note(request: web.Request) -> web.Response:
    """The calling doctor's note of the call (during or after it), or a correction of one."""
    user = user_of(request, "doctor")
    body = await parse_body(request, calls.Note)
    async with pool(request).acquire() as conn:
        return json(await calls.add_note(conn, path_id(request), user, actor_of(request), body), status=201)


async def resolve_alert(request: web.Request) -> web.Response:
    """Close the call's alert with outcome `video_call`, linked to the call (the alert's owner)."""
    user = user_of(request, "doctor", "carer")
    body = await parse_body(request, calls.ResolveByCall)
    async with pool(request).acquire() as conn:
        row = await calls.resolve_alert(conn, path_id(request), user, actor_of(request), body.note)
    await request.app[HOMEWATCH].publish([], also=[row["id"]])
    return json({"alert_id": str(row["id"]), "status": row["status"], "outcome": row["outcome"],
                 "call_id": str(path_id(request))})


async def fhir_export(request: web.Request) -> web.Response:
    """The call as a FHIR R4 Bundle (virtual Encounter, the doctor's note), for the call's doctor and
    the resident."""
    user = user_of(request)
    kind = parse_query(request, FhirExport).type
    actor = actor_of(request)
    async with pool(request).acquire() as conn:
        call, _role = await calls.load(conn, path_id(request), user, actor, "homewatch.call.export_fhir",
                                       roles=("caller", "home", "doctor"))
        if call["caller_role"] != "doctor":
            raise NotFound("A carer's call has no clinical note to export.", code="call_not_found")
        bundle = await record_calls.fhir_bundle(conn, call, request.app[SETTINGS].public_base(), kind)
    return web.json_response(bundle, content_type="application/fhir+json")


doctor_page = pages.page("homewatch/doctor.html", "doctor")

ROUTES = [
    ("GET", "/homewatch/doctor", doctor_page, "hw_doctor_page", None),
    ("POST", "/api/homewatch/homes/{id}/calls", start_call, "hw_call_start", calls.NewCall),
    ("GET", "/api/homewatch/homes/{id}/calls", home_calls, "hw_home_calls", None),
    ("GET", "/api/homewatch/calls", open_calls, "hw_calls_open", None),
    ("GET", "/api/homewatch/calls/{id}", get_call, "hw_call", None),
    ("POST", "/api/homewatch/calls/{id}/answer", answer_call, "hw_call_answer", calls.Answer),
    ("POST", "/api/homewatch/calls/{id}/end", end_call, "hw_call_end", calls.EndCall),
    ("POST", "/api/homewatch/calls/{id}/notes", add_note, "hw_call_note", calls.Note),
    ("POST", "/api/homewatch/calls/{id}/resolve-alert", resolve_alert, "hw_call_resolve_alert", calls.ResolveByCall),
    ("GET", "/api/homewatch/calls/{id}/fhir", fhir_export, "hw_call_fhir", FhirExport),
]
