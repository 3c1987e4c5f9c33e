"""The queue: order (levels and ageing), exactly-once claims under concurrency, durability across a crash."""
from __future__ import annotations

import asyncio
import random

import aiohttp
import pytest
import socketio

from helpers import PASSWORD, cookie_headers, queued_patient
from helpers.processes import ServerProcess
from server.queue import service as queue_service
from server.triage import service as assessments

ANSWERS_BY_LEVEL = {  # answers the triage engine places at these levels (checked in the test)
    3: {"age_years": 40, "symptoms": ["abdominal_pain"], "pain_score": 6},
    4: {"age_years": 30, "symptoms": ["cough", "sore_throat"], "temperature_c": 37.8},
}


async def _bulk_patients(db, count: int, levels=(3, 4), first: int = 0) -> list[int]:
    """Waiting patients made directly in the database (registration through argon2 would take minutes)."""
    entries = []
    async with db.acquire() as conn:
        ids = await conn.fetch(
            "INSERT INTO users (role, name, phone, password_hash) "
            "SELECT 'patient', 'P' || i, '137' || lpad(i::text, 8, '0'), 'x' FROM generate_series($2 + 1, $2 + $1) i "
            "RETURNING id", count, first)
        for row in ids:
            assessment = await assessments.create(conn, row["id"], ANSWERS_BY_LEVEL[random.choice(levels)])
            entry, _ = await queue_service.enqueue(conn, row["id"], assessment)
            entries.append(entry["id"])
    return entries


async def _waiting_keys(db, department="internal") -> list[tuple]:
    async with db.acquire() as conn:
        rows = await conn.fetch("SELECT id, due_at FROM queue_entries WHERE department = $1 AND status = 'waiting' "
                                "ORDER BY due_at, id", department)
    return [(r["due_at"], r["id"]) for r in rows]


async def test_order_is_by_level_then_wait_and_overdue_patients_move_up(people, db):
    doctor = await people.doctor()
    _, mild = await queued_patient(people, ANSWERS_BY_LEVEL[4], name="Mild")
    _, urgent = await queued_patient(people, ANSWERS_BY_LEVEL[3], name="Urgent")
    assert (mild["level"], urgent["level"]) == (4, 3)
    queue = await (await doctor.get("/api/doctor/queue")).json()
    assert [e["patient"]["name"] for e in queue["entries"]] == ["Urgent", "Mild"]
    assert all(e["why_here"] for e in queue["entries"]) and queue["entries"][0]["triage"]["reasons"]

    # The mild patient has now waited 70 minutes, past the 60 of level 4: due before a new level-3 arrival.
    async with db.acquire() as conn:
        await conn.execute("UPDATE queue_entries SET enqueued_at = now() - interval '70 minutes', "
                           "due_at = now() - interval '10 minutes' WHERE id = $1", int(mild["id"]))
    queue = await (await doctor.get("/api/doctor/queue")).json()
    assert [e["patient"]["name"] for e in queue["entries"]] == ["Mild", "Urgent"]
    assert queue["entries"][0]["overdue"] is True


