"""The composition root: create_app(settings) builds the aiohttp application with one cleanup_ctx per resource.

A resource already present on the app (a test's own pool, say) is used as it is.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from pathlib import Path

import aiohttp_jinja2
import jinja2
import socketio
from aiohttp import web

from db.connect import create_pool
from db.migrate import migrate
from server import seed
from server.calls.media import EchoPeers
from server.keys import DB_POOL, EVENTS, INSTANCE_ID, MEDIA, METRICS, SETTINGS, SIO, SMS_SENDER
from server.outbox import service as outbox
from server.presence import service as presence
from server.queue import service as queue_service
from server.queue.housekeeping import housekeeping_ctx
from server.settings import Settings
from server.web.metrics import Metrics
from server.web.middleware import setup_middlewares
from server.web.pages import page_context
from server.web.routes import setup_routes
from signaling.live import LiveEvents
from signaling.namespace import ClinicNamespace, member_left
from signaling.redis_manager import BoundedRedisManager

log = logging.getLogger(__name__)
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "webclient" / "templates"


async def database_ctx(app: web.Application):
    """The connection pool; migrations and department seeding run before the first request."""
    settings = app[SETTINGS]
    own_pool = DB_POOL not in app
    if own_pool:
        if not settings.database_url:
            raise RuntimeError("DATABASE_URL is not set (python -m server starts an embedded PostgreSQL)")
        app[DB_POOL] = await create_pool(settings.database_url)
    async with app[DB_POOL].acquire() as conn:
        await migrate(conn)
        await seed.seed_departments(conn)
        if settings.demo:
            await seed.seed_demo(conn)
    yield
    if own_pool:
        await app[DB_POOL].close()


async def presence_ctx(app: web.Application):
    """Heartbeat this process so others can tell its room presence is live; forget it at shutdown."""
    async def left(conn, consultation_id: int, role: str) -> None:
        await member_left(app[SIO], conn, consultation_id, role)

    async with app[DB_POOL].acquire() as conn:
        await presence.heartbeat(conn, app[INSTANCE_ID])
    task = asyncio.create_task(presence.heartbeats(app[DB_POOL], app[INSTANCE_ID], left))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    async with app[DB_POOL].acquire() as conn:
        await presence.forget_instance(conn, app[INSTANCE_ID])
        await queue_service.forget_instance(conn, app[INSTANCE_ID])


async def media_ctx(app: web.Application):
    """aiortc peers of the pre-call check; all closed at shutdown."""
    app[MEDIA] = EchoPeers()
    yield
    await app[MEDIA].close_all()


async def redis_ctx(app: web.Application):
    """With REDIS_URL: subscribe to the other processes' events at start-up, not at the first connection
    (python-socketio's default), so nothing published meanwhile is missed; close the client at the end."""
    sio = app[SIO]
    manager = sio.manager
    if not isinstance(manager, BoundedRedisManager):
        yield
        return
    sio.manager_initialized = True
    manager.initialize()
    yield
    if getattr(manager, "thread", None) is not None:
        manager.thread.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await manager.thread
    await manager.close()


async def drain_sockets(app: web.Application) -> None:
    """On SIGTERM: warn the clients, then close their transports so they reconnect elsewhere.

    aiohttp has already stopped accepting connections; in-flight requests get the shutdown
    timeout to finish; the cleanup contexts then close aiortc peers and the database pool.
    Closing at the Engine.IO level (not a Socket.IO disconnect) makes clients reconnect by themselves.
    """
    sio = app[SIO]
    await sio.emit("server:draining", {})
    if sio.eio.sockets:  # engineio's disconnect-all fails on an empty set
        await sio.eio.disconnect()
    await sio.shutdown()


def create_socketio(settings: Settings) -> socketio.AsyncServer:
    """The Socket.IO server; with REDIS_URL, emits cross processes through a bounded Redis pool."""
    manager = None
    if settings.redis_url:
        manager = BoundedRedisManager(settings.redis_url, max_connections=settings.redis_max_connections)
    return socketio.AsyncServer(async_mode="aiohttp", client_manager=manager, transports=["websocket", "polling"],
                                max_http_buffer_size=2_000_000, ping_interval=10, ping_timeout=10,
                                logger=False, engineio_logger=False)


def create_app(settings: Settings | None = None) -> web.Application:
    """Build the application: settings, middlewares, routes, templates, Socket.IO, resources."""
    settings = settings or Settings.from_env()
    app = web.Application(client_max_size=12 * 1024 * 1024)
    app[SETTINGS] = settings
    app[INSTANCE_ID] = secrets.token_hex(6)
    app[METRICS] = Metrics()
    setup_middlewares(app)
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True,
                         context_processors=[page_context])
    setup_routes(app)
    sio = create_socketio(settings)
    sio.register_namespace(ClinicNamespace(app))
    sio.attach(app)
    app[SIO] = sio
    app[EVENTS] = LiveEvents(sio, app, naive_queue_updates=settings.queue_updates == "naive")
    app[SMS_SENDER] = outbox.DevelopmentSender()  # a gateway's client replaces it in production
    app.cleanup_ctx.extend([database_ctx, redis_ctx, presence_ctx, media_ctx, housekeeping_ctx])
    app.on_shutdown.append(drain_sockets)
    return app
