"""Home watch against real parts: a private Mosquitto with dynamic security, PostgreSQL, Socket.IO.

Thresholds are shortened (seconds, not hours); the rules and the code paths are the production ones.
"""
from __future__ import annotations

import asyncio
import secrets
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import aiomqtt
import pytest

from helpers import events_named, wait_for
from helpers.homewatch import alerts_of, make_street
from helpers.mosquitto import Mosquitto, SimulatedDevice
from server.app import create_app
from server.homewatch import HOMEWATCH_SETTINGS
from server.homewatch.config import HomewatchSettings
from server.homewatch.keys import HOMEWATCH
from server.keys import DB_POOL


@pytest.fixture
def broker(tmp_path):
    """A private broker for this test."""
    mosquitto = Mosquitto(tmp_path / "mosquitto").start()
    yield mosquitto
    mosquitto.remove()


@pytest.fixture
def hw_settings(broker) -> HomewatchSettings:
    """Short timers; the private broker; a client id of this test only."""
    return HomewatchSettings(mqtt_url=broker.url, mqtt_client_id=f"test-{secrets.token_hex(4)}", cancel_seconds=0,
                             sweep_seconds=0.1, ack_seconds=30, escalate_seconds=30, monitor_grace_seconds=1)


@pytest.fixture
async def app(settings, db, hw_settings):
    """The real application with home watch on the private broker."""
    application = create_app(settings)
    application[DB_POOL] = db
    application[HOMEWATCH_SETTINGS] = hw_settings
    return application


async def connected(server) -> None:
    """Wait until the server's broker link is up."""
    await asyncio.wait_for(server.app[HOMEWATCH].mqtt.connected.wait(), 10)


async def device(street, broker, kind, room=None) -> SimulatedDevice:
    """Provision a device through the operator's API and connect it with its own credentials."""
    return await SimulatedDevice(await street.add_device(kind, room), broker.port).connect()


async def events_reach(db, device_ids, n: int) -> bool:
    """Whether the devices' stored events number `n`."""
    return await count_events(db, device_ids) == n


async def count_events(db, device_ids) -> int:
    async with db.acquire() as conn:
        return await conn.fetchval("SELECT count(*) FROM hw_events WHERE device_id = ANY($1::bigint[])",
                                   [int(d) for d in device_ids])


async def test_living_room_stay_past_threshold_raises_exactly_one_alert_and_duplicates_change_nothing(
        server, people, make_client, broker, db):
    await connected(server)
    street = await make_street(people, make_client)
    await street.set_rules(living_room_max_seconds=2, bathroom_max_seconds=60)
    sensor = await device(street, broker, "presence", "living_room")
    entered = datetime.now(UTC)
    event_id = await sensor.send("presence", at=entered, room="living_room")
    await wait_for(lambda: count_events(db, [sensor.id]), 5)
    # The same delivery again (QoS 1 redelivery), and a late event from inside the stay.
    await sensor.send("presence", at=entered, room="living_room", event_id=event_id)
    await sensor.send("presence", at=entered + timedelta(seconds=1), room="living_room")
    await wait_for(lambda: alerts_of(db, "living_room_stay"), 6)
    await asyncio.sleep(1.5)  # more sweeps, more chances to double it
    alerts = await alerts_of(db)
    assert [a["kind"] for a in alerts] == ["living_room_stay"]
    assert await count_events(db, [sensor.id]) == 2  # the duplicate was not stored
    # Fired on time: due two seconds after entering, judged by the event's own time.
    assert alerts[0]["due_at"] == entered + timedelta(seconds=2)
    assert alerts[0]["raised_at"] - alerts[0]["due_at"] < timedelta(seconds=2)
    # A late event from before the stay started (another room, earlier) moves nothing either.
    bedroom = await device(street, broker, "presence", "bedroom")
    await bedroom.send("presence", at=entered - timedelta(seconds=30), room="bedroom")
    await wait_for(lambda: count_events(db, [bedroom.id]), 5)
    await asyncio.sleep(0.5)
    assert len(await alerts_of(db)) == 1
    await sensor.close()
    await bedroom.close()


