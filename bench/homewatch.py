"""Home watch under load: homes' devices publishing through Mosquitto to one real server process.

    python3 manage.py bench homewatch                      # 10,000 homes x 4 devices, ~3-4 min
    python3 manage.py bench homewatch --homes 2000 --seconds 30 --ceiling-events 5000   # ~1.5 min

On loopback only, bounded, stops by itself. What it does (see bench/README.md):
- setup (BENCH SETUP SQL): a fresh database, N homes with 3 presence sensors and a button each,
  one carer on duty per community (a Socket.IO client with a real session), and D "dwell" homes
  whose living-room rule is shortened to --dwell-seconds;
- a private Mosquitto with dynamic security; the device traffic is published by one bench
  account allowed on homewatch/+/events (40,000 broker accounts would measure the bench, not us);
- realistic phase (--seconds): movement while awake (one presence event per home every ~2 min),
  heartbeats every 5 min per device, the dwell homes entering their living room at the start,
  and 200 button presses within 10 s in the middle;
- ceiling phase: --ceiling-events events as fast as the publisher can, with a bare subscriber
  that only counts beside the server (the broker's and client's ceiling in the same run).
Figures: events/s ingested vs the bare subscriber, event-to-stored p50/p99 (received_at - the
publisher's stamp), button-to-carer p99 (publish -> `homewatch:alert` with ring at a carer),
dwell alerts' lateness p99 (raised_at - due_at), server CPU per 1,000 events, lost/doubled alerts.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import aiomqtt
import asyncpg
import psutil
import socketio

from bench.common import Postgres, cpu_seconds, ms, percentile, start_server
from db.connect import create_pool
from db.migrate import migrate
from server import seed
from server.accounts import service as auth
from tests.helpers.mosquitto import Mosquitto

BENCH_USER, BENCH_PASSWORD = "bench-devices", "bench-devices-password"
HOMES_PER_COMMUNITY = 500


def ctl(broker: Mosquitto, *args: str) -> None:
    """One mosquitto_ctrl dynsec command against the private broker as its admin."""
    subprocess.run(["mosquitto_ctrl", "-h", "127.0.0.1", "-p", str(broker.port), "-u", "admin",
                    "-P", broker.admin_password, "dynsec", *args], check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


async def setup(database_url: str, homes: int, dwell_homes: int, dwell_seconds: int) -> dict:
    """BENCH SETUP SQL: street, communities, homes, devices, carers with sessions."""
    conn = await asyncpg.connect(database_url)
    try:
        await migrate(conn)
        await seed.seed_departments(conn)
        street = await conn.fetchval("INSERT INTO hw_streets (name) VALUES ('Bench Street') RETURNING id")
        communities = max(1, homes // HOMES_PER_COMMUNITY)
        await conn.execute("""
            INSERT INTO hw_homes (street_id, community, address, resident_name, rules)
            SELECT $1, 'C' || (g % $2), 'Bench Road ' || g, 'Resident ' || g, '{}'::jsonb
            FROM generate_series(1, $3) g""", street, communities, homes)
        await conn.execute("""UPDATE hw_homes SET rules = jsonb_build_object('living_room_max_seconds', $1::int)
                              WHERE id <= $2""", dwell_seconds, dwell_homes)
        await conn.execute("""
            INSERT INTO hw_devices (home_id, kind, room)
            SELECT h.id, d.kind, d.room FROM hw_homes h,
              (VALUES ('presence', 'bedroom'), ('presence', 'living_room'), ('presence', 'bathroom'),
                      ('button', NULL)) AS d(kind, room)""")
        devices = {}
        for row in await conn.fetch("SELECT id, home_id, kind, room FROM hw_devices"):
            devices.setdefault(row["home_id"], {})[row["room"] or row["kind"]] = row["id"]
        cookies = []
        for index in range(communities):
            user = await auth.create_user(conn, role="carer", name=f"Carer {index}", phone=f"1370000{index:04d}",
                                          password="bench-password")
            await conn.execute("INSERT INTO hw_staff (user_id, street_id, community, on_duty) VALUES ($1, $2, $3, true)",
                               user["id"], street, f"C{index}")
            token, _csrf = await auth.open_session(conn, user["id"], 4)
            cookies.append(f"{auth.SESSION_COOKIE}={token}")
        return {"devices": devices, "cookies": cookies}
    finally:
        await conn.close()


class Carers:
    """One Socket.IO client per community's carer; records when each alert first rang anyone."""

    def __init__(self):
        self.clients: list[socketio.AsyncClient] = []
        self.rung: dict[str, float] = {}  # home id -> first ring (monotonic)

    async def connect(self, url: str, cookies: list[str]) -> None:
        for cookie in cookies:
            client = socketio.AsyncClient(reconnection=False)

            @client.on("homewatch:alert")
            async def on_alert(alert):
                if alert.get("ring") and alert.get("kind") == "button":
                    self.rung.setdefault(alert["home_id"], time.monotonic())

            await client.connect(url, headers={"Cookie": cookie}, transports=["websocket"], wait_timeout=10)
            self.clients.append(client)

    async def close(self) -> None:
        for client in self.clients:
            await client.disconnect()


