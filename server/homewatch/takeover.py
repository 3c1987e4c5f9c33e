"""Taking over a dead process's MQTT session, so the events the broker queued for it are not left
waiting for its return.

Why it is needed: every process keeps a persistent session (a stable client id) in the shared
subscription `$share/<group>/homewatch/+/events`. Mosquitto 2.0 keeps handing a disconnected
member with a persistent session its share of new events, queued in that session until the same
client id connects again (the MQTT 5 spec only says a broker *may* send them to another member;
Mosquitto does not). A SIGKILLed process would hold its share of every event until it restarts.

How: each process beats in `hw_ingesters` (its client id, every beat_seconds) while its broker
link is up. A process whose link is up claims (one row, FOR UPDATE SKIP LOCKED) a client id with
no beat for `takeover_seconds`, connects once under that id with clean_start false (the broker
resumes the session and sends what it queued, in-flight ones again), unsubscribes the shared
subscription at once (so nothing new is routed to the dead session), hands every message to the
link's normal ingestion path (stored, then acknowledged; duplicates are harmless by event id),
and when nothing has come for `QUIET_SECONDS` with everything stored, disconnects with session
expiry 0: the session ends and the broker stops queueing for it. If the taker dies mid-drain, the
session stays (expiry unchanged) and the claim lapses after `claim_seconds` for another to retry.
When the dead process comes back it connects under its own id, finds no session (or takes it
back, kicking a taker mid-drain, which then stops), and subscribes again.
"""
from __future__ import annotations

import asyncio
import logging

import aiomqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from server.homewatch import queries as sql
from server.homewatch.mqtt import CONTROL, QUIET_SECONDS, SESSION_EXPIRY_SECONDS, MqttLink, end_session, shared_filter

log = logging.getLogger(__name__)
MAX_DRAIN_SECONDS = 120  # a drain that never goes quiet gives up; the claim lapses and another retries


class Takeover:
    """One process's beat and its watch over the other processes' sessions."""

    def __init__(self, link: MqttLink, instance: str):
        self.link, self.cfg, self.instance = link, link.cfg, instance
        self.beat_seconds = max(0.2, self.cfg.takeover_seconds / 3)
        self.claim_seconds = max(30.0, self.cfg.takeover_seconds * 4)
        self.taken_over: list[str] = []   # client ids drained by this process (GET /api/homewatch/ingestion)
        self.drained = 0                  # messages handed to ingestion while draining

    async def run(self) -> None:
        """Beat while our own broker link is up; take over a dead process's session when one is found."""
        while True:
            try:
                if self.link.connected.is_set():
                    async with self.link.pool.acquire() as conn:
                        await conn.execute(sql.INGESTER_BEAT, self.cfg.mqtt_client_id, self.instance)
                        dead = await conn.fetchval(sql.CLAIM_DEAD_INGESTER, self.cfg.mqtt_client_id,
                                                   float(self.cfg.takeover_seconds), self.claim_seconds)
                    if dead is not None:
                        await self.take_over(dead)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("home watch session watch failed", exc_info=True)
            await asyncio.sleep(self.beat_seconds)

    async def take_over(self, client_id: str) -> None:
        """Drain the persistent session of `client_id` through the normal ingestion path, then end it."""
        log.warning("taking over the MQTT session of a silent process (%s)", client_id)
        mqtt = self.cfg.mqtt
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = SESSION_EXPIRY_SECONDS  # kept if we die mid-drain: another retries
        client = aiomqtt.Client(mqtt["hostname"], mqtt["port"], username=mqtt["username"], password=mqtt["password"],
                                identifier=client_id, protocol=aiomqtt.ProtocolVersion.V5, clean_start=False,
                                properties=properties, keepalive=10, timeout=10)
        client._client.manual_ack_set(True)  # noqa: SLF001 - PUBACK only once stored, as the link does
        tasks: set[asyncio.Task] = set()
        ended = False
        try:
            async with client:
                # Nothing new for the dead session from now on; what it holds is delivered anyway.
                await client.unsubscribe(shared_filter(self.cfg))
                await client.unsubscribe(f"{CONTROL}/response")
                ended = await self._drain(client, tasks)
                if ended:
                    end_session(client)
                    await asyncio.wait_for(asyncio.shield(client._disconnected), 5)  # noqa: SLF001
        except (aiomqtt.MqttError, TimeoutError) as exc:
            log.warning("the session takeover stopped: %s", type(exc).__name__)
        finally:
            if tasks:
                await asyncio.wait(tasks, timeout=10)
        if ended:
            async with self.link.pool.acquire() as conn:
                await conn.execute(sql.RELEASE_INGESTER, client_id, self.cfg.mqtt_client_id)
            self.taken_over.append(client_id)
            log.warning("the MQTT session of %s is drained and ended", client_id)

    async def _drain(self, client: aiomqtt.Client, tasks: set) -> bool:
        """Hand every queued message to ingestion until quiet; True when drained (False: gave up)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + MAX_DRAIN_SECONDS
        messages = client.messages
        while loop.time() < deadline:
            try:
                message = await asyncio.wait_for(messages.__anext__(), QUIET_SECONDS)
            except TimeoutError:
                if tasks:
                    await asyncio.wait(tasks)  # stored and acknowledged before we call it quiet
                    continue
                return True
            if message.topic.matches(f"{CONTROL}/response"):
                client._client.ack(message.mid, message.qos)  # noqa: SLF001
                continue
            await self.link._work.acquire()  # noqa: SLF001 - the link's own bound on events in hand
            task = asyncio.create_task(self.link._handle(client, message))  # noqa: SLF001
            tasks.add(task)
            task.add_done_callback(tasks.discard)
            self.drained += 1
        return False
