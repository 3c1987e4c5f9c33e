"""The signaling benchmark's baseline: a bare python-socketio relay. No sign-in, no membership
check, no validation, no database, no metrics: what a relay costs before our work is added.

    python -m bench.bare_relay --port 8090 [--redis-url redis://127.0.0.1:6379/14 [--bounded]]

A client connects with `auth={"room": "..."}`; `signal` goes to the room's other member
(skip_sid), `chat` to both members (as ours does, minus storing it). With --redis-url the stock
socketio.AsyncRedisManager carries emits between relay processes; with --bounded our
BoundedRedisManager does instead (the same pool as the clinic's server, so only the work differs).
Serves /healthz for readiness.
"""
from __future__ import annotations

import argparse

import socketio
from aiohttp import web

CHANNEL = "bench-bare-relay"  # never the clinic's channel: both may share one Redis


def create_app(redis_url: str | None = None, bounded: bool = False) -> web.Application:
    """The relay as an aiohttp application."""
    manager = None
    if redis_url and bounded:
        from signaling.redis_manager import BoundedRedisManager
        manager = BoundedRedisManager(redis_url, channel=CHANNEL)
    elif redis_url:
        manager = socketio.AsyncRedisManager(redis_url, channel=CHANNEL)
    # The same engine settings as the clinic's server (server/app.py), so only the work differs.
    sio = socketio.AsyncServer(async_mode="aiohttp", client_manager=manager, transports=["websocket", "polling"],
                               max_http_buffer_size=2_000_000, ping_interval=10, ping_timeout=10,
                               logger=False, engineio_logger=False)

    @sio.event
    async def connect(sid, environ, auth=None):
        room = (auth or {}).get("room")
        if not isinstance(room, str) or not room:
            raise ConnectionRefusedError("room")
        await sio.save_session(sid, {"room": room})
        await sio.enter_room(sid, room)

    @sio.on("signal")
    async def signal(sid, data):
        room = (await sio.get_session(sid))["room"]
        await sio.emit("signal", data, room=room, skip_sid=sid)

    @sio.on("chat")
    async def chat(sid, data):
        room = (await sio.get_session(sid))["room"]
        await sio.emit("chat", data, room=room)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    sio.attach(app)
    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    """Serve the relay on 127.0.0.1."""
    parser = argparse.ArgumentParser(prog="python -m bench.bare_relay")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--redis-url")
    parser.add_argument("--bounded", action="store_true", help="bounded Redis pool instead of the stock manager's")
    args = parser.parse_args()
    web.run_app(create_app(args.redis_url, args.bounded), host="127.0.0.1", port=args.port, print=None, access_log=None)


if __name__ == "__main__":
    main()