@pytest.mark.slow
async def test_fifty_doctors_claim_five_hundred_patients_exactly_once(people, db):
    doctors = [await people.doctor() for _ in range(50)]
    for repetition in range(2):
        created = await _bulk_patients(db, 500, first=repetition * 500)
        claimed: list[int] = []
        while True:
            before = await _waiting_keys(db)
            if not before:
                break
            results = await asyncio.gather(*(d.post("/api/doctor/claim", json={}) for d in doctors))
            round_claims = []
            for _doctor, response in zip(doctors, results):
                if response.status == 404:
                    continue
                assert response.status == 201, await response.text()
                consultation = await response.json()
                round_claims.append(consultation["id"])
            async with db.acquire() as conn:
                entry_ids = [r["entry_id"] for r in await conn.fetch(
                    "SELECT entry_id FROM consultations WHERE id = ANY($1::bigint[])", [int(c) for c in round_claims])]
            # Concurrent claims take exactly the first N of the order, each once.
            assert sorted(entry_ids) == sorted(key[1] for key in before[:len(round_claims)])
            claimed.extend(entry_ids)
            ends = [d.post(f"/api/consultations/{cid}/end", json={"diagnosis": "ok", "disposition": "advice"})
                    for d, cid in zip([d for d, r in zip(doctors, results) if r.status == 201], round_claims)]
            assert all(r.status == 200 for r in await asyncio.gather(*ends))
        assert sorted(claimed) == sorted(created), f"repetition {repetition}: lost or doubled patients"
        async with db.acquire() as conn:
            assert await conn.fetchval("SELECT count(*) FROM consultations GROUP BY entry_id ORDER BY 1 DESC LIMIT 1") == 1


async def test_one_open_entry_per_patient_is_enforced_by_the_database(people, db):
    patient, entry = await queued_patient(people)
    async with db.acquire() as conn:
        assessment_id = await conn.fetchval("SELECT assessment_id FROM queue_entries WHERE id = $1", int(entry["id"]))
        try:
            await conn.execute("INSERT INTO queue_entries (patient_id, assessment_id, department, level, status, due_at) "
                               "VALUES ($1, $2, 'internal', 4, 'waiting', now())", int(patient.id), assessment_id)
            inserted = True
        except Exception as exc:  # asyncpg.UniqueViolationError
            inserted = "queue_entries_one_open_per_patient" not in str(exc)
    assert not inserted


async def test_killed_server_restarts_with_the_same_queue_and_clients_get_their_place(database_url, db, tmp_path):
    env = {"DATABASE_URL": database_url, "REDIS_URL": "", "DATA_DIR": str(tmp_path)}
    server = ServerProcess(env, log_dir=tmp_path).start()
    sockets = []
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)):
            cookies = []
            for i in range(4):
                jar = aiohttp.CookieJar(unsafe=True)
                async with aiohttp.ClientSession(cookie_jar=jar) as s:
                    r = await s.post(server.url + "/api/auth/register",
                                     json={"phone": f"1360000000{i}", "password": PASSWORD, "name": f"R{i}",
                                           "consents": ["health_data", "video"]})
                    csrf = (await r.json())["csrf_token"]
                    a = await (await s.post(server.url + "/api/triage/assessments", headers={"X-CSRF-Token": csrf},
                                            json={"answers": ANSWERS_BY_LEVEL[4 if i % 2 else 3]})).json()
                    q = await s.post(server.url + "/api/queue", headers={"X-CSRF-Token": csrf},
                                     json={"assessment_id": a["id"]})
                    assert q.status == 201
                    cookies.append("; ".join(f"{c.key}={c.value}" for c in jar))
            before = await _waiting_keys(db)

            # A client that resubscribes on every (re)connect, as the patient page does.
            acks = []
            sio = socketio.AsyncClient(reconnection=True, reconnection_delay=0.2, reconnection_delay_max=1)

            async def subscribe():
                acks.append(await sio.call("queue:subscribe", {}))

            @sio.event
            async def connect():
                sio.start_background_task(subscribe)

            await sio.connect(server.url, headers=cookie_headers(cookies[3]), transports=["websocket"])
            sockets.append(sio)
            while not acks:
                await asyncio.sleep(0.05)
            position = acks[0]["entry"]["position"]

            server.kill()
            assert await _waiting_keys(db) == before
            server.start()
            for _ in range(200):
                if len(acks) > 1:
                    break
                await asyncio.sleep(0.1)
            assert len(acks) > 1, "the client did not reconnect by itself"
            assert acks[-1]["ok"] and acks[-1]["entry"]["position"] == position
            assert await _waiting_keys(db) == before
    finally:
        for sio in sockets:
            await sio.disconnect()
        server.stop()
