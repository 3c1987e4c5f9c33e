"""Video calls into a home, through the real API and Socket.IO on a real PostgreSQL: who may ring a
home, auto-answer only with a standing consent (refused at once after a withdrawal, and never before
the countdown), not a queue consultation, the relay between the two members and the room closing
at the end, the doctor's note in the person's record and in a valid FHIR export, and an alert
closed with outcome video_call linked to the call."""
from __future__ import annotations

import json
from pathlib import Path

import asyncpg
import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from test_fhir import node_validate, references

from helpers import events_named, queued_patient, wait_for
from helpers.homewatch import make_street


async def street_with_doctor(people, make_client, consent=None, resident=True):
    """A street whose home has a resident account and a contracted doctor; (street, doctor, resident)."""
    doctor = await people.doctor()
    patient = await people.patient(name="Grandma Li", birth_date="1940-03-02") if resident else None
    street = await make_street(people, make_client, resident=patient, doctor=doctor, consent=consent or {})
    return street, doctor, patient


async def ring(person, home_id: str, **body) -> dict:
    response = await person.post(f"/api/homewatch/homes/{home_id}/calls", json=body)
    assert response.status == 201, await response.text()
    return await response.json()


async def error_of(response, status: int) -> str:
    assert response.status == status, await response.text()
    return (await response.json())["error"]["code"]


async def audit_actions(db, object_id: str) -> list[tuple[str, bool]]:
    async with db.acquire() as conn:
        rows = await conn.fetch("SELECT action, allowed FROM audit_log WHERE object_type = 'hw_call' AND object_id = $1"
                                " ORDER BY id", object_id)
    return [(r["action"], r["allowed"]) for r in rows]


async def test_who_may_ring_a_home_and_who_may_see_the_call(people, make_client, db):
    street, doctor, resident = await street_with_doctor(people, make_client)
    home = street.home["id"]
    other_doctor = await people.doctor()
    other_street = await make_street(people, make_client)
    stranger_carer = other_street.carers[0]
    stranger_patient = await people.patient(name="Someone Else")
    # A stranger learns nothing: another doctor, a carer of another street.
    assert await error_of(await other_doctor.post(f"/api/homewatch/homes/{home}/calls", json={}), 404) == "home_not_found"
    assert await error_of(await stranger_carer.post(f"/api/homewatch/homes/{home}/calls", json={}), 404) == "home_not_found"
    # Family, the operator and the resident do not ring the home.
    for person in (street.family, street.operator, resident):
        assert (await person.post(f"/api/homewatch/homes/{home}/calls", json={})).status in (403, 404)
    # A carer of the street off duty needs an alert of the home they own.
    carer = street.carers[0]
    assert (await carer.post("/api/homewatch/duty", json={"on_duty": False})).status == 200
    assert await error_of(await carer.post(f"/api/homewatch/homes/{home}/calls", json={}), 403) == "not_on_duty"
    # Bad input names its field and changes nothing.
    response = await doctor.post(f"/api/homewatch/homes/{home}/calls", json={"alert_id": "x"})
    assert response.status == 422 and (await response.json())["error"]["field"] == "alert_id"
    response = await doctor.post(f"/api/homewatch/homes/{home}/calls", json={"alert_id": 999999})
    assert response.status == 422 and (await response.json())["error"]["field"] == "alert_id"
    async with db.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM hw_calls") == 0

    call = await ring(doctor, home)
    assert call["status"] == "ringing" and call["my_role"] == "caller" and call["auto_answer"] is False
    # One call at a time per home.
    assert (await (await carer.post("/api/homewatch/duty", json={"on_duty": True})).json())["on_duty"]
    assert await error_of(await carer.post(f"/api/homewatch/homes/{home}/calls", json={}), 409) == "call_in_progress"
    # The resident sees it ringing; a stranger gets 404 for it, for every route.
    mine = await (await resident.get("/api/homewatch/calls")).json()
    assert [c["id"] for c in mine] == [call["id"]] and mine[0]["my_role"] == "home" and "address" not in mine[0]
    for person in (stranger_patient, other_doctor, street.family):
        assert (await person.get(f"/api/homewatch/calls/{call['id']}")).status == 404
        assert (await person.post(f"/api/homewatch/calls/{call['id']}/answer", json={})).status in (403, 404)
        assert (await person.post(f"/api/homewatch/calls/{call['id']}/end", json={})).status == 404
        assert await (await person.get("/api/homewatch/calls")).json() == []
    # The caller does not answer for the home.
    assert await error_of(await doctor.post(f"/api/homewatch/calls/{call['id']}/answer", json={}), 403) == "not_the_home"

    # Socket.IO: a stranger cannot join; the home cannot before it answered; every event acks.
    stranger_socket = await stranger_patient.socket()
    ack = await stranger_socket.call("homecall:join", {"call_id": call["id"]})
    assert ack["ok"] is False and ack["error"]["code"] == "call_not_found"
    ack = await stranger_socket.call("homecall:join", {"call_id": "nope"})
    assert ack["ok"] is False and ack["error"]["code"] == "bad_call_id"
    ack = await stranger_socket.call("homecall:signal", {"call_id": call["id"], "kind": "offer",
                                                         "data": {"type": "offer", "sdp": "v=0"}})
    assert ack["ok"] is False and ack["error"]["code"] == "not_joined"
    home_socket = await resident.socket()
    ack = await home_socket.call("homecall:join", {"call_id": call["id"]})
    assert ack["ok"] is False and ack["error"]["code"] == "not_answered"
    assert ("homewatch.call.join", False) in await audit_actions(db, call["id"])

    # A home whose resident has no account has no page to ring.
    bare = await make_street(people, make_client, doctor=doctor)
    assert await error_of(await doctor.post(f"/api/homewatch/homes/{bare.home['id']}/calls", json={}), 409) \
        == "no_home_page"


