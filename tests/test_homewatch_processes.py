"""Home watch with real server processes: a SIGKILL during a dwell timer, and two processes sharing
one broker, one PostgreSQL and one Redis (every event handled once, every alert raised once)."""
from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import signal
from datetime import UTC, date, datetime, timedelta

import pytest
import redis

from helpers import PASSWORD, Person, events_named, recording_socket, wait_for
from helpers.homewatch import RemoteClient, alerts_of, make_street
from helpers.mosquitto import Mosquitto, SimulatedDevice
from helpers.processes import ServerProcess
from server.accounts import service as auth
from server.homewatch.calls import REJOIN_SECONDS
from server.presence.queries import STALE_AFTER_SECONDS

pytestmark = pytest.mark.cluster
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture
def broker(tmp_path):
    mosquitto = Mosquitto(tmp_path / "mosquitto").start()
    yield mosquitto
    mosquitto.remove()


def server_env(database_url: str, broker: Mosquitto, client_id: str, redis_url: str = "") -> dict:
    """A process on the test database and the private broker, with short home-watch timers."""
    return {"DATABASE_URL": database_url, "REDIS_URL": redis_url, "SECRET_KEY": "homewatch-process-secret",
            "LOG_LEVEL": "WARNING", "MQTT_URL": broker.url, "MQTT_CLIENT_ID": client_id,
            "HOMEWATCH_CANCEL_SECONDS": "0", "HOMEWATCH_SWEEP_SECONDS": "0.2", "TURN_URLS": "", "STUN_URLS": ""}


class Remote:
    """Clients of one server process: new ones sign in through it."""

    def __init__(self, process: ServerProcess):
        self.process = process
        self.clients: list[RemoteClient] = []

    async def make_client(self) -> RemoteClient:
        client = RemoteClient(self.process.url)
        self.clients.append(client)
        return client

    async def admin(self, db, role: str = "admin", **fields) -> Person:
        """A new account of `role` (an admin by default), signed in through this process."""
        email = f"{role}{secrets.token_hex(3)}@test.clinic"
        async with db.acquire() as conn:
            await auth.create_user(conn, role=role, name=f"Test {role}", email=email, password=PASSWORD, **fields)
        client = await self.make_client()
        response = await client.post("/api/auth/login", json={"login": email, "password": PASSWORD})
        body = await response.json()
        return Person(client, body["user"], body["csrf_token"])

    async def close(self):
        for client in self.clients:
            await client.close()


async def wait_connected(remote: Remote, admin: Person) -> None:
    """Until the process's broker link is up."""
    async def up():
        response = await admin.client.get(remote.process.url + "/api/homewatch/ingestion")
        return response.status == 200 and (await response.json())["connected"]
    await wait_for(up, 30, 0.2)


async def test_sigkill_during_a_dwell_timer_the_alert_fires_once_on_time_after_restart(database_url, db, broker, tmp_path):
    process = ServerProcess(server_env(database_url, broker, "hw-kill-test"), log_dir=tmp_path).start()
    remote = Remote(process)
    sensor = None
    try:
        admin = await remote.admin(db)
        await wait_connected(remote, admin)
        street = await make_street(admin, remote.make_client)
        await street.set_rules(living_room_max_seconds=10)
        sensor = await SimulatedDevice(await street.add_device("presence", "living_room"), broker.port).connect()
        entered = datetime.now(UTC)
        await sensor.send("presence", at=entered, room="living_room")
        async with db.acquire() as conn:
            await wait_for(lambda: conn.fetchval("SELECT count(*) FROM hw_events"), 5)
        process.kill()
        # While the server is dead the device goes on: the broker keeps the event for its session.
        await sensor.send("heartbeat")
        await remote.close()
        process.start()
        await wait_for(lambda: alerts_of(db, "living_room_stay"), 20, 0.1)
        await asyncio.sleep(2)  # further sweeps must not add a second one
        alerts = await alerts_of(db)
        assert [a["kind"] for a in alerts] == ["living_room_stay"]
        assert alerts[0]["due_at"] == entered + timedelta(seconds=10)
        assert alerts[0]["raised_at"] - alerts[0]["due_at"] < timedelta(seconds=2), "fired late"
        async with db.acquire() as conn:
            kinds = sorted(r["kind"] for r in await conn.fetch("SELECT kind FROM hw_events"))
        assert kinds == ["heartbeat", "presence"]  # nothing lost while the server was down
    finally:
        if sensor is not None:
            await sensor.close()
        await remote.close()
        process.stop()