async def test_leaving_the_room_before_the_threshold_raises_nothing(server, people, make_client, broker, db):
    await connected(server)
    street = await make_street(people, make_client)
    await street.set_rules(living_room_max_seconds=4, bathroom_max_seconds=4)
    living = await device(street, broker, "presence", "living_room")
    kitchen = await device(street, broker, "presence", "kitchen")
    await living.send("presence", room="living_room")
    await asyncio.sleep(1)
    await kitchen.send("presence", room="kitchen")
    await wait_for(lambda: events_reach(db, [living.id, kitchen.id], 2), 3)  # before the 4 s were up
    await asyncio.sleep(4)
    assert await alerts_of(db) == []
    async with db.acquire() as conn:
        home = await conn.fetchrow("SELECT last_room FROM hw_homes WHERE id = $1", int(street.home["id"]))
    assert home["last_room"] == "kitchen"
    await living.close()
    await kitchen.close()


async def test_a_device_cannot_publish_as_another(server, people, make_client, broker, db):
    await connected(server)
    street = await make_street(people, make_client)
    mine = await device(street, broker, "button")
    other = await device(street, broker, "presence", "bathroom")
    # The button tries to publish a presence event onto the bathroom sensor's topic: the broker drops it.
    await mine.send("presence", room="bathroom", topic=other.mqtt["topic"])
    await mine.send("heartbeat")  # its own topic still works, and arrives after the forged one
    await wait_for(lambda: count_events(db, [mine.id]), 5)
    await asyncio.sleep(0.3)
    assert await count_events(db, [other.id]) == 0
    # Nor may it listen to another device's acknowledgements.
    try:
        granted = await mine.client.subscribe(other.mqtt["ack_topic"], qos=1)
        refused = all(code.value >= 0x80 for code in granted)  # MQTT 5: 0x87 not authorised
    except aiomqtt.MqttError:
        refused = True
    assert refused
    await mine.close()
    await other.close()


async def test_button_reaches_carers_family_at_once_and_the_device_hears_acknowledged(
        server, people, make_client, broker, db):
    await connected(server)
    street = await make_street(people, make_client, carers=2)
    first, second = street.carers
    first_socket, second_socket = await first.socket(), await second.socket()
    family_socket = await street.family.socket()
    button = await device(street, broker, "button")
    await button.send("button")
    await wait_for(lambda: events_named(first_socket, "homewatch:alert"), 5)
    alert = events_named(first_socket, "homewatch:alert")[0]
    assert alert["kind"] == "button" and alert["level"] == 1 and alert["ring"] is True
    assert alert["home"]["key_safe_code"] == "4711" and alert["home"]["medicines"] == "Amlodipine 5 mg"
    await wait_for(lambda: events_named(second_socket, "homewatch:alert"), 5)
    await wait_for(lambda: events_named(family_socket, "homewatch:alert"), 5)
    assert "key_safe_code" not in str(events_named(family_socket, "homewatch:alert")[0])
    # SMS and a voice call are queued for carers whose page may be closed.
    async with db.acquire() as conn:
        outbox = await conn.fetch("SELECT channel, user_id FROM hw_outbox WHERE alert_id = $1", int(alert["id"]))
    assert {"sms", "voice"} <= {r["channel"] for r in outbox}
    # The first carer takes it; the device hears "acknowledged" within 2 s; the second gets 409.
    taken_at = asyncio.get_running_loop().time()
    response = await first.post(f"/api/homewatch/alerts/{alert['id']}/acknowledge", json={})
    assert response.status == 200, await response.text()
    await wait_for(lambda: button.acks, 2)
    assert asyncio.get_running_loop().time() - taken_at < 2
    assert button.acks[0] == {**button.acks[0], "alert_id": alert["id"], "status": "acknowledged"}
    response = await second.post(f"/api/homewatch/alerts/{alert['id']}/acknowledge", json={})
    assert response.status == 409
    # A second press while it is open adds to the same alert.
    await button.send("button")
    await asyncio.sleep(0.5)
    assert len(await alerts_of(db, "button")) == 1
    # On the way, arrived, closed with an outcome (required); the family sees who took it.
    response = await first.post(f"/api/homewatch/alerts/{alert['id']}/resolve", json={})
    assert response.status == 422
    for step in ("en_route", "on_site"):
        response = await first.post(f"/api/homewatch/alerts/{alert['id']}/progress", json={"step": step})
        assert response.status == 200, await response.text()
    response = await first.post(f"/api/homewatch/alerts/{alert['id']}/resolve",
                                json={"outcome": "assisted", "note": "Helped up from the floor"})
    assert response.status == 200
    closed = await response.json()
    assert closed["status"] == "closed" and closed["outcome"] == "assisted"
    assert [t["event"] for t in closed["timeline"]] == [
        "raised", "notified", "acknowledged", "pressed_again", "en_route", "on_site", "outcome", "closed"]
    response = await street.family.get("/api/homewatch/alerts?status=all")
    seen = (await response.json())[0]
    assert seen["owner"]["name"] == first.user["name"] and seen["closed_at"]
    assert "note" not in seen and "home" not in seen
    response = await street.family.post(f"/api/homewatch/alerts/{alert['id']}/rating", json={"rating": 5})
    assert response.status == 204
    await button.close()