async def test_auto_answer_only_with_consent_after_the_countdown_and_never_after_withdrawal(people, make_client, db):
    street, doctor, resident = await street_with_doctor(people, make_client)
    home = street.home["id"]
    # No consent: the page may not answer by itself; a tap does.
    call = await ring(doctor, home)
    assert call["auto_answer"] is False
    assert await error_of(await resident.post(f"/api/homewatch/calls/{call['id']}/answer", json={"auto": True}),
                          403) == "consent_required"
    answered = await (await resident.post(f"/api/homewatch/calls/{call['id']}/answer", json={})).json()
    assert answered["status"] == "active" and answered["answered"] == "tapped"
    assert (await doctor.post(f"/api/homewatch/calls/{call['id']}/end", json={})).status == 200

    # The resident consents (on their own page): the next call rings with a countdown.
    response = await resident.post(f"/api/homewatch/homes/{home}/consent",
                                   json={"purpose": "video_auto_answer", "granted": True})
    assert response.status == 200 and (await response.json())["video_auto_answer"] is True
    call = await ring(doctor, home)
    assert call["auto_answer"] is True and call["auto_answer_at"] and call["countdown_seconds"] == 10
    # Not before the countdown has run out: the camera never opens early.
    assert await error_of(await resident.post(f"/api/homewatch/calls/{call['id']}/answer", json={"auto": True}),
                          409) == "countdown_running"
    # Withdrawn while it rings: refused at once, though the call rang with consent.
    response = await resident.post(f"/api/homewatch/homes/{home}/consent",
                                   json={"purpose": "video_auto_answer", "granted": False})
    assert (await response.json())["video_auto_answer"] is False
    async with db.acquire() as conn:  # the countdown has run out (the clock moved on)
        await conn.execute("UPDATE hw_calls SET auto_answer_at = now() - interval '1 second' WHERE id = $1",
                           int(call["id"]))
    assert await error_of(await resident.post(f"/api/homewatch/calls/{call['id']}/answer", json={"auto": True}),
                          403) == "consent_required"
    assert (await (await resident.get(f"/api/homewatch/calls/{call['id']}")).json())["status"] == "ringing"
    # The resident may still decline.
    declined = await (await resident.post(f"/api/homewatch/calls/{call['id']}/end", json={"reason": "declined"})).json()
    assert declined["status"] == "ended" and declined["end_reason"] == "declined"

    # Consent given again (the operator recording it): after the countdown the page answers itself.
    assert (await street.operator.post(f"/api/homewatch/homes/{home}/consent",
                                       json={"purpose": "video_auto_answer", "granted": True})).status == 200
    call = await ring(doctor, home)
    async with db.acquire() as conn:
        await conn.execute("UPDATE hw_calls SET auto_answer_at = now() WHERE id = $1", int(call["id"]))
    answered = await (await resident.post(f"/api/homewatch/calls/{call['id']}/answer", json={"auto": True})).json()
    assert answered["answered"] == "auto"
    actions = await audit_actions(db, call["id"])
    assert ("homewatch.call.start", True) in actions and ("homewatch.call.answer", True) in actions
    async with db.acquire() as conn:
        refused = await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'homewatch.call.auto_answer'"
                                      " AND NOT allowed")
    assert refused == 2