async def test_two_processes_share_ingestion_every_event_and_alert_once_carers_on_both_notified(
        database_url, db, broker, tmp_path):
    redis.Redis.from_url(REDIS_URL).flushdb()
    a = ServerProcess(server_env(database_url, broker, "hw-two-a", REDIS_URL), log_dir=tmp_path).start()
    b = ServerProcess(server_env(database_url, broker, "hw-two-b", REDIS_URL), log_dir=tmp_path).start()
    remote_a, remote_b = Remote(a), Remote(b)
    devices: list[SimulatedDevice] = []
    sockets = []
    try:
        admin_a, admin_b = await remote_a.admin(db), await remote_b.admin(db)
        await wait_connected(remote_a, admin_a)
        await wait_connected(remote_b, admin_b)
        street = await make_street(admin_a, remote_a.make_client, carers=1)
        await street.set_rules(living_room_max_seconds=3, bathroom_max_seconds=3600)
        # A second carer signs in through process B.
        carer_b = await street.add_user(remote_b.make_client, "carer", "Garden")
        await carer_b.post("/api/homewatch/duty", json={"on_duty": True})
        socket_a = await recording_socket(a.url, street.carers[0].cookie_header())
        socket_b = await recording_socket(b.url, carer_b.cookie_header())
        sockets += [socket_a, socket_b]
        rooms = ("bedroom", "kitchen", "hall", "bathroom")
        for room in rooms:
            devices.append(await SimulatedDevice(await street.add_device("presence", room), broker.port).connect())
        for _ in range(25):
            for sensor in devices:
                await sensor.send("heartbeat")
        living = await SimulatedDevice(await street.add_device("presence", "living_room"), broker.port).connect()
        button = await SimulatedDevice(await street.add_device("button"), broker.port).connect()
        devices += [living, button]
        await living.send("presence", room="living_room")
        await button.send("button")
        total = 25 * len(rooms) + 2

        async def counts():
            stats = []
            for remote, admin in ((remote_a, admin_a), (remote_b, admin_b)):
                response = await admin.client.get(remote.process.url + "/api/homewatch/ingestion")
                stats.append(await response.json())
            return stats

        async def all_in():
            return sum(s["handled"] for s in await counts()) >= total
        await wait_for(all_in, 20, 0.2)
        stats = await counts()
        assert sum(s["handled"] for s in stats) == total and sum(s["duplicates"] for s in stats) == 0
        assert all(s["handled"] > 0 for s in stats), f"the shared subscription used one process only: {stats}"
        async with db.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM hw_events") == total
        # The button reaches the carers on both processes at once; the stay alert comes once.
        for sock in (socket_a, socket_b):
            await wait_for(lambda s=sock: [e for e in events_named(s, "homewatch:alert")
                                           if e["kind"] == "button" and e["ring"]], 5)
        await wait_for(lambda: alerts_of(db, "living_room_stay"), 10)
        for sock in (socket_a, socket_b):
            await wait_for(lambda s=sock: [e for e in events_named(s, "homewatch:alert")
                                           if e["kind"] == "living_room_stay"], 5)
        await asyncio.sleep(1.5)
        assert sorted(a["kind"] for a in await alerts_of(db)) == ["button", "living_room_stay"]
    finally:
        for sock in sockets:
            await sock.disconnect()
        for sensor in devices:
            await sensor.close()
        await remote_a.close()
        await remote_b.close()
        a.stop()
        b.stop()