async def test_family_never_sees_the_movement_log_without_consent_and_reads_are_audited(
        server, people, make_client, broker, db):
    street = await make_street(people, make_client)
    response = await street.family.get(f"/api/homewatch/homes/{street.home['id']}/events")
    assert response.status == 403
    assert (await response.json())["error"]["code"] == "consent_required"
    response = await street.operator.get(f"/api/homewatch/homes/{street.home['id']}/events")
    assert response.status == 200
    stranger = await people.patient()
    response = await stranger.get(f"/api/homewatch/homes/{street.home['id']}")
    assert response.status == 404
    async with db.acquire() as conn:
        rows = await conn.fetch("SELECT actor_role, allowed FROM audit_log WHERE action = 'homewatch.events.read'"
                                " ORDER BY id")
        refused = await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'homewatch.home.read'"
                                      " AND NOT allowed")
    assert [(r["actor_role"], r["allowed"]) for r in rows] == [("family", True), ("family", False),
                                                               ("street_operator", True)]
    assert refused == 1
    # The operator records the resident's consent; now the family may see it; withdrawing stops it.
    response = await street.operator.post(f"/api/homewatch/homes/{street.home['id']}/consent",
                                          json={"purpose": "family_movement_history", "granted": True})
    assert response.status == 200
    assert (await street.family.get(f"/api/homewatch/homes/{street.home['id']}/events")).status == 200
    await street.operator.post(f"/api/homewatch/homes/{street.home['id']}/consent",
                               json={"purpose": "family_movement_history", "granted": False})
    assert (await street.family.get(f"/api/homewatch/homes/{street.home['id']}/events")).status == 403


