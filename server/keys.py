"""Typed application keys: one per shared resource, set by its cleanup_ctx in app.py."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import asyncpg
from aiohttp import web

if TYPE_CHECKING:
    import socketio

    from server.events import Events
    from server.settings import Settings
    from server.web.metrics import Metrics

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
DB_POOL: web.AppKey[asyncpg.Pool] = web.AppKey("db_pool", asyncpg.Pool)
SIO: web.AppKey[socketio.AsyncServer] = web.AppKey("sio")
EVENTS: web.AppKey[Events] = web.AppKey("events")  # the live events the domains publish
MEDIA: web.AppKey[Any] = web.AppKey("media")
METRICS: web.AppKey[Metrics] = web.AppKey("metrics")
INSTANCE_ID: web.AppKey[str] = web.AppKey("instance_id", str)
ROUTE_TABLE: web.AppKey[list] = web.AppKey("route_table", list)  # for the OpenAPI document
RATE_LIMITER: web.AppKey[Any] = web.AppKey("rate_limiter")
QUEUE_ARRIVALS: web.AppKey[Any] = web.AppKey("queue_arrivals")  # server/queue/arrivals.py
QUEUE_ORDERS: web.AppKey[Any] = web.AppKey("queue_orders")  # server/queue/order.py, or None (naive mode)

# Per-request values set by the middlewares.
USER: web.RequestKey[Any] = web.RequestKey("user", object)
REQUEST_ID: web.RequestKey[str] = web.RequestKey("request_id", str)

# Care: the identity verification provider and the SMS sender (server/identity, server/outbox).
IDENTITY_PROVIDER: web.AppKey[Any] = web.AppKey("identity_provider")
SMS_SENDER: web.AppKey[Any] = web.AppKey("sms_sender")
