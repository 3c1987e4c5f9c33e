"""Home watch routes for devices: provisioning (HTTP token and broker account, shown once), HTTP
ingestion for devices that cannot speak MQTT, and this process's broker link for operations."""
from __future__ import annotations

import json as json_module
from typing import Literal

from aiohttp import web

from server.homewatch import homes, service
from server.homewatch import queries as sql
from server.homewatch.mqtt import events_topic
from server.homewatch.view_access import home_for, hw
from server.keys import INSTANCE_ID
from server.web.common import json, path_id, pool, user_of
from server.web.errors import AppError, ValidationFailed
from server.web.validation import Body, parse_body


class NewDevice(Body):
    kind: Literal["presence", "button", "hub"]
    room: Literal["bedroom", "living_room", "bathroom", "kitchen", "hall"] | None = None


async def add_device(request: web.Request) -> web.Response:
    """The operator provisions a device: its HTTP token and (with a broker) its own MQTT account,
    allowed to publish only to its own topic. The secrets are shown once."""
    _user, home, _relation = await home_for(request, "homewatch.device.add", "operator")
    body = await parse_body(request, NewDevice)
    if body.kind == "presence" and body.room is None:
        raise ValidationFailed("A presence sensor needs its room.", field="room", code="required")
    runtime = hw(request)
    async with pool(request).acquire() as conn:
        device = await homes.add_device(conn, home["id"], body.kind, body.room)
        token, token_hash = homes.new_device_token()
        await conn.execute(sql.SET_DEVICE_TOKEN, device["id"], token_hash)
        mqtt = None
        if runtime.mqtt is not None:
            password = homes.device_password()
            try:
                username = await runtime.mqtt.provision(device["id"], password)
            except Exception:
                await conn.execute(sql.DELETE_DEVICE, device["id"])
                raise
            await conn.execute(sql.SET_DEVICE_USERNAME, device["id"], username)
            mqtt = {"url": runtime.cfg.device_url, "username": username, "password": password,
                    "topic": events_topic(device["id"]), "ack_topic": f"homewatch/{device['id']}/ack"}
    return json({"id": str(device["id"]), "kind": device["kind"], "room": device["room"], "token": token,
                 "mqtt": mqtt}, status=201)


async def device_events(request: web.Request) -> web.Response:
    """A device that cannot speak MQTT posts one event or a list, with its signed bearer token."""
    device_id = path_id(request)
    header = request.headers.get("Authorization", "")
    token = header[7:] if header.startswith("Bearer ") else ""
    async with pool(request).acquire() as conn:
        device = await conn.fetchrow(sql.DEVICE, device_id)
    if device is None or not homes.token_matches(device, token):
        raise AppError("Unknown device or token.", code="bad_device_token", status=401)
    body = await read_json_any(request)
    items = body if isinstance(body, list) else [body]
    if not items or len(items) > 100:
        raise ValidationFailed("Send 1 to 100 events.", field="events")
    events = [service.parse_event(item, f"[{i}]" if isinstance(body, list) else "") for i, item in enumerate(items)]
    accepted = duplicates = 0
    raised: list[int] = []
    runtime = hw(request)
    async with pool(request).acquire() as conn:
        for event in events:
            result = await service.ingest(conn, runtime.cfg, device, event)
            duplicates += result.duplicate
            accepted += not result.duplicate
            raised += result.alert_ids
    if raised:
        await runtime.alerts_raised(raised)
    return json({"accepted": accepted, "duplicates": duplicates}, status=202)


async def ingestion(request: web.Request) -> web.Response:
    """This process's broker link: connected or not, events stored and duplicates met (for operations)."""
    user_of(request, "admin")
    runtime = hw(request)
    link, takeover = runtime.mqtt, runtime.takeover
    return json({"instance": request.app[INSTANCE_ID], "mqtt": link is not None,
                 "client_id": runtime.cfg.mqtt_client_id if link else None,
                 "connected": bool(link and link.connected.is_set()),
                 "handled": link.handled if link else 0, "duplicates": link.duplicates if link else 0,
                 "taken_over": takeover.taken_over if takeover else [],
                 "drained": takeover.drained if takeover else 0})


async def read_json_any(request: web.Request):
    """A JSON object or a list (devices may batch); the same size limit as every body."""
    raw = await request.read()
    if len(raw) > 256 * 1024:
        raise ValidationFailed("The body is too large.", code="body_too_large", status=413)
    try:
        return json_module.loads(raw or b"{}")
    except ValueError:
        raise ValidationFailed("The body is not valid JSON.", code="bad_json", status=400) from None
