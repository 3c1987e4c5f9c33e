"""MQTT: the kept broker connection of one server process (aiomqtt), ingestion and provisioning.

- Ingestion: the processes share one subscription (`$share/<group>/homewatch/+/events`), so the
  broker hands each event to one of them. The session is persistent under a stable client id and
  each event is acknowledged (PUBACK) only after its transaction committed: an event in flight
  when a process dies is redelivered when it comes back, and (device, event_id) de-duplicates.
- Devices: Mosquitto's dynamic security plugin, driven over its control topic. Provisioning a
  device creates its client (own username and password) and a role that lets it publish only to
  `homewatch/<id>/events` and subscribe only to `homewatch/<id>/ack`, where it hears "acknowledged".
- Losing the broker starts one "monitoring interrupted" timer in PostgreSQL (service.broker_down).
- A graceful stop (`leave`) ends the process's own session: unsubscribe (new events go to the other
  members), store what was already handed to it, then disconnect with session expiry 0, so nothing
  is queued for it while it is away and no survivor has to take it over.
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
from datetime import UTC, datetime

import aiomqtt
import asyncpg
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from server.homewatch import queries as sql
from server.homewatch import service
from server.homewatch.config import HomewatchSettings
from server.web.errors import AppError

log = logging.getLogger(__name__)
CONTROL = "$CONTROL/dynamic-security/v1"
EVENTS_FILTER = "homewatch/+/events"
SERVER_ROLE = "clinic-server"
SESSION_EXPIRY_SECONDS = 7 * 86400
MAX_CONCURRENT_EVENTS = 256     # events being stored at once (each holds a semaphore slot)
MAX_CONCURRENT_TRANSACTIONS = 16  # of which other than heartbeats, each a transaction on a pool connection
HEARTBEAT_BATCH_SECONDS = 0.01
HEARTBEAT_BATCH_MAX = 500
QUIET_SECONDS = 1.0       # nothing more from the broker this long (all stored): the session's queue is empty
LEAVE_MAX_SECONDS = 8.0   # a graceful stop drains at most this long (within the shutdown's grace)


def shared_filter(cfg: HomewatchSettings) -> str:
    """The shared subscription every process's session holds."""
    return f"$share/{cfg.mqtt_share_group}/{EVENTS_FILTER}"


def end_session(client: aiomqtt.Client) -> None:
    """DISCONNECT with session expiry 0: the broker forgets the session (it was drained)."""
    properties = Properties(PacketTypes.DISCONNECT)
    properties.SessionExpiryInterval = 0
    with contextlib.suppress(Exception):
        client._client.disconnect(reasoncode=ReasonCode(PacketTypes.DISCONNECT, "Normal disconnection"),  # noqa: SLF001
                                  properties=properties)


def events_topic(device_id) -> str:
    """The one topic a device may publish to."""
    return f"homewatch/{device_id}/events"


def ack_topic(device_id) -> str:
    """Where a device hears that a carer took its alert."""
    return f"homewatch/{device_id}/ack"


def device_username(device_id) -> str:
    """The device's broker account name."""
    return f"device-{device_id}"


class BrokerError(AppError):
    status, code, message = 503, "broker_unavailable", "The device broker is not reachable; try again."


