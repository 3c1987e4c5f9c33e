"""python-socketio's Redis manager with a bounded, blocking connection pool and batched publishes.

Measured here: the stock manager's unbounded pool opened about 3,400 Redis connections under load
and its goodput collapsed near 4k emits/s. A BlockingConnectionPool of fixed size makes publishers
wait for a free connection instead of opening more. But one PUBLISH round trip per emit, each
holding a pooled connection while the event handler waits, still collapsed two processes at 1,000
signaling pairs (bench/README.md): once the loop fell behind, the 32 connections stayed checked out,
publishes waited 10 s for one and were dropped ("Cannot publish to redis"). Now an emit queues its
message and returns; one flusher per process sends everything queued so far as one pipeline (one
round trip, one connection, in order), so the cost per message is a list append and its share of
one write.
"""
from __future__ import annotations

import logging
from urllib.parse import urlsplit

import redis.asyncio as aioredis
import socketio

from signaling.fanout import FanoutManager
from signaling.live import DISCONNECT_ROOM, disconnect_local

log = logging.getLogger(__name__)
MAX_BATCH = 500  # messages per pipeline: bounds one write (a few MB of SDP at most)


def channel_for(url: str) -> str:
    """The pub/sub channel of the deployment using database `url`.

    Redis pub/sub ignores database numbers: with the stock channel name every deployment (or test
    run) sharing a Redis server would receive the others' emits, and rooms such as `user:1` exist in
    each of them. Naming the channel after the database keeps `redis://host/15` apart from `/0`.
    """
    database = urlsplit(url).path.strip("/") or "0"
    return f"clinic-socketio-db{database}"


class BoundedRedisManager(socketio.AsyncRedisManager, FanoutManager):
    """AsyncRedisManager whose publishers share at most `max_connections` Redis connections.

    FanoutManager comes after the pub/sub manager in the method order, so each message received
    from Redis is delivered locally by its one-frame-for-all emit.
    """

    def __init__(self, url: str, max_connections: int = 32, **kwargs):
        kwargs.setdefault("channel", channel_for(url))
        super().__init__(url, **kwargs)
        self.max_connections = max_connections
        # Made once, here, and kept across reconnects: the stock manager builds a new client (and
        # so a new pool) on every reconnect, which would make the bound per reconnect, not per
        # process. Made eagerly so /healthz can ping Redis before the first socket connects (the
        # stock manager has no client until then and the health check silently skipped Redis).
        pool = aioredis.BlockingConnectionPool.from_url(url, max_connections=max_connections, timeout=10)
        self.redis = aioredis.Redis(connection_pool=pool)
        self._outbox: list[str] = []
        self._flushing = False
        self.published = self.dropped = 0  # counters for the benchmarks and the log

    async def _publish(self, data):
        # Queued, not awaited: the flusher sends it with whatever else is queued (module docstring).
        self._outbox.append(self.json.dumps(data))
        if not self._flushing:
            self._flushing = True
            self.server.start_background_task(self._flush)

    async def _flush(self) -> None:
        """Send the queued messages, oldest first, one pipeline per batch; a batch is tried twice."""
        try:
            while self._outbox:
                batch, self._outbox = self._outbox[:MAX_BATCH], self._outbox[MAX_BATCH:]
                for attempt in (1, 2):
                    try:
                        async with self.redis.pipeline(transaction=False) as pipe:
                            for message in batch:
                                pipe.publish(self.channel, message)
                            await pipe.execute()
                        self.published += len(batch)
                        break
                    except Exception as exc:  # Redis down or unreachable: as the stock manager, log and go on
                        if attempt == 2:
                            self.dropped += len(batch)
                            log.error("cannot publish %d messages to Redis: %s", len(batch), type(exc).__name__)
        finally:
            self._flushing = False

    def _redis_connect(self):
        # Called by the listener on (re)subscribe and by a publisher after an error. The subscriber
        # gets its own client outside the bounded pool: an abandoned PubSub (after a Redis outage)
        # would otherwise keep one pooled connection checked out for good. Publishers keep the
        # pool; redis-py reconnects a dropped pooled connection by itself. (A PubSub connects only
        # when it subscribes, so one made after a publisher's error costs nothing.)
        self.pubsub = aioredis.Redis.from_url(self.redis_url).pubsub(ignore_subscribe_messages=True)
        self.connected = True

    async def _handle_emit(self, message):
        # live.disconnect_room's message: close this process's connections in the room instead of emitting.
        if message.get("event") == DISCONNECT_ROOM:
            await disconnect_local(self.server, message.get("room"), message.get("namespace") or "/")
            return
        await super()._handle_emit(message)

    async def close(self) -> None:
        """Release the Redis connections (at shutdown)."""
        if self.pubsub is not None:
            await self.pubsub.aclose()
        await self.redis.aclose(close_connection_pool=True)
