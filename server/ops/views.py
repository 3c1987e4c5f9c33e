"""Operations: health check, Prometheus metrics, the OpenAPI document."""
from __future__ import annotations

import asyncio
import ipaddress

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from db import connect as database
from server.keys import DB_POOL, METRICS, ROUTE_TABLE, SIO, USER
from server.queue import service as queue_service
from server.web.common import json
from server.web.errors import Forbidden
from server.web.openapi import openapi_document


async def healthz(request: web.Request) -> web.Response:
    """200 once the database (and Redis, when configured) answers; 503 otherwise."""
    checks = {}
    try:
        async with asyncio.timeout(2):
            await database.answers(request.app[DB_POOL])
        checks["database"] = "ok"
    except Exception:
        checks["database"] = "unreachable"
    manager = request.app[SIO].manager
    redis = getattr(manager, "redis", None)
    if redis is not None:
        try:
            async with asyncio.timeout(2):
                await redis.ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "unreachable"
    ok = all(v == "ok" for v in checks.values())
    return json({"status": "ok" if ok else "unavailable", **checks}, status=200 if ok else 503)


def _from_operator(request: web.Request) -> bool:
    # Metrics are for the operator's scraper on the private network, never for patients' browsers:
    # loopback and private addresses only, never with a browser session, and never through the
    # public proxy. Behind docker-compose's nginx every request comes from a private address, so the
    # forwarding header the proxy adds (deploy/nginx.conf) is what tells a relayed request apart.
    try:
        address = ipaddress.ip_address(request.remote or "")
    except ValueError:
        return False
    relayed = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    return (address.is_loopback or address.is_private) and request[USER] is None and not relayed


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text format."""
    if not _from_operator(request):
        raise Forbidden("Metrics are for the operator's monitoring only.")
    registry = request.app[METRICS]
    async with request.app[DB_POOL].acquire() as conn:
        waiting, active = await queue_service.gauges(conn)
    for department, count in waiting.items():
        registry.waiting.labels(department).set(count)
    registry.active_consultations.set(active)
    return web.Response(body=generate_latest(registry.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})


async def openapi(request: web.Request) -> web.Response:
    """The public contract as OpenAPI 3.1."""
    return json(openapi_document(request.app[ROUTE_TABLE]))
