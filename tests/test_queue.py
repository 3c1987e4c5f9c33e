"""The queue: order (levels and ageing), exactly-once claims under concurrency, durability across a crash."""
from __future__ import annotations

import asyncio
import contextlib
import random

import aiohttp
import asyncpg
import pytest
import socketio

from helpers import PASSWORD, Person, cookie_headers, queue_changes, queued_patient, wait_for
from helpers.processes import ServerProcess
from server.accounts import service as auth
from server.consent import service as consent
from server.keys import QUEUE_ARRIVALS
from server.queue import service as queue_service
from server.queue.arrivals import Arrivals
from server.triage import service as assessments
from server.web.errors import EmergencyNotQueueable, PatientAlreadyQueued

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


async def _patients_with_assessments(conn, count: int, first: int, level: int = 4) -> list[tuple[int, object]]:
    """(user id, assessment) of patients made directly in the database, with the health-data consent."""
    ids = [r["id"] for r in await conn.fetch(
        "INSERT INTO users (role, name, phone, password_hash) "
        "SELECT 'patient', 'A' || i, '138' || lpad(i::text, 8, '0'), 'x' FROM generate_series($2 + 1, $2 + $1) i "
        "RETURNING id", count, first)]
    await conn.execute("INSERT INTO consents (user_id, purpose, version, granted) "
                       "SELECT unnest($1::bigint[]), 'health_data', $2, true", ids, consent.VERSIONS["health_data"])
    return [(uid, await assessments.create(conn, uid, ANSWERS_BY_LEVEL[level])) for uid in ids]


async def _signed_in_patients(db, make_client, count: int, first: int = 0, level: int = 4) -> list[Person]:
    """Signed-in patients with an assessment (`person.assessment_id`), made in the database: sessions
    are opened as the bench does (server.accounts.service.open_session), not by password (argon2)."""
    people = []
    async with db.acquire() as conn:
        for uid, assessment in await _patients_with_assessments(conn, count, first, level):
            token, csrf = await auth.open_session(conn, uid, 1)
            client = await make_client()
            client.session.cookie_jar.update_cookies({auth.SESSION_COOKIE: token})
            person = Person(client, {"id": str(uid), "role": "patient"}, csrf)
            person.assessment_id = str(assessment["id"])
            people.append(person)
    return people


async def _join(person: Person):
    return await person.post("/api/queue", json={"assessment_id": person.assessment_id},
                             headers={"Accept-Language": "en"})


async def _queue_seq(db, department="internal") -> int:
    async with db.acquire() as conn:
        return await conn.fetchval("SELECT queue_seq FROM departments WHERE code = $1", department)


@contextlib.asynccontextmanager
async def _department_row_held(database_url, department="internal"):
    """The department's row locked by another transaction (the owner's, outside the app's pool): an
    arrival's statement waits on it (its seq bump), so it stays in flight until the block ends.
    Yields the holder's backend pid."""
    owner = await asyncpg.connect(database_url)
    try:
        async with owner.transaction():
            await owner.execute("SELECT 1 FROM departments WHERE code = $1 FOR UPDATE", department)
            yield owner.get_server_pid()
    finally:
        await owner.close()


async def _join_at_once(app, db, database_url, monkeypatch, burst: list[Person]) -> tuple[list, int]:
    """Everyone in `burst` posts /api/queue at once while the department's row is held, until the
    requests have piled up behind the first statement: all those not answered yet have come to the
    process's arrivals (there, each holds a connection of the pool), or as many as the pool has
    connections (or, were they not joined, more than one backend waits on the row). Returns the
    answers, in `burst`'s order, and how many backends were waiting on the row in PostgreSQL by then."""
    arrivals, inside = app[QUEUE_ARRIVALS], 0
    enqueue = arrivals.enqueue

    async def counted(*args):
        nonlocal inside
        inside += 1
        try:
            return await enqueue(*args)
        finally:
            inside -= 1
    monkeypatch.setattr(arrivals, "enqueue", counted)
    monitor = await asyncpg.connect(database_url)  # its own statements: pg_stat_activity is read afresh
    answers = []
    try:
        async with _department_row_held(database_url) as holder:
            async def blocked() -> int:
                return await monitor.fetchval("SELECT count(*) FROM pg_stat_activity "
                                              "WHERE $1 = ANY(pg_blocking_pids(pid))", holder)

            async def piled_up() -> bool:
                count, pending = await blocked(), sum(not answer.done() for answer in answers)
                return count > 1 or (count == 1 and inside >= min(pending, db.get_max_size()))
            answers = [asyncio.ensure_future(_join(person)) for person in burst]
            await wait_for(piled_up, timeout=30)
            blocked_on_row = await blocked()
        return list(await asyncio.gather(*answers)), blocked_on_row
    except BaseException:
        await asyncio.gather(*answers, return_exceptions=True)  # the row is free: they end before the server
        raise
    finally:
        await monitor.close()


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