async def test_http_ingestion_uses_a_per_device_token_and_the_same_input_gate(
        server, people, make_client, client, db):
    street = await make_street(people, make_client)
    sensor = await street.add_device("presence", "bathroom")
    url = f"/api/homewatch/devices/{sensor['id']}/events"
    headers = {"Authorization": f"Bearer {sensor['token']}"}
    now = datetime.now(UTC)
    response = await client.post(url, json={"event_id": "e1", "kind": "presence", "at": now.isoformat(),
                                            "room": "bathroom"}, headers={"Authorization": "Bearer forged"})
    assert response.status == 401
    response = await client.post(url, json={"event_id": "e1", "kind": "teleport", "at": now.isoformat()},
                                 headers=headers)
    assert response.status == 422 and (await response.json())["error"]["field"] == "kind"
    response = await client.post(url, json=[{"event_id": "e1", "kind": "battery", "at": now.isoformat()}],
                                 headers=headers)
    assert response.status == 422 and (await response.json())["error"]["field"] == "[0]"
    assert await count_events(db, [sensor["id"]]) == 0  # a rejected batch stores nothing
    batch = [{"event_id": "e1", "kind": "presence", "at": now.isoformat(), "room": "bathroom"},
             {"event_id": "e1", "kind": "presence", "at": now.isoformat(), "room": "bathroom"},
             {"event_id": "e2", "kind": "heartbeat", "at": "1970-01-01T00:00:00Z"}]
    response = await client.post(url, json=batch, headers=headers)
    assert response.status == 202
    assert await response.json() == {"accepted": 2, "duplicates": 1}
    async with db.acquire() as conn:
        device_row = await conn.fetchrow("SELECT clock_suspect FROM hw_devices WHERE id = $1", int(sensor["id"]))
        judged = await conn.fetchval("SELECT at FROM hw_events WHERE event_id = 'e2'")
    assert device_row["clock_suspect"] is True
    assert abs(judged - datetime.now(UTC)) < timedelta(seconds=30)  # judged by its arrival


async def test_unacknowledged_alert_widens_to_the_street_then_the_duty_desk_until_taken(
        server, people, make_client, client, broker, db):
    runtime = server.app[HOMEWATCH]
    runtime.cfg = replace(runtime.cfg, ack_seconds=1, escalate_seconds=1)
    street = await make_street(people, make_client, community="Garden")
    other_community = await street.add_user(make_client, "carer", "Riverside")
    await other_community.post("/api/homewatch/duty", json={"on_duty": True})
    garden_socket = await street.carers[0].socket()
    river_socket = await other_community.socket()
    desk_socket = await street.operator.socket()
    http = await street.add_device("button")
    response = await client.post(
        f"/api/homewatch/devices/{http['id']}/events",
        json={"event_id": "b1", "kind": "button", "at": datetime.now(UTC).isoformat()},
        headers={"Authorization": f"Bearer {http['token']}"})
    assert response.status == 202
    await wait_for(lambda: [e for e in events_named(garden_socket, "homewatch:alert") if e["ring"]], 3)
    assert not [e for e in events_named(river_socket, "homewatch:alert") if e["ring"]]
    await wait_for(lambda: [e for e in events_named(river_socket, "homewatch:alert") if e["ring"]], 4)
    await wait_for(lambda: [e for e in events_named(desk_socket, "homewatch:alert") if e["ring"]], 4)
    rings = len([e for e in events_named(desk_socket, "homewatch:alert") if e["ring"]])
    await wait_for(lambda: len([e for e in events_named(desk_socket, "homewatch:alert") if e["ring"]]) > rings, 4)
    alert_id = events_named(desk_socket, "homewatch:alert")[0]["id"]
    response = await other_community.post(f"/api/homewatch/alerts/{alert_id}/acknowledge", json={})
    assert response.status == 200
    await asyncio.sleep(0.3)
    step = (await alerts_of(db, "button"))[0]["escalation_step"]
    await asyncio.sleep(2.5)
    assert (await alerts_of(db, "button"))[0]["escalation_step"] == step  # taken: no more steps
    timeline = (await (await street.operator.get(f"/api/homewatch/alerts/{alert_id}")).json())["timeline"]
    audiences = [t["detail"]["audience"] for t in timeline if t["event"] == "notified"]
    assert audiences[:3] == ["community", "street", "desk"]
    # Going off duty hands the alert back: raised again and widened at once.
    response = await other_community.post("/api/homewatch/duty", json={"on_duty": False})
    assert (await response.json())["handed_back"] == [alert_id]
    row = (await alerts_of(db, "button"))[0]
    assert row["status"] == "raised" and row["owner_id"] is None