class BareCounter:
    """A subscriber that only counts: the broker's and the client library's ceiling."""

    def __init__(self, broker: Mosquitto):
        self.broker, self.count, self.first, self.last = broker, 0, None, None
        self.task = None

    async def start(self) -> None:
        ready = asyncio.Event()

        async def run():
            async with aiomqtt.Client("127.0.0.1", self.broker.port, username="admin", password=self.broker.admin_password,
                                      identifier=f"bare-{uuid.uuid4().hex[:6]}", protocol=aiomqtt.ProtocolVersion.V5,
                                      max_queued_incoming_messages=0) as client:
                await client.subscribe("homewatch/+/events", qos=1)
                ready.set()
                async for _message in client.messages:
                    now = time.monotonic()
                    self.first = self.first or now
                    self.last = now
                    self.count += 1
        self.task = asyncio.create_task(run())
        await asyncio.wait_for(ready.wait(), 10)

    def reset(self) -> None:
        self.count, self.first, self.last = 0, None, None

    def rate(self) -> float | None:
        return self.count / (self.last - self.first) if self.first and self.last and self.last > self.first else None


def event(kind: str, **fields) -> str:
    return json.dumps({"event_id": uuid.uuid4().hex, "kind": kind, "at": datetime.now(UTC).isoformat(), **fields})


async def publish_realistic(client: aiomqtt.Client, devices: dict, seconds: float, dwell_homes: int,
                            buttons: dict) -> int:
    """Movement and heartbeats at realistic rates; 200 button presses within 10 s half-way."""
    rng = random.Random(7)
    homes = [h for h in devices if h > dwell_homes]
    all_devices = [d for home in devices.values() for d in home.values()]
    movement_rate = len(devices) / 120.0          # one room change per home every ~2 minutes
    heartbeat_rate = len(all_devices) / 300.0     # every device every 5 minutes
    sent = 0
    for home in range(1, dwell_homes + 1):         # the dwell homes enter their living room now
        await client.publish(f"homewatch/{devices[home]['living_room']}/events",
                             event("presence", room="living_room"), qos=1)
        sent += 1
    button_homes = rng.sample(homes, min(200, len(homes)))
    start = time.monotonic()
    button_start, button_at = start + seconds / 2 - 5, 0
    tick, budget = 0.05, 0.0
    while time.monotonic() - start < seconds:
        budget += (movement_rate + heartbeat_rate) * tick
        while budget >= 1:
            budget -= 1
            if rng.random() < movement_rate / (movement_rate + heartbeat_rate):
                home = rng.choice(homes)
                room = rng.choice(("bedroom", "living_room", "bathroom"))
                await client.publish(f"homewatch/{devices[home][room]}/events", event("presence", room=room), qos=1)
            else:
                await client.publish(f"homewatch/{rng.choice(all_devices)}/events", event("heartbeat"), qos=1)
            sent += 1
        now = time.monotonic()
        while button_at < len(button_homes) and now >= button_start + button_at * (10.0 / len(button_homes)):
            home = button_homes[button_at]
            buttons[str(home)] = time.monotonic()
            await client.publish(f"homewatch/{devices[home]['button']}/events", event("button"), qos=1)
            sent += 1
            button_at += 1
        await asyncio.sleep(tick)
    return sent


