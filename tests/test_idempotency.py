"""Resending never duplicates: a state-changing POST sent twice with one Idempotency-Key stores one row."""
from __future__ import annotations

import asyncio

from test_records import in_consultation

from helpers import MILD_ANSWERS


async def test_the_same_post_twice_with_one_key_stores_one_row_and_answers_the_same(people, db):
    patient = await people.patient()
    headers = {"Idempotency-Key": "assess-1"}
    first = await patient.post("/api/triage/assessments", json={"answers": MILD_ANSWERS}, headers=headers)
    again = await patient.post("/api/triage/assessments", json={"answers": MILD_ANSWERS}, headers=headers)
    assert first.status == again.status == 201
    assert (await first.json())["id"] == (await again.json())["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    async with db.acquire() as conn:
        assert await conn.fetchval("SELECT count(*) FROM assessments") == 1
    # Another key is another request; a key is the user's own.
    other = await patient.post("/api/triage/assessments", json={"answers": MILD_ANSWERS},
                               headers={"Idempotency-Key": "assess-2"})
    assert (await other.json())["id"] != (await first.json())["id"]
    stranger = await people.patient()
    theirs = await stranger.post("/api/triage/assessments", json={"answers": MILD_ANSWERS}, headers=headers)
    assert theirs.status == 201 and (await theirs.json())["id"] != (await first.json())["id"]


async def test_concurrent_resends_store_one_row_and_a_failed_first_attempt_keeps_nothing(people, db):
    patient, doctor, cid = await in_consultation(people)
    record = {"diagnosis": "URTI", "disposition": "advice", "advice": "rest"}
    assert (await doctor.post(f"/api/consultations/{cid}/end", json=record)).status == 200
    headers = {"Idempotency-Key": "rate-1"}
    bad = await patient.post(f"/api/consultations/{cid}/rating", json={"rating": 9}, headers=headers)
    assert bad.status == 422
    answers = await asyncio.gather(*(patient.post(f"/api/consultations/{cid}/rating", json={"rating": 4},
                                                  headers=headers) for _ in range(3)))
    assert sorted(a.status for a in answers)[0] == 204 and all(a.status in (204, 409) for a in answers)
    reused = await patient.post("/api/queue/me/precheck", json={"camera": True, "microphone": True}, headers=headers)
    assert reused.status == 422 and (await reused.json())["error"]["field"] == "Idempotency-Key"
    bad_key = await patient.post(f"/api/consultations/{cid}/rating", json={"rating": 4},
                                 headers={"Idempotency-Key": "x" * 300})
    assert bad_key.status == 422


async def test_reissuing_invitations_revokes_the_earlier_unused_links(people, db):
    from test_employers import imported, invite
    admin = await people.staff("admin")
    organisation = await (await admin.post("/api/admin/organisations", json={"name": "Reissue Co."})).json()
    employer = await people.staff("employer", organisation_id=int(organisation["id"]))
    await imported(employer, "employee_ref,name,phone\nR1,One,13800000011\nR2,Two,13800000012\n")
    first = await invite(employer)
    second = await invite(employer)
    patient = await people.patient()
    old = await patient.post(f"/api/invitations/{first['R1']}/accept")
    assert old.status == 410
    async with db.acquire() as conn:
        valid = await conn.fetchval("SELECT count(*) FROM invitations WHERE used_at IS NULL AND revoked_at IS NULL")
    assert valid == 2  # one live link per person, not two
    assert (await patient.post(f"/api/invitations/{second['R1']}/accept")).status == 201