async def test_a_home_call_is_not_a_queue_consultation(people, make_client, db):
    street, doctor, resident = await street_with_doctor(people, make_client)
    patient, entry = await queued_patient(people, name="Queue Patient")
    response = await doctor.post("/api/doctor/claim", json={})
    assert response.status == 201, await response.text()
    consultation = await response.json()
    waiting, _ = await queued_patient(people, name="Next Patient")

    async def queue_state():
        async with db.acquire() as conn:
            return (await conn.fetch("SELECT id, status FROM queue_entries ORDER BY id"),
                    await conn.fetch("SELECT id, status FROM consultations ORDER BY id"),
                    await conn.fetchval("SELECT doctor_status FROM users WHERE id = $1", int(doctor.id)))
    before = await queue_state()
    # In clinic, with a consultation running, the doctor rings the home and the home answers.
    call = await ring(doctor, street.home["id"])
    assert (await resident.post(f"/api/homewatch/calls/{call['id']}/answer", json={})).status == 200
    assert await queue_state() == before
    current = await (await doctor.get("/api/consultations/current")).json()
    assert current["id"] == consultation["id"] and current["status"] == "active"
    # The resident (a patient) has no consultation and no queue entry made by the call.
    async with db.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM consultations WHERE patient_id = $1", int(resident.id)) == 0
        assert await conn.fetchval("SELECT count(*) FROM queue_entries WHERE patient_id = $1", int(resident.id)) == 0
    # The consultation's room works as before, beside the home call's.
    doctor_socket = await doctor.socket()
    assert (await doctor_socket.call("join", {"consultation_id": consultation["id"]}))["ok"]
    assert (await doctor_socket.call("homecall:join", {"call_id": call["id"]}))["ok"]
    # Ending the consultation and claiming the next patient still work during the home call.
    response = await doctor.post(f"/api/consultations/{consultation['id']}/end", json={
        "diagnosis": "Common cold", "disposition": "advice", "advice": "Rest"})
    assert response.status == 200, await response.text()
    response = await doctor.post("/api/doctor/claim", json={})
    assert response.status == 201, await response.text()
    assert (await (await doctor.get(f"/api/homewatch/calls/{call['id']}")).json())["status"] == "active"
    del patient, entry, waiting


async def test_signals_go_to_the_other_member_and_ending_closes_the_room(people, make_client, db):
    street, doctor, resident = await street_with_doctor(people, make_client)
    caller_socket = await doctor.socket()
    home_socket = await resident.socket()
    call = await ring(doctor, street.home["id"])
    await wait_for(lambda: events_named(home_socket, "homecall:update"))
    assert events_named(home_socket, "homecall:update")[0]["status"] == "ringing"
    ack = await caller_socket.call("homecall:join", {"call_id": call["id"]})
    assert ack == {"ok": True, "role": "caller", "peers": []}
    assert (await resident.post(f"/api/homewatch/calls/{call['id']}/answer", json={})).status == 200
    ack = await home_socket.call("homecall:join", {"call_id": call["id"]})
    assert ack == {"ok": True, "role": "home", "peers": ["caller"]}
    await wait_for(lambda: events_named(caller_socket, "homecall:peer_joined"))
    offer = {"type": "offer", "sdp": "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"}
    assert (await caller_socket.call("homecall:signal", {"call_id": call["id"], "kind": "offer", "data": offer}))["ok"]
    await wait_for(lambda: events_named(home_socket, "homecall:signal"))
    relayed = events_named(home_socket, "homecall:signal")[0]
    assert relayed["from_role"] == "caller" and relayed["data"] == offer
    assert events_named(caller_socket, "homecall:signal") == []  # never echoed to the sender
    bad = await caller_socket.call("homecall:signal", {"call_id": call["id"], "kind": "offer", "data": {"sdp": 1}})
    assert bad["ok"] is False and bad["error"]["code"] == "bad_data"
    # A dropped connection: the other member is told, and rejoining works.
    await home_socket.disconnect()
    await wait_for(lambda: events_named(caller_socket, "homecall:peer_left"))
    home_socket = await resident.socket()
    assert (await home_socket.call("homecall:join", {"call_id": call["id"]}))["peers"] == ["caller"]
    # Hanging up ends it for both and closes the room: relays are refused from then on.
    ended = await (await resident.post(f"/api/homewatch/calls/{call['id']}/end", json={})).json()
    assert ended["status"] == "ended" and ended["end_reason"] == "hung_up"
    await wait_for(lambda: any(u["status"] == "ended" for u in events_named(caller_socket, "homecall:update")))
    await wait_for(lambda: any(u["status"] == "ended" for u in events_named(home_socket, "homecall:update")))
    after = await caller_socket.call("homecall:signal", {"call_id": call["id"], "kind": "hangup"})
    assert after["ok"] is False and after["error"]["code"] == "not_joined"
    rejoin = await caller_socket.call("homecall:join", {"call_id": call["id"]})
    assert rejoin["ok"] is False and rejoin["error"]["code"] == "ended"
    assert await error_of(await doctor.post(f"/api/homewatch/calls/{call['id']}/end", json={}), 409) == "ended"