async def test_sigkill_one_of_two_ingesting_processes_a_survivor_drains_its_session_nothing_lost_or_doubled(
        database_url, db, broker, tmp_path):
    env = {"HOMEWATCH_TAKEOVER_SECONDS": "2"}
    a = ServerProcess({**server_env(database_url, broker, "hw-take-a"), **env}, log_dir=tmp_path).start()
    b = ServerProcess({**server_env(database_url, broker, "hw-take-b"), **env}, log_dir=tmp_path).start()
    remote_a, remote_b = Remote(a), Remote(b)
    devices: list[SimulatedDevice] = []
    try:
        admin_a, admin_b = await remote_a.admin(db), await remote_b.admin(db)
        await wait_connected(remote_a, admin_a)
        await wait_connected(remote_b, admin_b)
        street = await make_street(admin_a, remote_a.make_client)
        # Both processes beat before the test goes on (so A's death is noticed by its silence).
        async with db.acquire() as conn:
            await wait_for(lambda: conn.fetchval("SELECT count(*) = 2 FROM hw_ingesters"), 10, 0.1)
        sensors = [await SimulatedDevice(await street.add_device("presence", room), broker.port).connect()
                   for room in ("bedroom", "kitchen")]
        button = await SimulatedDevice(await street.add_device("button"), broker.port).connect()
        devices += [*sensors, button]
        published: set[tuple[str, str]] = set()

        async def publish(rounds: int) -> None:
            for i in range(rounds):
                for sensor in sensors:
                    event_id = await sensor.send("heartbeat" if i % 2 else "presence")
                    published.add((str(sensor.id), event_id))
                await asyncio.sleep(0.02)

        await publish(40)
        a.kill()  # mid-stream: some events delivered to A unacknowledged, the rest of its share queued
        killed = asyncio.get_running_loop().time()
        await publish(60)
        published.add((str(button.id), await button.send("button")))
        published.add((str(button.id), await button.send("button")))

        async def stored():
            async with db.acquire() as conn:
                rows = await conn.fetch("SELECT device_id::text, event_id FROM hw_events")
            return {(r["device_id"], r["event_id"]) for r in rows} >= published
        await wait_for(stored, 30, 0.2)
        took = asyncio.get_running_loop().time() - killed
        assert took < 20, f"the queued events took {took:.1f} s"
        async def taken_over():
            response = await admin_b.client.get(b.url + "/api/homewatch/ingestion")
            stats = await response.json()
            return stats if stats["taken_over"] else None
        stats = await wait_for(taken_over, 10, 0.2)  # drained, then quiet for a second, then the session ended
        assert stats["taken_over"] == ["hw-take-a"], stats
        assert stats["drained"] > 0, "nothing was queued for the dead process: the test did not test the takeover"
        async with db.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM hw_events") == len(published)  # none doubled
            assert await conn.fetchval("SELECT count(*) FROM hw_ingesters WHERE client_id = 'hw-take-a'") == 0
        alerts = await alerts_of(db, "button")
        assert len(alerts) == 1
        async with db.acquire() as conn:
            again = await conn.fetchval("SELECT count(*) FROM hw_timeline WHERE alert_id = $1 AND event = 'pressed_again'",
                                        alerts[0]["id"])
        assert again == 1
        # After the takeover, new events still reach the survivor (the ended session takes no share).
        late = await sensors[0].send("heartbeat")
        async with db.acquire() as conn:
            await wait_for(lambda: conn.fetchval("SELECT count(*) FROM hw_events WHERE event_id = $1", late), 5, 0.1)
    finally:
        for device in devices:
            await device.close()
        await remote_a.close()
        await remote_b.close()
        a.stop()
        b.stop()


async def test_sigterm_one_of_two_ingesting_processes_it_ends_its_own_session_nothing_waits_for_a_takeover(
        database_url, db, broker, tmp_path):
    # The default takeover delay (30 s): events queued for a stopped process's session would wait that long.
    a = ServerProcess(server_env(database_url, broker, "hw-term-a"), log_dir=tmp_path).start()
    b = ServerProcess(server_env(database_url, broker, "hw-term-b"), log_dir=tmp_path).start()
    remote_a, remote_b = Remote(a), Remote(b)
    devices: list[SimulatedDevice] = []
    try:
        admin_a, admin_b = await remote_a.admin(db), await remote_b.admin(db)
        await wait_connected(remote_a, admin_a)
        await wait_connected(remote_b, admin_b)
        street = await make_street(admin_b, remote_b.make_client)
        async with db.acquire() as conn:
            await wait_for(lambda: conn.fetchval("SELECT count(*) = 2 FROM hw_ingesters"), 10, 0.1)
        sensors = [await SimulatedDevice(await street.add_device("presence", room), broker.port).connect()
                   for room in ("bedroom", "kitchen", "hall")]
        devices += sensors
        published: set[tuple[str, str]] = set()

        async def publish(rounds: int) -> None:
            for i in range(rounds):
                for sensor in sensors:
                    event_id = await sensor.send("heartbeat" if i % 2 else "presence")
                    published.add((str(sensor.id), event_id))
                await asyncio.sleep(0.02)

        await publish(30)
        a.proc.send_signal(signal.SIGTERM)  # a graceful stop while the devices go on publishing
        stopped = asyncio.get_running_loop().time()
        await publish(60)

        async def stored():
            async with db.acquire() as conn:
                rows = await conn.fetch("SELECT device_id::text, event_id FROM hw_events")
            return {(r["device_id"], r["event_id"]) for r in rows} >= published
        await wait_for(stored, 25, 0.2)
        took = asyncio.get_running_loop().time() - stopped
        assert took < 10, f"the events of the stopped process's share took {took:.1f} s"
        exit_code = await asyncio.get_running_loop().run_in_executor(None, a.proc.wait, 20)
        assert exit_code == 0, a.log()
        async with db.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM hw_events") == len(published)  # none doubled
            # It forgot its beat: no survivor will take over a session that is gone.
            assert await conn.fetchval("SELECT count(*) FROM hw_ingesters WHERE client_id = 'hw-term-a'") == 0
        stats = await (await admin_b.client.get(b.url + "/api/homewatch/ingestion")).json()
        assert stats["taken_over"] == [] and stats["handled"] > 0, stats
        # Every new event goes to the survivor at once (the ended session takes no share).
        late = [await sensor.send("heartbeat") for sensor in sensors for _ in range(4)]
        async with db.acquire() as conn:
            await wait_for(lambda: conn.fetchval("SELECT count(*) = $2 FROM hw_events WHERE event_id = ANY($1)",
                                                 late, len(late)), 3, 0.1)
        # Back under the same id, it subscribes again and takes its share.
        a.start()
        await remote_a.close()
        remote_a = Remote(a)
        admin_a = await remote_a.admin(db)
        await wait_connected(remote_a, admin_a)
        await publish(20)
        await wait_for(stored, 10, 0.2)
    finally:
        for device in devices:
            await device.close()
        await remote_a.close()
        await remote_b.close()
        a.stop()
        b.stop()


