"""The running side of home watch in one process: the sweeper loop, the MQTT link, live events.

The domain decides (service, dispatch); this module publishes: after a commit it runs the due
dispatch steps of new alerts at once (a button reaches carers without waiting for the sweep) and
sends `homewatch:alert` to every connection of whoever may see the alert through the app's Events
(server/events.py; Socket.IO user rooms, carried to every process by the Redis manager).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime

from aiohttp import web

from server.homewatch import alerts, calls, dispatch, outbox, service, shifts
from server.homewatch import call_queries as call_sql
from server.homewatch import queries as sql
from server.homewatch.config import HomewatchSettings
from server.homewatch.mqtt import MqttLink
from server.homewatch.takeover import Takeover
from server.keys import DB_POOL, EVENTS, INSTANCE_ID

log = logging.getLogger(__name__)
RETENTION_EVERY_SECONDS = 3600
FAMILY_ROLES = ("family", "patient")


class Homewatch:
    """Home watch of one application (app[HOMEWATCH])."""

    def __init__(self, app: web.Application, cfg: HomewatchSettings, sender: outbox.Sender | None = None):
        self.app, self.cfg = app, cfg
        self.sender = sender or outbox.DevelopmentSender()
        self.mqtt: MqttLink | None = None
        self.takeover: Takeover | None = None
        self._tasks: list[asyncio.Task] = []
        self._wake = asyncio.Event()
        self.sweeps = 0

    @property
    def pool(self):
        return self.app[DB_POOL]

    async def start(self) -> None:
        """Start the sweeper and, with MQTT_URL, the broker link."""
        self._tasks.append(asyncio.create_task(self._sweep_loop()))
        if self.cfg.mqtt_url:
            self.mqtt = MqttLink(self.cfg, self.pool, self.alerts_raised)
            self.takeover = Takeover(self.mqtt, self.app[INSTANCE_ID])
            self._tasks.append(asyncio.create_task(self.mqtt.run()))
            self._takeover_task = asyncio.create_task(self.takeover.run())
            self._tasks.append(self._takeover_task)

    async def stop(self) -> None:
        """Stop the loops; events being stored are finished first. With a broker, the process ends its
        own session (mqtt.MqttLink.leave) and forgets its beat, so no survivor waits to take it over."""
        if self.takeover is not None:
            self._takeover_task.cancel()  # no more beats, no takeover started now
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._takeover_task
        if self.mqtt is not None:
            if await self.mqtt.leave():
                with contextlib.suppress(Exception):
                    async with self.pool.acquire() as conn:
                        await conn.execute(sql.FORGET_INGESTER, self.cfg.mqtt_client_id, self.app[INSTANCE_ID])
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def alerts_raised(self, alert_ids: list[int]) -> None:
        """New alerts were committed: send their first dispatch step now."""
        async with self.pool.acquire() as conn:
            notices = await dispatch.run_due_steps(conn, self.cfg, only=alert_ids)
        await self.publish(notices, also=[a for a in alert_ids if a not in {n.alert_id for n in notices}])

    async def publish(self, notices: list[dispatch.Notice], also: list[int] = ()) -> None:
        """Send each alert's current state to everyone who may see it; ring those just told."""
        events = self.app[EVENTS]
        ring = {n.alert_id: set(n.ring) for n in notices}
        async with self.pool.acquire() as conn:
            for alert_id in list(ring) + [a for a in also if a not in ring]:
                alert = await conn.fetchrow(sql.ALERT, alert_id)
                if alert is None:
                    continue
                users = await dispatch.audience(conn, alert)
                roles = {r["id"]: r for r in await conn.fetch(sql.ROLES_OF, list(users))}
                staff_view = await alerts.alert_view(conn, alert, "carer")
                family_view = await alerts.alert_view(conn, alert, "family")
                for user_id in users:
                    role = roles[user_id]["role"] if user_id in roles else None
                    view = family_view if role in FAMILY_ROLES else staff_view
                    await events.homewatch_alert(user_id, {**view, "ring": user_id in ring.get(alert_id, ())})

    async def publish_calls(self, call_ids: list[int]) -> None:
        """Send each home call as it stands now to both its members (`homecall:update`); an ended
        call's rooms close on every process."""
        async with self.pool.acquire() as conn:
            rows = [await conn.fetchrow(call_sql.CALL, call_id) for call_id in call_ids]
        for call in filter(None, rows):
            await self.app[EVENTS].home_call_changed(call["id"], calls.member_views(call),
                                                     ended=call["status"] == "ended")

    async def acknowledged(self, alert) -> None:
        """Tell the home's devices within a second or two that someone took the alert."""
        if self.mqtt is None or alert["home_id"] is None:
            return
        async with self.pool.acquire() as conn:
            devices = [d["id"] for d in await conn.fetch(sql.DEVICES_OF_HOME, alert["home_id"])
                       if d["kind"] in ("button", "hub")]
        await self.mqtt.publish_ack(devices, {"alert_id": str(alert["id"]), "status": "acknowledged",
                                              "at": datetime.now(UTC).isoformat()})

    async def sweep_once(self) -> None:
        """Apply shifts, fire due timers, run due dispatch steps, send due messages, end stale home calls."""
        async with self.pool.acquire() as conn:
            handed = await shifts.apply_shifts(conn)
            raised = await service.fire_due_timers(conn, self.cfg)
            notices = await dispatch.run_due_steps(conn, self.cfg)
            await outbox.send_due(conn, self.sender)
            ended_calls = await calls.sweep(conn)
        if ended_calls:
            await self.publish_calls(ended_calls)  # rung out, or a member gone too long: both pages close it
        if handed:
            await self.alerts_raised(handed)  # handed back at a shift's end: widened to the street now
        if notices or raised:
            await self.publish(notices, also=raised)
        self.sweeps += 1

    async def _sweep_loop(self) -> None:
        last_retention = 0.0
        while True:
            try:
                await self.sweep_once()
                if time.monotonic() - last_retention > RETENTION_EVERY_SECONDS:
                    async with self.pool.acquire() as conn:
                        await service.forget_old_events(conn, self.cfg)
                    last_retention = time.monotonic()
            except Exception:
                log.exception("home watch sweep failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.cfg.sweep_seconds)
            self._wake.clear()

    async def sweep_soon(self) -> None:
        """Sweep now rather than at the next tick (a shift that starts now puts its carer on duty at once)."""
        self._wake.set()