async def test_the_doctors_note_is_in_the_record_and_a_valid_fhir_export(people, make_client, db, tmp_path: Path):
    street, doctor, resident = await street_with_doctor(people, make_client)
    call = await ring(doctor, street.home["id"])
    assert (await resident.post(f"/api/homewatch/calls/{call['id']}/answer", json={})).status == 200
    response = await doctor.post(f"/api/homewatch/calls/{call['id']}/notes",
                                 json={"text": "BP 150/90 by her own cuff; dizzy <since> the morning & tired."})
    assert response.status == 201, await response.text()
    first = await response.json()
    # A correction needs its reason; the original stays.
    response = await doctor.post(f"/api/homewatch/calls/{call['id']}/notes",
                                 json={"text": "BP 150/95.", "replaces_id": int(first["id"])})
    assert response.status == 422 and (await response.json())["error"]["field"] == "reason"
    response = await doctor.post(f"/api/homewatch/calls/{call['id']}/notes", json={
        "text": "BP 150/95 by her own cuff; dizzy since the morning. Amlodipine continued.",
        "replaces_id": int(first["id"]), "reason": "Misread the diastolic pressure"})
    assert response.status == 201, await response.text()
    assert await error_of(await doctor.post(f"/api/homewatch/calls/{call['id']}/notes", json={
        "text": "again", "replaces_id": int(first["id"]), "reason": "twice"}), 409) == "note_replaced"
    assert (await doctor.post(f"/api/homewatch/calls/{call['id']}/end", json={})).status == 200
    # Nobody else writes it; the app's database role cannot change or delete it.
    assert (await resident.post(f"/api/homewatch/calls/{call['id']}/notes", json={"text": "x"})).status == 403
    assert (await street.carers[0].post(f"/api/homewatch/calls/{call['id']}/notes", json={"text": "x"})).status == 403
    async with db.acquire() as conn:
        with pytest.raises(asyncpg.PostgresError):
            await conn.execute("UPDATE hw_call_notes SET text = 'changed'")
        with pytest.raises(asyncpg.PostgresError):
            await conn.execute("DELETE FROM hw_call_notes")
    # The doctor's view of the call and of the home's calls carries the notes; the resident's not.
    view = await (await doctor.get(f"/api/homewatch/calls/{call['id']}")).json()
    assert [n["current"] for n in view["notes"]] == [False, True]
    assert "notes" not in await (await resident.get(f"/api/homewatch/calls/{call['id']}")).json()
    listed = await (await doctor.get(f"/api/homewatch/homes/{street.home['id']}/calls")).json()
    assert listed[0]["notes"][1]["reason"] == "Misread the diastolic pressure"
    assert all("notes" not in c for c in await (await street.carers[0].get(
        f"/api/homewatch/homes/{street.home['id']}/calls")).json())

    # The person later sees the doctor in clinic: the record panel shows the home call's current note.
    response = await resident.post("/api/triage/assessments", json={"answers": {
        "age_years": 85, "symptoms": ["cough"], "temperature_c": 37.0}})
    assert response.status == 201, await response.text()
    response = await resident.post("/api/queue", json={"assessment_id": (await response.json())["id"]})
    assert response.status == 201, await response.text()
    clinic_doctor = await people.doctor(department=(await response.json())["department"])
    consultation = await (await clinic_doctor.post("/api/doctor/claim", json={})).json()
    record = await (await clinic_doctor.get(f"/api/consultations/{consultation['id']}/record")).json()
    assert record["home_calls"][0]["id"] == call["id"]
    assert [n["text"] for n in record["home_calls"][0]["notes"]] == [
        "BP 150/95 by her own cuff; dizzy since the morning. Amlodipine continued."]
    async with db.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM audit_log WHERE action = 'patient.home_calls_read'"
                                   " AND actor_id = $1", int(clinic_doctor.id)) == 1

    # FHIR: the resident and the doctor export it; three validators find nothing wrong.
    assert (await street.carers[0].get(f"/api/homewatch/calls/{call['id']}/fhir")).status == 404
    files = []
    for person, kind in ((doctor, "transaction"), (resident, "collection")):
        response = await person.get(f"/api/homewatch/calls/{call['id']}/fhir", params={"type": kind})
        assert response.status == 200 and response.content_type == "application/fhir+json"
        data = await response.json()
        Bundle.model_validate(data)
        for entry in data["entry"]:
            get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])
        urls = {e["fullUrl"] for e in data["entry"]}
        assert set(references(data)) <= urls
        types = [e["resource"]["resourceType"] for e in data["entry"]]
        assert types.count("Encounter") == 1 and types.count("Composition") == 1 and types.count("Provenance") == 1
        encounter = next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Encounter")
        assert encounter["class"]["code"] == "VR" and encounter["status"] == "finished"
        composition = next(e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "Composition")
        assert composition["status"] == "amended" and "Amlodipine continued" in composition["section"][0]["text"]["div"]
        assert "&lt;since&gt;" not in composition["text"]["div"]  # the replaced note is not the current text
        path = tmp_path / f"home-call-{kind}.json"
        path.write_text(json.dumps(data, ensure_ascii=False))
        files.append(path)
    assert await error_of(await doctor.get(f"/api/homewatch/calls/{call['id']}/fhir", params={"type": "x"}),
                          422) == "validation_failed"
    for result in node_validate(files):
        assert result["schema"]["errors"] == [], result["schema"]["errors"][:5]
        assert result["medplum"]["errors"] == [], result["medplum"]["errors"][:5]