async def test_a_home_calls_member_on_a_sigkilled_process_starts_the_rejoin_limit_and_the_call_ends_by_itself(
        database_url, db, broker, tmp_path):
    redis.Redis.from_url(REDIS_URL).flushdb()
    a = ServerProcess(server_env(database_url, broker, "hw-call-a", REDIS_URL), log_dir=tmp_path).start()
    b = ServerProcess(server_env(database_url, broker, "hw-call-b", REDIS_URL), log_dir=tmp_path).start()
    remote_a, remote_b = Remote(a), Remote(b)
    sockets = []
    try:
        admin = await remote_a.admin(db)
        doctor = await remote_a.admin(db, "doctor", department="internal")     # the caller, on process A
        resident = await remote_b.admin(db, "patient", birth_date=date(1940, 3, 2))  # the home, on process B
        street = await make_street(admin, remote_a.make_client, resident=resident, doctor=doctor)
        response = await doctor.post(f"/api/homewatch/homes/{street.home['id']}/calls", json={})
        assert response.status == 201, await response.text()
        call_id = (await response.json())["id"]
        assert (await resident.post(f"/api/homewatch/calls/{call_id}/answer", json={})).status == 200
        caller_socket = await recording_socket(a.url, doctor.cookie_header())
        home_socket = await recording_socket(b.url, resident.cookie_header())
        sockets += [caller_socket, home_socket]
        assert (await caller_socket.call("homecall:join", {"call_id": call_id}))["ok"]
        assert (await home_socket.call("homecall:join", {"call_id": call_id}))["ok"]
        b.kill()  # the home's process dies outright: no disconnect handler runs for its socket
        killed = asyncio.get_running_loop().time()

        async def home_left():
            async with db.acquire() as conn:
                return await conn.fetchval("SELECT member_left_at ? 'home' FROM hw_calls WHERE id = $1", int(call_id))
        await wait_for(home_left, 40, 0.2)  # noticed once the dead process's heartbeat is stale
        took = asyncio.get_running_loop().time() - killed
        assert took < STALE_AFTER_SECONDS + 8, f"noticed after {took:.1f} s"
        async with db.acquire() as conn:
            assert await conn.fetchval("SELECT status FROM hw_calls WHERE id = $1", int(call_id)) == "active"
            # As if the home had been gone for REJOIN_SECONDS - 1 since then.
            await conn.execute("UPDATE hw_calls SET member_left_at = jsonb_build_object('home', now() - "
                               "make_interval(secs => $2)) WHERE id = $1", int(call_id), float(REJOIN_SECONDS - 1))
        await wait_for(lambda: [u for u in events_named(caller_socket, "homecall:update")
                                if u["id"] == call_id and u["status"] == "ended" and u["end_reason"] == "left"], 6, 0.1)
        async with db.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM hw_call_presence WHERE call_id = $1", int(call_id)) == 0
    finally:
        for sock in sockets:
            with contextlib.suppress(Exception):
                await sock.disconnect()
        await remote_a.close()
        await remote_b.close()
        a.stop()
        b.stop()
