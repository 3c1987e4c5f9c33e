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
import asyncpg
import jinja2
import socketio
from aiohttp import web

from db.connect import create_pool
from db.migrate import migrate
from db.roles import dsn_user
from server import seed
from server.calls.media import EchoPeers
from server.homewatch import setup_homewatch
from server.identity import verification
from server.keys import (
    DB_POOL,
    EVENTS,
    IDENTITY_PROVIDER,
    INSTANCE_ID,
    MEDIA,
    METRICS,
    QUEUE_ARRIVALS,
    QUEUE_ORDERS,
    RATE_LIMITER,
    SETTINGS,
    SIO,
    SMS_SENDER,
)
from server.outbox import service as outbox
from server.presence import service as presence
from server.queue import service as queue_service
from server.queue.arrivals import Arrivals
from server.queue.housekeeping import housekeeping_ctx
from server.queue.order import WaitingOrders
from server.settings import Settings
from server.web import jsoncodec
from server.web.metrics import Metrics
from server.web.middleware import setup_middlewares
from server.web.pages import page_context
from server.web.ratelimit import PostgresStore, RateLimiter, RedisStore, namespace_for
from server.web.routes import setup_routes
from signaling import fanout
from signaling.live import LiveEvents, QueueRelay
from signaling.namespace import ClinicNamespace, member_left
from signaling.redis_manager import BoundedRedisManager, channel_for

log = logging.getLogger(__name__)
TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "webclient" / "templates"


async def database_ctx(app: web.Application):
    """The connection pool; migrations and department seeding run before the first request.

    With DATABASE_OWNER_URL, migrations run as the owner, who also makes (or re-grants) the app's
    least-privileged role named in DATABASE_URL (db/roles.py); the pool then connects as that role.
    """
    settings = app[SETTINGS]
    own_pool = DB_POOL not in app
    if not settings.database_url:
        raise RuntimeError("DATABASE_URL is not set (python -m server starts an embedded PostgreSQL)")
    if settings.owner_database_url:
        owner = await asyncpg.connect(settings.owner_database_url)
        try:
            role, password = dsn_user(settings.database_url)
            await migrate(owner, app_role=role, app_password=password)
        finally:
            await owner.close()
    if own_pool:
        app[DB_POOL] = await create_pool(settings.database_url)
    async with app[DB_POOL].acquire() as conn:
        if not settings.owner_database_url:
            try:
                await migrate(conn)  # nothing to do when the owner has migrated already
            except asyncpg.InsufficientPrivilegeError:
                raise RuntimeError("migrations are pending and DATABASE_URL's role may not apply them: "
                                   "set DATABASE_OWNER_URL") from None
        await seed.seed_departments(conn)
        if settings.demo:
            await seed.seed_demo(conn)
    # Positions from this process's copy of the waiting order; the naive baseline reads the database.
    app[QUEUE_ORDERS] = None if settings.queue_updates == "naive" else WaitingOrders(app[DB_POOL])
    app[EVENTS].orders = app[QUEUE_ORDERS]
    app[QUEUE_ARRIVALS] = Arrivals()  # concurrent arrivals to a department share one statement
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


async def ratelimit_ctx(app: web.Application):
    """The rate limiter: counters in Redis when REDIS_URL is set, in PostgreSQL otherwise."""
    settings = app[SETTINGS]
    if settings.redis_url:
        store = RedisStore(settings.redis_url)
    else:
        # A pool of its own: a login flood queues on these few connections, never on the clinic's.
        store = PostgresStore(await create_pool(settings.database_url, min_size=1, max_size=4), own_pool=True)
    app[RATE_LIMITER] = RateLimiter(store, namespace_for(settings.database_url), enabled=settings.rate_limits)
    yield
    await app[RATE_LIMITER].close()


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
    relay = QueueRelay(app[EVENTS], app[SETTINGS].redis_url, channel_for(app[SETTINGS].redis_url) + "-queue",
                       app[INSTANCE_ID])
    await relay.start()
    app[EVENTS].relay = relay
    yield
    app[EVENTS].relay = None
    await relay.close()
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
    """The Socket.IO server; with REDIS_URL, emits cross processes through a bounded Redis pool.

    Broadcasts are encoded once and written to each connection directly (signaling/fanout.py);
    packets are encoded with orjson (server/web/jsoncodec.py).
    """
    if settings.redis_url:
        manager = BoundedRedisManager(settings.redis_url, max_connections=settings.redis_max_connections,
                                      json=jsoncodec)
    else:
        manager = fanout.FanoutManager()
    # Engine.IO's own ping defaults (25 s, then 20 s to answer): a phone on a weak network stalls for
    # seconds without being dropped from its queue room, and each ping costs the phone and the server
    # (at 10 s, 5,000 waiting clients' pings were a fifth of the server's CPU between queue changes).
    # A tab that closes says so at once; only a vanished network takes the 45 s.
    sio = socketio.AsyncServer(async_mode="aiohttp", client_manager=manager, transports=["websocket", "polling"],
                               max_http_buffer_size=2_000_000, ping_interval=25, ping_timeout=20,
                               logger=False, engineio_logger=False, json=jsoncodec)
    fanout.install(sio)
    return sio


def create_app(settings: Settings | None = None) -> web.Application:
    """Build the application: settings, middlewares, routes, templates, Socket.IO, resources."""
    settings = settings or Settings.from_env()
    app = web.Application(client_max_size=12 * 1024 * 1024)
    app[SETTINGS] = settings
    app[INSTANCE_ID] = secrets.token_hex(6)
    app[METRICS] = Metrics()
    app[IDENTITY_PROVIDER] = verification.provider_for(settings.demo)  # replaceable, e.g. by a test
    app[SMS_SENDER] = outbox.DevelopmentSender()  # a gateway's client replaces it in production
    setup_middlewares(app)
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True,
                         context_processors=[page_context])
    setup_routes(app)
    sio = create_socketio(settings)
    sio.register_namespace(ClinicNamespace(app))
    sio.attach(app)
    app[SIO] = sio
    app[EVENTS] = LiveEvents(sio, app, naive_queue_updates=settings.queue_updates == "naive")
    app.cleanup_ctx.extend([database_ctx, ratelimit_ctx, redis_ctx, presence_ctx, media_ctx, housekeeping_ctx])
    setup_homewatch(app)
    app.on_shutdown.append(drain_sockets)
    return app
