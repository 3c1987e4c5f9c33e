"""Home calls that end by themselves and consent withdrawn while one rings, on the real app: the
sweeper ends a call rung out or left too long within seconds and tells both pages; a withdrawal of the
auto-answer consent (by the operator or the resident) reaches the ringing page at once."""
from __future__ import annotations

import asyncio

from helpers import events_named, wait_for
from helpers.homewatch import make_street
from server.homewatch.calls import REJOIN_SECONDS, RING_SECONDS


async def street_with_doctor(people, make_client, consent=None):
    doctor = await people.doctor()
    resident = await people.patient(name="Grandma Li", birth_date="1940-03-02")
    street = await make_street(people, make_client, resident=resident, doctor=doctor, consent=consent or {})
    return street, doctor, resident


async def ring(doctor, home_id: str) -> dict:
    response = await doctor.post(f"/api/homewatch/homes/{home_id}/calls", json={})
    assert response.status == 201, await response.text()
    return await response.json()


def ended_updates(sock, call_id: str) -> list[dict]:
    return [u for u in events_named(sock, "homecall:update") if u["id"] == call_id and u["status"] == "ended"]


async def test_an_unanswered_call_ends_by_itself_after_its_ring_time_and_both_pages_are_told(people, make_client, db):
    street, doctor, resident = await street_with_doctor(people, make_client)
    caller_socket, home_socket = await doctor.socket(), await resident.socket()
    call = await ring(doctor, street.home["id"])
    # Nobody touches the call from now on: as if it had rung for RING_SECONDS - 2 already.
    async with db.acquire() as conn:
        await conn.execute("UPDATE hw_calls SET started_at = now() - make_interval(secs => $2) WHERE id = $1",
                           int(call["id"]), float(RING_SECONDS - 2))
    await asyncio.sleep(1)
    assert ended_updates(home_socket, call["id"]) == []  # not before its time
    loop = asyncio.get_running_loop()
    due = loop.time() + 1
    for sock in (caller_socket, home_socket):
        await wait_for(lambda s=sock: ended_updates(s, call["id"]), 6, 0.05)
    assert loop.time() - due < 4, "ended late"
    update = ended_updates(home_socket, call["id"])[0]
    assert update["end_reason"] == "no_answer" and update["my_role"] == "home"
    assert ended_updates(caller_socket, call["id"])[0]["my_role"] == "caller"
    async with db.acquire() as conn:
        row = await conn.fetchrow("SELECT status, end_reason FROM hw_calls WHERE id = $1", int(call["id"]))
        audit = await conn.fetch("SELECT actor_role, detail FROM audit_log WHERE object_type = 'hw_call' "
                                 "AND object_id = $1 AND action = 'homewatch.call.end'", call["id"])
    assert (row["status"], row["end_reason"]) == ("ended", "no_answer")
    assert [(a["actor_role"], a["detail"]["reason"]) for a in audit] == [("system", "no_answer")]
    # Ended once: the home can be rung again at once.
    assert (await ring(doctor, street.home["id"]))["status"] == "ringing"


async def test_a_member_gone_past_the_rejoin_limit_ends_the_call_and_the_other_is_told(people, make_client, db):
    street, doctor, resident = await street_with_doctor(people, make_client)
    caller_socket = await doctor.socket()
    call = await ring(doctor, street.home["id"])
    assert (await resident.post(f"/api/homewatch/calls/{call['id']}/answer", json={})).status == 200
    home_socket = await resident.socket()
    assert (await caller_socket.call("homecall:join", {"call_id": call["id"]}))["ok"]
    assert (await home_socket.call("homecall:join", {"call_id": call["id"]}))["ok"]
    await home_socket.disconnect()  # the home's tablet loses its network and does not come back
    await wait_for(lambda: events_named(caller_socket, "homecall:peer_left"))
    async with db.acquire() as conn:
        left = await conn.fetchval("SELECT member_left_at ? 'home' FROM hw_calls WHERE id = $1", int(call["id"]))
        assert left
        await asyncio.sleep(1.5)
        assert await conn.fetchval("SELECT status FROM hw_calls WHERE id = $1", int(call["id"])) == "active"
        # As if the home had been away for REJOIN_SECONDS - 1.
        await conn.execute("UPDATE hw_calls SET member_left_at = jsonb_build_object('home', now() - "
                           "make_interval(secs => $2)) WHERE id = $1", int(call["id"]), float(REJOIN_SECONDS - 1))
    await wait_for(lambda: ended_updates(caller_socket, call["id"]), 6, 0.05)
    assert ended_updates(caller_socket, call["id"])[0]["end_reason"] == "left"
    relay = await caller_socket.call("homecall:signal", {"call_id": call["id"], "kind": "hangup"})
    assert relay["ok"] is False and relay["error"]["code"] == "not_joined"  # its room closed


async def test_consent_withdrawn_while_a_call_rings_stops_the_countdown_at_once(people, make_client, db):
    street, doctor, resident = await street_with_doctor(people, make_client, consent={"video_auto_answer": True})
    home = street.home["id"]
    home_socket = await resident.socket()
    withdrawals = (
        (street.operator, {"purpose": "video_auto_answer", "granted": False, "given_by": "resident"}),
        (resident, {"purpose": "video_auto_answer", "granted": False}),
    )
    for who, body in withdrawals:
        response = await street.operator.post(f"/api/homewatch/homes/{home}/consent", json={
            "purpose": "video_auto_answer", "granted": True, "given_by": "resident"})
        assert response.status == 200, await response.text()
        call = await ring(doctor, home)
        assert call["auto_answer"] is True
        await wait_for(lambda c=call: [u for u in events_named(home_socket, "homecall:update")
                                       if u["id"] == c["id"] and u["auto_answer"]])
        response = await who.post(f"/api/homewatch/homes/{home}/consent", json=body)
        assert response.status == 200, await response.text()

        def disarmed(c=call):
            return [u for u in events_named(home_socket, "homecall:update")
                    if u["id"] == c["id"] and u["status"] == "ringing" and not u["auto_answer"]]
        await wait_for(disarmed, 2, 0.02)
        assert disarmed()[0]["auto_answer_at"] is None
        # The caller's view says it too; the page cannot answer by itself any more, a tap still can.
        assert (await (await doctor.get(f"/api/homewatch/calls/{call['id']}")).json())["auto_answer"] is False
        refused = await resident.post(f"/api/homewatch/calls/{call['id']}/answer", json={"auto": True})
        assert refused.status == 403 and (await refused.json())["error"]["code"] == "consent_required"
        tapped = await resident.post(f"/api/homewatch/calls/{call['id']}/answer", json={})
        assert tapped.status == 200
        assert (await doctor.post(f"/api/homewatch/calls/{call['id']}/end", json={})).status == 200
        await wait_for(lambda c=call: ended_updates(home_socket, c["id"]))
    # Giving consent while nothing rings tells no page anything about a call.
    before = len(events_named(home_socket, "homecall:update"))
    await street.operator.post(f"/api/homewatch/homes/{home}/consent", json={
        "purpose": "video_auto_answer", "granted": False, "given_by": "resident"})
    await asyncio.sleep(0.5)
    assert len(events_named(home_socket, "homecall:update")) == before