class MqttLink:
    """One process's broker connection: consumes events, provisions devices, publishes acks."""

    def __init__(self, cfg: HomewatchSettings, pool, on_ingested):
        self.cfg, self.pool, self.on_ingested = cfg, pool, on_ingested
        self.client: aiomqtt.Client | None = None
        self.connected = asyncio.Event()
        self._responses: dict[str, asyncio.Future] = {}
        self._work = asyncio.Semaphore(MAX_CONCURRENT_EVENTS)
        self._transactions = asyncio.Semaphore(MAX_CONCURRENT_TRANSACTIONS)
        self._tasks: set[asyncio.Task] = set()
        # Devices never move between homes or rooms (a new device is a new row), so their rows are kept.
        self._devices: dict[int, object] = {}
        self._beats: list[tuple] = []
        self._role_added = False
        self._flusher: asyncio.Task | None = None
        self._leaving = False
        self._last_message = 0.0  # loop time of the last event the broker handed us
        self.handled = 0      # events this process stored (GET /api/homewatch/ingestion)
        self.duplicates = 0   # deliveries it found already stored

    async def run(self) -> None:
        """Connect, subscribe and consume for ever; on loss, mark the broker down and retry."""
        backoff = 0.5
        while True:
            try:
                await self._session()
            except (aiomqtt.MqttError, OSError) as exc:
                if not self._leaving:
                    log.warning("MQTT broker unreachable: %s", type(exc).__name__)
            except Exception:
                log.exception("MQTT link failed")
            self.connected.clear()
            self.client = None
            if self._leaving:  # our own graceful stop ended the session: not an outage
                return
            if self._role_added:  # the broker dropped us to apply our new role: not an outage
                self._role_added = False
                continue
            try:
                async with self.pool.acquire() as conn:
                    await service.broker_down(conn, self.cfg)
            except Exception:
                log.warning("could not record the broker as down", exc_info=True)
            await asyncio.sleep(backoff)
            backoff = min(5.0, backoff * 2)

    async def _session(self) -> None:
        mqtt = self.cfg.mqtt
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = SESSION_EXPIRY_SECONDS
        client = aiomqtt.Client(mqtt["hostname"], mqtt["port"], username=mqtt["username"],
                                password=mqtt["password"], identifier=self.cfg.mqtt_client_id,
                                protocol=aiomqtt.ProtocolVersion.V5, clean_start=False,
                                properties=properties, keepalive=10, timeout=10)
        # PUBACK only once the event is stored: aiomqtt has no switch for it, paho has.
        client._client.manual_ack_set(True)  # noqa: SLF001
        async with client:
            self.client = client
            await client.subscribe(f"{CONTROL}/response", qos=1)
            await client.subscribe(shared_filter(self.cfg), qos=1)
            self._setup = asyncio.create_task(self._ready())  # needs the loop below for its answers
            async for message in client.messages:
                if message.topic.matches(f"{CONTROL}/response"):
                    self._control_response(message)
                    client._client.ack(message.mid, message.qos)  # noqa: SLF001
                    continue
                self._last_message = asyncio.get_running_loop().time()
                await self._work.acquire()
                task = asyncio.create_task(self._handle(client, message))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _ready(self) -> None:
        try:
            async with self.pool.acquire() as conn:
                await service.broker_up(conn)
        except Exception:
            log.warning("could not record the broker as up", exc_info=True)
        for attempt in range(5):
            try:
                await self._ensure_server_role()
                self.connected.set()
                return
            except BrokerError:
                if self.client is None:
                    return  # the connection went (to apply the role, or an outage): the next session retries
                log.warning("the broker did not answer the set-up (attempt %d)", attempt + 1)

    async def _handle(self, client: aiomqtt.Client, message) -> None:
        try:
            parts = str(message.topic).split("/")
            device_id = int(parts[1]) if len(parts) == 3 and parts[1].isascii() and parts[1].isdigit() else None
            event = None
            if device_id is not None:
                try:
                    event = service.parse_event(json.loads(message.payload))
                except (ValueError, AppError):
                    log.warning("device %s sent an event that fails the input checks", device_id)
            if event is not None and event.kind == "heartbeat":
                if not await self._heartbeat(device_id, event):
                    return  # not stored: not acknowledged, the broker redelivers it on the next session
            elif event is not None:
                for attempt in range(3):
                    try:
                        async with self._transactions, self.pool.acquire() as conn:
                            device = await self._device(conn, device_id)
                            if device is None:
                                break
                            result = await service.ingest(conn, self.cfg, device, event, datetime.now(UTC))
                        self.handled += not result.duplicate
                        self.duplicates += result.duplicate
                        if result.alert_ids:
                            await self.on_ingested(result.alert_ids)
                        break
                    except Exception:
                        log.exception("storing a device event failed (attempt %d)", attempt + 1)
                        if attempt == 2:
                            return  # not acknowledged: the broker redelivers it on the next session
                        await asyncio.sleep(0.2 * (attempt + 1))
            with contextlib.suppress(Exception):
                client._client.ack(message.mid, message.qos)  # noqa: SLF001
        finally:
            self._work.release()

    async def _device(self, conn, device_id: int):
        device = self._devices.get(device_id)
        if device is None:
            device = await conn.fetchrow(sql.DEVICE, device_id)
            if device is not None:
                self._devices[device_id] = device
        return device

    async def _heartbeat(self, device_id: int, event) -> bool:
        """Queue a heartbeat for the next batch; True once it is stored (or known to need nothing)."""
        future = asyncio.get_running_loop().create_future()
        self._beats.append((device_id, event, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_heartbeats())
        return await future

    async def _flush_heartbeats(self) -> None:
        # Heartbeats are most of the traffic: gathered for a few milliseconds, stored in one statement.
        await asyncio.sleep(HEARTBEAT_BATCH_SECONDS)
        while self._beats:
            batch, self._beats = self._beats[:HEARTBEAT_BATCH_MAX], self._beats[HEARTBEAT_BATCH_MAX:]
            try:
                async with self.pool.acquire() as conn:
                    items, skipped = [], []
                    for device_id, event, future in batch:
                        device = await self._device(conn, device_id)
                        (items if device is not None else skipped).append((device, event, future))
                    new = await self._store_beats(conn, [(d, e) for d, e, _f in items]) if items else set()
                for device, event, _future in items:
                    fresh = (device["id"], event.event_id) in new
                    self.handled += fresh
                    self.duplicates += not fresh
                for *_rest, future in items + skipped:
                    if not future.done():
                        future.set_result(True)
            except Exception:
                log.exception("storing %d heartbeats failed", len(batch))
                for *_rest, future in batch:
                    if not future.done():
                        future.set_result(False)

    @staticmethod
    async def _store_beats(conn, items: list[tuple]) -> set:
        """One batch, tried again after a passing failure (a deadlock, a serialization error): an
        event not stored is not acknowledged, and would wait in the broker until this session returns."""
        for attempt in range(3):
            try:
                return await service.ingest_heartbeats(conn, items, datetime.now(UTC))
            except (asyncpg.DeadlockDetectedError, asyncpg.SerializationError):
                if attempt == 2:
                    raise
                await asyncio.sleep(0.05 * (attempt + 1))
        return set()

    # --- dynamic security -----------------------------------------------------------------------

    def _control_response(self, message) -> None:
        try:
            body = json.loads(message.payload)
        except ValueError:
            return
        for response in body.get("responses", []):
            future = self._responses.pop(response.get("correlationData", ""), None)
            if future is not None and not future.done():
                future.set_result(response)

    async def _control(self, commands: list[dict], timeout: float = 5.0) -> list[dict]:
        """Send dynamic-security commands; return their responses (each may hold an `error`)."""
        if self.client is None:
            raise BrokerError()
        futures = []
        for command in commands:
            command["correlationData"] = secrets.token_hex(8)
            future = asyncio.get_running_loop().create_future()
            self._responses[command["correlationData"]] = future
            futures.append(future)
        try:
            await self.client.publish(CONTROL, json.dumps({"commands": commands}), qos=1)
        except aiomqtt.MqttError:
            raise BrokerError() from None
        try:
            return list(await asyncio.wait_for(asyncio.gather(*futures), timeout))
        except TimeoutError:
            raise BrokerError() from None

    async def _ensure_server_role(self) -> None:
        """The server's own account may also publish acknowledgements to devices. Adding a role makes
        the broker drop the connection (to apply it), so this is done only when it is missing."""
        username = self.cfg.mqtt["username"]
        found = await self._control([{"command": "getClient", "username": username}])
        roles = ((found[0].get("data") or {}).get("client") or {}).get("roles") or []
        if any(role.get("rolename") == SERVER_ROLE for role in roles):
            return
        self._role_added = True
        await self._control([
            {"command": "createRole", "rolename": SERVER_ROLE,
             "acls": [{"acltype": "publishClientSend", "topic": "homewatch/+/ack", "allow": True}]},
            {"command": "addClientRole", "username": username, "rolename": SERVER_ROLE},
        ])

    async def provision(self, device_id: int, password: str) -> str:
        """Create the device's broker account and ACL; return its username."""
        try:
            await asyncio.wait_for(self.connected.wait(), 3)
        except TimeoutError:
            raise BrokerError() from None
        username, role = device_username(device_id), f"device-{device_id}"
        responses = await self._control([
            {"command": "createRole", "rolename": role, "acls": [
                {"acltype": "publishClientSend", "topic": events_topic(device_id), "allow": True},
                {"acltype": "subscribeLiteral", "topic": ack_topic(device_id), "allow": True}]},
            {"command": "createClient", "username": username, "password": password,
             "roles": [{"rolename": role}]},
        ])
        for response in responses:
            if response.get("error") and "exists" not in response["error"]:
                log.error("broker refused provisioning device %s: %s", device_id, response["error"])
                raise BrokerError()
        return username

    async def publish_ack(self, device_ids: list[int], payload: dict) -> None:
        """Tell the home's devices that a carer took the alert (QoS 1, best effort when away)."""
        if self.client is None:
            return
        for device_id in device_ids:
            with contextlib.suppress(aiomqtt.MqttError):
                await self.client.publish(ack_topic(device_id), json.dumps(payload), qos=1)

    async def drain(self) -> None:
        """Wait for the events being stored (at shutdown)."""
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=5)

    async def leave(self) -> bool:
        """Graceful stop: unsubscribe the shared subscription (the broker routes new events to the other
        members from now on), store and acknowledge everything already handed to us until the broker
        has been quiet for QUIET_SECONDS, then end the session (expiry 0). True when the session ended;
        False when the link was down or the drain did not go quiet in time (the session then stays, and
        a survivor takes it over after HOMEWATCH_TAKEOVER_SECONDS, or we do when we return)."""
        client = self.client
        if client is None or not self.connected.is_set():
            await self.drain()
            return False
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LEAVE_MAX_SECONDS
        try:
            await client.unsubscribe(shared_filter(self.cfg), timeout=3)
        except aiomqtt.MqttError:
            await self.drain()
            return False
        self._last_message = max(self._last_message, loop.time())  # anything routed before it is still coming
        while loop.time() < deadline:
            if self._tasks:
                await asyncio.wait(list(self._tasks), timeout=max(0.05, deadline - loop.time()))
            elif loop.time() - self._last_message >= QUIET_SECONDS:
                self._leaving = True
                end_session(client)
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(asyncio.shield(client._disconnected), 3)  # noqa: SLF001
                log.info("MQTT session ended at shutdown (%s)", self.cfg.mqtt_client_id)
                return True
            else:
                await asyncio.sleep(0.05)
        log.warning("MQTT session left open at shutdown: the broker did not go quiet")
        return False