async def test_thirty_patients_joining_at_once_share_statements_and_get_the_places_the_doctor_sees(
        people, db, make_client, app, database_url, monkeypatch):
    """Thirty patients who press "join the queue" at the same moment all get in, each told the place
    the doctor's list gives them (behind those already waiting), and the waiting room hears of them
    in a few changes, not thirty: while one statement of the department was in flight, the others
    waited in the process (not on the department's row in PostgreSQL) and went in together."""
    earlier = await _signed_in_patients(db, make_client, 3)
    for person in earlier:
        assert (await _join(person)).status == 201
    watcher = await earlier[0].socket()
    assert (await watcher.call("queue:subscribe", {}))["ok"]
    doctor = await people.doctor()
    arrivals = await _signed_in_patients(db, make_client, 30, first=len(earlier))
    seq_before = await _queue_seq(db)

    responses, blocked_on_row = await _join_at_once(app, db, database_url, monkeypatch, arrivals)
    assert [r.status for r in responses] == [201] * len(arrivals), [await r.text() for r in responses]
    views = [await r.json() for r in responses]
    rise = await _queue_seq(db) - seq_before
    assert rise < len(arrivals), f"{rise} seq bumps for {len(arrivals)} arrivals: they were not joined"
    assert blocked_on_row == 1, f"{blocked_on_row} arrivals waited on the department's row in PostgreSQL"

    async with db.acquire() as conn:
        order = [r["id"] for r in await conn.fetch(
            "SELECT id FROM queue_entries WHERE department = 'internal' AND status = 'waiting' ORDER BY due_at, id")]
    # One level for all: a later statement's arrivals are due later, so no place told changed since.
    rank = {str(entry_id): i for i, entry_id in enumerate(order, start=1)}
    assert len(order) == len(earlier) + len(arrivals)
    assert [v["position"] for v in views] == [rank[v["id"]] for v in views]
    assert sorted(v["position"] for v in views) == list(range(len(earlier) + 1, len(order) + 1))
    queue = await (await doctor.get("/api/doctor/queue")).json()
    assert [int(e["id"]) for e in queue["entries"]] == order

    # The waiting room: one change per statement, in seq order, listing every arrival once.
    new = {v["id"] for v in views}
    await wait_for(lambda: any(c["seq"] == seq_before + rise for c in queue_changes(watcher)), timeout=10)
    changes = sorted({c["seq"]: c for c in queue_changes(watcher) if c["seq"] > seq_before}.values(),
                     key=lambda c: c["seq"])
    assert [c["seq"] for c in changes] == list(range(seq_before + 1, seq_before + rise + 1))
    inserted = [e["id"] for c in changes for e in c["inserted"]]
    assert sorted(inserted) == sorted(new) and not any(c["removed"] for c in changes)
    assert max(len(c["inserted"]) for c in changes) > 1


async def test_a_repeated_join_in_a_burst_is_refused_alone_and_the_others_get_in(
        db, make_client, app, database_url, monkeypatch):
    """When a patient who is already waiting presses "join" again, and another presses it twice,
    among others joining at the same moment, only those repeated presses are told "You are already
    in a queue." (409); everyone else gets in, and nobody's place is lost or doubled."""
    already, twice, *others = await _signed_in_patients(db, make_client, 9)
    first = await _join(already)
    assert first.status == 201
    first_entry = (await first.json())["id"]
    statements = []  # (arrivals in the statement, whether it met a duplicate)
    enqueue_many = queue_service.enqueue_many

    async def spy(conn, batch):
        try:
            result = await enqueue_many(conn, batch)
        except PatientAlreadyQueued:
            statements.append((len(batch), True))
            raise
        statements.append((len(batch), False))
        return result
    monkeypatch.setattr(queue_service, "enqueue_many", spy)

    burst = [already, twice, twice, *others]
    responses, blocked_on_row = await _join_at_once(app, db, database_url, monkeypatch, burst)
    assert blocked_on_row == 1

    refused = {"error": {"code": "already_queued", "message": PatientAlreadyQueued().localised("en"), "field": None}}
    assert responses[0].status == 409 and await responses[0].json() == refused
    assert sorted(r.status for r in responses[1:3]) == [201, 409]
    assert [await r.json() for r in responses[1:3] if r.status == 409] == [refused]
    assert [r.status for r in responses[3:]] == [201] * len(others)
    # The duplicate met a statement of several arrivals, which then went one statement each.
    assert any(size > 1 and duplicate for size, duplicate in statements), statements

    async with db.acquire() as conn:
        waiting = await conn.fetch("SELECT id, patient_id FROM queue_entries WHERE status = 'waiting'")
    assert sorted(r["patient_id"] for r in waiting) == sorted(int(p.id) for p in [already, twice, *others])
    assert str(next(r["id"] for r in waiting if r["patient_id"] == int(already.id))) == first_entry
    entries = {(await r.json())["id"] for r in responses if r.status == 201}
    assert entries | {first_entry} == {str(r["id"]) for r in waiting}