async def test_nobody_on_duty_goes_to_the_duty_desk_at_once(server, people, make_client, client, broker, db):
    street = await make_street(people, make_client, on_duty=False)
    desk_socket = await street.operator.socket()
    button = await street.add_device("button")
    await client.post(
        f"/api/homewatch/devices/{button['id']}/events",
        json={"event_id": "b1", "kind": "button", "at": datetime.now(UTC).isoformat()},
        headers={"Authorization": f"Bearer {button['token']}"})
    await wait_for(lambda: [e for e in events_named(desk_socket, "homewatch:alert") if e["ring"]], 3)
    alert = events_named(desk_socket, "homewatch:alert")[0]
    notified = [t for t in alert["timeline"] if t["event"] == "notified"][0]
    assert notified["detail"]["nobody_on_duty"] is True


async def test_broker_down_gives_one_monitoring_alert_not_one_per_device(server, people, make_client, broker, db):
    await connected(server)
    street = await make_street(people, make_client)
    await street.set_rules(heartbeat_timeout_seconds=2)
    sensors = [await device(street, broker, "presence", room) for room in ("bedroom", "kitchen", "hall")]
    for sensor in sensors:
        await sensor.send("heartbeat")
    await wait_for(lambda: events_reach(db, [s.id for s in sensors], 3), 5)
    for sensor in sensors:
        await sensor.close()
    broker.stop()
    await wait_for(lambda: alerts_of(db, "monitoring_interrupted"), 8)
    await asyncio.sleep(3)  # past every device's heartbeat timeout
    assert [a["kind"] for a in await alerts_of(db)] == ["monitoring_interrupted"]
    broker.start()
    await connected(server)
    # Back: the devices get a full heartbeat period before they count as silent.
    assert [a["kind"] for a in await alerts_of(db)] == ["monitoring_interrupted"]


async def test_resident_asks_for_help_then_says_im_ok_before_anyone_takes_it(server, people, make_client, db):
    resident = await people.patient(name="Grandma Li", birth_date="1940-03-02")
    street = await make_street(people, make_client, resident=resident)
    carer_socket = await street.carers[0].socket()
    response = await resident.post(f"/api/homewatch/homes/{street.home['id']}/help", json={})
    assert response.status == 201
    alert = await response.json()
    assert alert["kind"] == "button"
    await wait_for(lambda: [e for e in events_named(carer_socket, "homewatch:alert") if e["ring"]], 3)
    response = await resident.post(f"/api/homewatch/alerts/{alert['id']}/cancel", json={})
    assert response.status == 200
    assert (await response.json())["outcome"] == "cancelled_by_resident"
    response = await street.carers[0].post(f"/api/homewatch/alerts/{alert['id']}/acknowledge", json={})
    assert response.status == 409
    # Another resident cannot raise or cancel anything in this home.
    stranger = await people.patient()
    assert (await stranger.post(f"/api/homewatch/homes/{street.home['id']}/help", json={})).status == 404
    assert (await stranger.post(f"/api/homewatch/alerts/{alert['id']}/cancel", json={})).status == 404


async def test_roles_are_checked_and_bad_bodies_name_their_field(server, people, make_client, db):
    street = await make_street(people, make_client)
    other = await make_street(people, make_client)
    response = await street.operator.post("/api/homewatch/homes", json={
        "address": "x", "community": "Garden", "resident": {"name": "A", "birth_date": "1940-02-31"}})
    assert response.status == 422 and (await response.json())["error"]["field"] == "resident.birth_date"
    response = await street.operator.post(f"/api/homewatch/homes/{street.home['id']}/devices", json={"kind": "presence"})
    assert response.status == 422 and (await response.json())["error"]["field"] == "room"
    # An operator of another street sees nothing of this one; family and carers cannot enrol.
    assert (await other.operator.get(f"/api/homewatch/homes/{street.home['id']}")).status == 404
    assert (await street.family.post("/api/homewatch/homes", json={})).status == 403
    assert (await street.carers[0].post("/api/homewatch/users", json={})).status == 403
    async with db.acquire() as conn:
        alert_id = await conn.fetchval(
            "INSERT INTO hw_alerts (home_id, street_id, kind, level, dedupe_key) VALUES ($1, $2, 'button', 1, 'k')"
            " RETURNING id", int(street.home["id"]), int(street.street_id))
    assert (await other.carers[0].post(f"/api/homewatch/alerts/{alert_id}/acknowledge", json={})).status == 404
    assert (await street.family.post(f"/api/homewatch/alerts/{alert_id}/acknowledge", json={})).status == 403