async def publish_fast(client: aiomqtt.Client, devices: dict, count: int, dwell_homes: int) -> int:
    """Heartbeats as fast as the publisher can (the ingestion ceiling)."""
    targets = [d for home, ds in devices.items() if home > dwell_homes for d in ds.values()]
    for i in range(count):
        await client.publish(f"homewatch/{targets[i % len(targets)]}/events", event("heartbeat"), qos=1)
    return count


async def stored(pool, since: datetime) -> int:
    async with pool.acquire() as conn:
        return await conn.fetchval("SELECT count(*) FROM hw_events WHERE received_at >= $1", since)


async def wait_stored(pool, since: datetime, expected: int, timeout: float) -> float:
    """Wait until `expected` events since `since` are stored; return when the last one was."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and await stored(pool, since) < expected:
        await asyncio.sleep(0.25)
    return time.monotonic()


async def run(args) -> None:
    postgres = Postgres()
    workdir = Path(tempfile.mkdtemp(prefix="bench-hw-"))
    broker = Mosquitto(workdir / "mosquitto").start()
    server = None
    try:
        database_url = await postgres.create_database("bench_hw")
        t0 = time.monotonic()
        data = await setup(database_url, args.homes, args.dwell_homes, args.dwell_seconds)
        ctl(broker, "createClient", BENCH_USER, "-p", BENCH_PASSWORD)
        ctl(broker, "createRole", "bench-devices")
        ctl(broker, "addRoleACL", "bench-devices", "publishClientSend", "homewatch/+/events", "allow")
        ctl(broker, "addClientRole", BENCH_USER, "bench-devices")
        print(f"setup: {args.homes} homes, {sum(len(d) for d in data['devices'].values())} devices, "
              f"{len(data['cookies'])} carers on duty, {time.monotonic() - t0:.1f} s", flush=True)
        server = start_server(database_url, {"MQTT_URL": broker.url, "MQTT_CLIENT_ID": "bench-server",
                                             "HOMEWATCH_CANCEL_SECONDS": "0", "HOMEWATCH_SWEEP_SECONDS": "0.5",
                                             "LOG_LEVEL": "WARNING", "REDIS_URL": ""}, log_dir=workdir)
        proc = psutil.Process(server.proc.pid)
        pool = await create_pool(database_url, min_size=1, max_size=4)
        carers = Carers()
        await carers.connect(server.url, data["cookies"])
        bare = BareCounter(broker)
        await bare.start()
        await asyncio.sleep(2)  # the server's broker link is up and subscribed
        buttons: dict[str, float] = {}
        async with aiomqtt.Client("127.0.0.1", broker.port, username=BENCH_USER, password=BENCH_PASSWORD,
                                  identifier="bench-publisher", protocol=aiomqtt.ProtocolVersion.V5,
                                  max_inflight_messages=1000) as publisher:
            # Realistic phase.
            since, cpu0 = datetime.now(UTC), cpu_seconds(proc)
            sent = await publish_realistic(publisher, data["devices"], args.seconds, args.dwell_homes, buttons)
            await wait_stored(pool, since, sent, 60)
            await asyncio.sleep(max(0, args.dwell_seconds + 3 - args.seconds))  # every dwell alert is due
            realistic_cpu = cpu_seconds(proc) - cpu0
            async with pool.acquire() as conn:
                latency = [r["d"] for r in await conn.fetch(
                    "SELECT extract(epoch FROM received_at - device_at)::float8 AS d FROM hw_events WHERE received_at >= $1",
                    since)]
                realistic_stored = len(latency)
            await asyncio.sleep(2)
            # Ceiling phase: the server and the bare subscriber on the same stream.
            bare.reset()
            since, cpu0 = datetime.now(UTC), cpu_seconds(proc)
            started = time.monotonic()
            await publish_fast(publisher, data["devices"], args.ceiling_events, args.dwell_homes)
            done = await wait_stored(pool, since, args.ceiling_events, 120)
            ceiling_cpu = cpu_seconds(proc) - cpu0
            ceiling_stored = await stored(pool, since)
        ingest_rate = ceiling_stored / (done - started)
        async with pool.acquire() as conn:
            alerts = {r["kind"]: r["n"] for r in await conn.fetch("SELECT kind, count(*) AS n FROM hw_alerts GROUP BY kind")}
            lateness = [r["d"] for r in await conn.fetch(
                "SELECT extract(epoch FROM raised_at - due_at)::float8 AS d FROM hw_alerts WHERE kind = 'living_room_stay'")]
            doubled = await conn.fetchval("SELECT count(*) FROM (SELECT home_id FROM hw_alerts WHERE kind = 'button' "
                                          "GROUP BY home_id HAVING count(*) > 1) x")
        button_latency = [carers.rung[h] - t for h, t in buttons.items() if h in carers.rung]
        await carers.close()
        await pool.close()
        bare.task.cancel()
        with contextlib.suppress(BaseException):
            await bare.task
        print(f"\nrealistic phase: {args.seconds} s, {sent} events sent, {realistic_stored} stored "
              f"({realistic_stored / args.seconds:.0f} events/s offered)")
        print(f"  event-to-stored p50 {ms(percentile(latency, 50))} ms, p99 {ms(percentile(latency, 99))} ms")
        print(f"  button-to-carer p50 {ms(percentile(button_latency, 50))} ms, p99 {ms(percentile(button_latency, 99))} ms"
              f"  ({len(button_latency)}/{len(buttons)} presses rang a carer; target p99 <= 2000 ms)")
        print(f"  dwell alerts {len(lateness)}/{args.dwell_homes}, lateness p50 {ms(percentile(lateness, 50))} ms, "
              f"p99 {ms(percentile(lateness, 99))} ms (target <= 5000 ms)")
        print(f"  server CPU {realistic_cpu:.1f} s = {1000 * realistic_cpu / max(1, realistic_stored):.2f} s per 1,000 events")
        print(f"ceiling phase: {args.ceiling_events} events")
        bare_rate = bare.rate()
        print(f"  server ingested {ingest_rate:.0f} events/s; bare subscriber {bare_rate or 0:.0f} events/s "
              f"({100 * ingest_rate / bare_rate:.0f} % of it; target >= 50 %)" if bare_rate else "")
        print(f"  server CPU {ceiling_cpu:.1f} s = {1000 * ceiling_cpu / max(1, ceiling_stored):.2f} s per 1,000 events")
        lost = (len(buttons) - alerts.get("button", 0)) + (args.dwell_homes - alerts.get("living_room_stay", 0))
        print(f"alerts by kind: {alerts}; lost: {lost}; homes with a doubled button alert: {doubled}")
    finally:
        if server is not None:
            server.stop()
        broker.remove()
        await postgres.drop_databases()
        postgres.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="manage.py bench homewatch")
    parser.add_argument("--homes", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the realistic phase")
    parser.add_argument("--dwell-homes", type=int, default=200)
    parser.add_argument("--dwell-seconds", type=int, default=20)
    parser.add_argument("--ceiling-events", type=int, default=20_000)
    args = parser.parse_args(argv)
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