async def test_an_alert_is_closed_by_the_video_call_it_led_to(people, make_client, db):
    street, doctor, resident = await street_with_doctor(people, make_client)
    carer = street.carers[0]
    response = await resident.post(f"/api/homewatch/homes/{street.home['id']}/help")
    assert response.status == 201, await response.text()
    alert = await response.json()
    assert (await carer.post(f"/api/homewatch/alerts/{alert['id']}/acknowledge")).status == 200
    call = await ring(carer, street.home["id"], alert_id=int(alert["id"]))
    assert call["alert_id"] == alert["id"] and call["caller"]["role"] == "carer"
    assert "notes" not in call
    assert (await resident.post(f"/api/homewatch/calls/{call['id']}/answer", json={})).status == 200
    # Only the alert's owner closes it through the call.
    assert (await doctor.post(f"/api/homewatch/calls/{call['id']}/resolve-alert", json={})).status == 404
    response = await carer.post(f"/api/homewatch/calls/{call['id']}/resolve-alert", json={"note": "Talked; she is fine."})
    assert response.status == 200, await response.text()
    assert await response.json() == {"alert_id": alert["id"], "status": "closed", "outcome": "video_call",
                                     "call_id": call["id"]}
    closed = await (await carer.get(f"/api/homewatch/alerts/{alert['id']}")).json()
    assert closed["status"] == "closed" and closed["outcome"] == "video_call"
    events = {t["event"]: t.get("detail") for t in closed["timeline"]}
    assert events["video_call"] == {"call_id": call["id"]}
    assert events["outcome"] == {"outcome": "video_call", "call_id": call["id"]}
    assert await error_of(await carer.post(f"/api/homewatch/calls/{call['id']}/resolve-alert", json={}), 409) \
        == "not_owner"