async def test_report_counts_acknowledged_within_60_s_completion_and_exports_csv(server, people, make_client, db):
    street = await make_street(people, make_client)
    carer = street.carers[0]
    async with db.acquire() as conn:
        alert_id = await conn.fetchval(
            "INSERT INTO hw_alerts (home_id, street_id, kind, level, dedupe_key) VALUES ($1, $2, 'button', 1, 'k')"
            " RETURNING id", int(street.home["id"]), int(street.street_id))
    for path, body in (("acknowledge", {}), ("progress", {"step": "on_site"}), ("resolve", {"outcome": "false_alarm"})):
        response = await carer.post(f"/api/homewatch/alerts/{alert_id}/{path}", json=body)
        assert response.status == 200, await response.text()
    await street.family.post(f"/api/homewatch/alerts/{alert_id}/rating", json={"rating": 4})
    response = await street.operator.get("/api/homewatch/reports?days=7")
    rows = await response.json()
    assert len(rows) == 1
    row = rows[0]
    assert (row["raised"], row["button"], row["acknowledged_60s_pct"], row["completed_pct"], row["false_alarms"],
            row["satisfaction"]) == (1, 1, 100.0, 100.0, 1, 4.0)
    response = await street.operator.get("/api/homewatch/reports.csv?days=7")
    lines = (await response.text()).splitlines()
    assert lines[0].startswith("date,community,raised") and len(lines) == 2
    assert (await carer.get("/api/homewatch/reports")).status == 403
    figures = await (await street.operator.get("/api/homewatch/reports/homes")).json()
    assert figures["false_alarms_per_home"][0]["false_alarms"] == 1 and figures["devices_offline"] == 0


async def test_a_late_event_showing_the_room_was_left_in_time_withdraws_an_unsent_stay_alert(
        server, people, make_client, client, db):
    runtime = server.app[HOMEWATCH]
    runtime.cfg = replace(runtime.cfg, cancel_seconds=30)  # the "I'm OK" window before a sensor alert goes out
    street = await make_street(people, make_client)
    carer_socket = await street.carers[0].socket()
    await street.set_rules(living_room_max_seconds=1)
    living = await street.add_device("presence", "living_room")
    kitchen = await street.add_device("presence", "kitchen")
    entered = datetime.now(UTC)

    async def post(sensor, event):
        response = await client.post(f"/api/homewatch/devices/{sensor['id']}/events", json=event,
                                     headers={"Authorization": f"Bearer {sensor['token']}"})
        assert response.status == 202, await response.text()

    await post(living, {"event_id": "l1", "kind": "presence", "room": "living_room", "at": entered.isoformat()})
    await wait_for(lambda: alerts_of(db, "living_room_stay"), 4)
    # The kitchen sensor's event from half a second after entering arrives only now.
    await post(kitchen, {"event_id": "k1", "kind": "presence", "room": "kitchen",
                         "at": (entered + timedelta(seconds=0.5)).isoformat()})
    alert = (await alerts_of(db, "living_room_stay"))[0]
    assert (alert["status"], alert["outcome"]) == ("closed", "withdrawn")
    await asyncio.sleep(0.5)
    assert not [e for e in events_named(carer_socket, "homewatch:alert") if e["ring"]]