def _keyed(entry) -> dict:
    return {"id": str(entry["id"]), "key": queue_service.sort_key(entry)}


async def test_arrivals_on_their_own_connections_get_one_change_for_their_batch(db):
    """Patients who join while another's statement is in flight are announced to the waiting room as
    one change listing all of them, published once (by the first of them), in one seq; an emergency
    is still refused at once and stops nobody."""
    async with db.acquire() as conn:
        patients = await _patients_with_assessments(conn, 6, first=0)
        emergency_patient, = await conn.fetch(
            "INSERT INTO users (role, name, phone, password_hash) VALUES ('patient', 'E', '13799999999', 'x') "
            "RETURNING id")
        emergency = await assessments.create(conn, emergency_patient["id"],
                                             {"age_years": 67, "symptoms": ["chest_pain", "sweating"]})
    assert emergency["disposition"] == "emergency"
    seq_before = await _queue_seq(db)
    arrivals = Arrivals()
    async with contextlib.AsyncExitStack() as stack:
        conns = [await stack.enter_async_context(db.acquire()) for _ in patients]
        with pytest.raises(EmergencyNotQueueable):
            await arrivals.enqueue(conns[0], emergency_patient["id"], emergency)
        # The first goes alone (nothing was in flight); the others come while its statement is.
        results = await asyncio.gather(*(arrivals.enqueue(c, uid, a) for c, (uid, a) in zip(conns, patients)))
    assert not arrivals._waiting and not arrivals._busy  # the department is free again

    (lead_entry, lead_change), (entry, change), *rest = results
    assert [e["patient_id"] for e, _ in results] == [uid for uid, _ in patients]
    assert lead_change.seq == seq_before + 1 and lead_change.inserted == [_keyed(lead_entry)]
    assert change is not None and change.seq == seq_before + 2 == await _queue_seq(db)
    assert all(own is None for _, own in rest)
    batch = [entry, *(e for e, _ in rest)]
    assert change.inserted == [_keyed(e) for e in batch]
    assert {e["seq"] for e in batch} == {change.seq} and change.removed == []


async def test_joins_given_up_while_waiting_hold_up_nobody(db, database_url):
    """A join request dropped while it waits behind another's statement (its task cancelled: a
    timeout, the server shutting down) is not queued, and the patients who press "join" with it or
    after it still get in: the department does not stay stuck in this process."""
    async with db.acquire() as conn:
        patients = await _patients_with_assessments(conn, 5, first=0)
    arrivals = Arrivals()
    async with contextlib.AsyncExitStack() as stack:
        conns = [await stack.enter_async_context(db.acquire()) for _ in patients]
        calls = [(c, uid, a) for c, (uid, a) in zip(conns, patients)]
        async with _department_row_held(database_url):
            lead = asyncio.ensure_future(arrivals.enqueue(*calls[0]))
            await asyncio.sleep(0.2)  # its statement is sent, and waits on the department's row
            first_gone, first_kept, last_gone, last_kept = (asyncio.ensure_future(arrivals.enqueue(*call))
                                                            for call in calls[1:])
            await asyncio.sleep(0.1)
            assert not lead.done() and len(arrivals._waiting["internal"]) == 4
            first_gone.cancel()
            last_gone.cancel()
            await asyncio.sleep(0.1)
        done = await asyncio.wait_for(asyncio.gather(lead, first_kept, last_kept), timeout=10)
    assert first_gone.cancelled() and last_gone.cancelled()
    assert [entry["patient_id"] for entry, _ in done] == [calls[0][1], calls[2][1], calls[4][1]]
    _, (kept_entry, change), (last_entry, last_change) = done
    assert change.inserted == [_keyed(kept_entry), _keyed(last_entry)] and last_change is None
    assert not arrivals._waiting and not arrivals._busy
    async with db.acquire() as conn:
        queued = {r["patient_id"] for r in await conn.fetch("SELECT patient_id FROM queue_entries")}
    assert queued == {calls[0][1], calls[2][1], calls[4][1]}
