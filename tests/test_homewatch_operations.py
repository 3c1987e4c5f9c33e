"""The street operator's tools through the real API: a home's rules, the resident's consent, the
people linked to a home, carers put on and off duty, shifts the sweeper applies (an alert still
owned at a shift's end is handed back and widened), and the per-day report. Every rejected
request names its field and changes nothing; every change leaves an audit row."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpers import wait_for
from helpers.homewatch import make_street
from server.app import create_app
from server.homewatch import HOMEWATCH_SETTINGS
from server.homewatch.config import HomewatchSettings
from server.keys import DB_POOL


@pytest.fixture
async def app(settings, db):
    """The application with home watch's sweeper quick (HTTP ingestion only: no broker needed here)."""
    application = create_app(settings)
    application[DB_POOL] = db
    application[HOMEWATCH_SETTINGS] = HomewatchSettings(cancel_seconds=0, sweep_seconds=0.1, ack_seconds=30,
                                                        escalate_seconds=30)
    return application


async def audited(db, action: str) -> list:
    async with db.acquire() as conn:
        return await conn.fetch("SELECT actor_role, object_id, allowed, detail FROM audit_log WHERE action = $1", action)


async def error_of(response, status: int) -> dict:
    assert response.status == status, await response.text()
    return (await response.json())["error"]


async def raise_button(db, street) -> int:
    async with db.acquire() as conn:
        return await conn.fetchval(
            "INSERT INTO hw_alerts (home_id, street_id, kind, level, dedupe_key) VALUES ($1, $2, 'button', 1, $3)"
            " RETURNING id", int(street.home["id"]), int(street.street_id), f"button:{datetime.now(UTC).timestamp()}")


async def test_operator_sets_rules_and_bad_values_name_their_field_in_both_languages(server, people, make_client, db):
    street = await make_street(people, make_client)
    home_path = f"/api/homewatch/homes/{street.home['id']}"
    rules = {"living_room_max_seconds": 7200, "bathroom_max_seconds": 1800, "inactivity_seconds": 21600,
             "heartbeat_timeout_seconds": 600, "battery_low_pct": 15, "sleep_start": "21:30", "sleep_end": "06:30"}
    response = await street.operator.put(f"{home_path}/rules", json=rules)
    assert response.status == 200 and await response.json() == rules
    home = await (await street.operator.get(home_path)).json()
    assert home["rules"] == rules
    # Out of range, a malformed clock: 422 naming the field (zh: by its Chinese name), nothing changed.
    error = await error_of(await street.operator.put(f"{home_path}/rules", json={**rules, "bathroom_max_seconds": 0},
                                                     headers={"Accept-Language": "zh-CN"}), 422)
    assert error["field"] == "bathroom_max_seconds" and error["message"].startswith("卫生间停留上限：")
    error = await error_of(await street.operator.put(f"{home_path}/rules", json={**rules, "sleep_end": "25:00"},
                                                     headers={"Accept-Language": "en"}), 422)
    assert error["field"] == "sleep_end" and "sleep_end" in error["message"]
    assert (await (await street.operator.get(home_path)).json())["rules"] == rules
    # Away mode; carers and family may not set rules (a carer of the street is refused, not shown a form).
    response = await street.operator.post(f"{home_path}/away", json={"away": True})
    assert (await response.json()) == {"away": True}
    assert (await street.carers[0].put(f"{home_path}/rules", json=rules)).status == 404
    changed = await audited(db, "homewatch.rules.changed")
    assert len(changed) == 1 and changed[0]["actor_role"] == "street_operator"
    assert "living_room_max_seconds" in changed[0]["detail"]["fields"]
    assert [r["detail"] for r in await audited(db, "homewatch.away.changed")] == [{"away": True}]


async def test_operator_records_and_withdraws_consent_with_whose_word_it_is(server, people, make_client, db):
    street = await make_street(people, make_client)
    path = f"/api/homewatch/homes/{street.home['id']}"
    response = await street.operator.post(f"{path}/consent", json={"purpose": "video_auto_answer", "granted": True,
                                                                   "given_by": "guardian"})
    assert response.status == 200 and (await response.json())["video_auto_answer"] is True
    home = await (await street.operator.get(path)).json()
    assert home["consent"]["video_auto_answer"] is True
    assert home["consent_records"]["video_auto_answer"]["given_by"] == "guardian"
    response = await street.operator.post(f"{path}/consent", json={"purpose": "video_auto_answer", "granted": False})
    assert (await response.json())["video_auto_answer"] is False
    error = await error_of(await street.operator.post(f"{path}/consent", json={"purpose": "camera", "granted": True}),
                           422)
    assert error["field"] == "purpose"
    error = await error_of(await street.operator.post(f"{path}/consent", json={
        "purpose": "video_auto_answer", "granted": True, "given_by": "neighbour"}), 422)
    assert error["field"] == "given_by"
    home = await (await street.operator.get(path)).json()
    assert home["consent"]["video_auto_answer"] is False
    rows = await audited(db, "homewatch.consent.changed")
    assert [(r["detail"]["granted"], r["detail"]["given_by"]) for r in rows] == [(True, "guardian"), (False, "resident")]
    # The family cannot record consent for the resident.
    assert (await street.family.post(f"{path}/consent", json={"purpose": "family_daily_summary",
                                                              "granted": True})).status == 404


async def test_operator_links_family_resident_and_doctor_by_their_logins(server, people, make_client, db):
    resident = await people.patient(name="Grandpa Chen")
    doctor = await people.doctor()
    street = await make_street(people, make_client)
    sister = await street.add_user(make_client, "family")
    path = f"/api/homewatch/homes/{street.home['id']}"
    doctor_email = people.emails[doctor.id]
    response = await street.operator.put(f"{path}/people", json={
        "family_logins": [street.family.login, sister.login], "resident_login": resident.phone,
        "doctor_login": doctor_email})
    assert response.status == 200, await response.text()
    linked = (await response.json())["people"]
    assert {p["id"] for p in linked["family"]} == {street.family.id, sister.id}
    assert (linked["resident"]["id"], linked["doctor"]["id"]) == (resident.id, doctor.id)
    # Now each of them sees the home.
    for person in (sister, resident, doctor):
        homes = await (await person.get("/api/homewatch/homes")).json()
        assert [h["id"] for h in homes] == [street.home["id"]]
    # A wrong role, an unknown login: 422 naming the entry; the links stay as they were.
    error = await error_of(await street.operator.put(f"{path}/people", json={
        "family_logins": [street.family.login, doctor_email]}, headers={"Accept-Language": "zh-CN"}), 422)
    assert error["field"] == "family_logins[1]" and error["message"].startswith("家属账号：")
    error = await error_of(await street.operator.put(f"{path}/people", json={"doctor_login": "13000000009"}), 422)
    assert (error["field"], error["code"]) == ("doctor_login", "account_not_found")
    home = await (await street.operator.get(path)).json()
    assert len(home["people"]["family"]) == 2 and home["people"]["doctor"]["id"] == doctor.id
    # Unlinking: the sister no longer sees the home.
    response = await street.operator.put(f"{path}/people", json={"family_logins": [street.family.login]})
    assert response.status == 200
    assert await (await sister.get("/api/homewatch/homes")).json() == []
    assert len(await audited(db, "homewatch.people.changed")) == 2
    other = await make_street(people, make_client)
    assert (await other.operator.put(f"{path}/people", json={})).status == 404


async def test_operator_puts_a_carer_on_and_off_duty_and_what_they_own_is_handed_back(server, people, make_client, db):
    street = await make_street(people, make_client, carers=2)
    first, second = street.carers
    other = await make_street(people, make_client)
    carers = await (await street.operator.get("/api/homewatch/carers")).json()
    assert {c["id"] for c in carers} == {first.id, second.id} and all(c["on_duty"] for c in carers)
    alert_id = await raise_button(db, street)
    assert (await first.post(f"/api/homewatch/alerts/{alert_id}/acknowledge", json={})).status == 200
    response = await street.operator.post(f"/api/homewatch/carers/{first.id}/duty", json={"on_duty": False})
    assert response.status == 200 and (await response.json())["handed_back"] == [str(alert_id)]
    alert = await (await street.operator.get(f"/api/homewatch/alerts/{alert_id}")).json()
    assert alert["status"] == "raised" and alert["owner"] is None
    handed = [t for t in alert["timeline"] if t["event"] == "handed_back"]
    assert handed and handed[0]["detail"]["reason"] == "operator"
    # Widened at once: the carer still on duty is told.
    await wait_for(lambda: _told(street.operator, alert_id, second.id), 5)
    assert not (await (await first.get("/api/homewatch/me")).json())["on_duty"]
    # Another street's operator may not touch this carer; bad bodies name their field.
    assert (await other.operator.post(f"/api/homewatch/carers/{first.id}/duty", json={"on_duty": True})).status == 404
    error = await error_of(await street.operator.post(f"/api/homewatch/carers/{first.id}/duty",
                                                      json={"on_duty": "yes"}), 422)
    assert error["field"] == "on_duty"
    assert (await first.post(f"/api/homewatch/carers/{second.id}/duty", json={"on_duty": False})).status == 403
    assert [r["detail"]["on_duty"] for r in await audited(db, "homewatch.duty.set")] == [False]


async def _told(operator, alert_id, user_id) -> bool:
    alert = await (await operator.get(f"/api/homewatch/alerts/{alert_id}")).json()
    return any(n["user_id"] == user_id and n["step"] >= 1 for n in alert["notified"])


async def test_a_shift_puts_its_carer_on_duty_and_its_end_hands_an_owned_alert_over(server, people, make_client, db):
    street = await make_street(people, make_client, carers=2, on_duty=False)
    day, night = street.carers
    now = datetime.now(UTC)
    response = await street.operator.post("/api/homewatch/shifts", json={
        "carer_id": int(day.id), "starts_at": now.isoformat(), "ends_at": (now + timedelta(seconds=4)).isoformat()})
    assert response.status == 201, await response.text()
    shift = await response.json()
    assert shift["carer"]["id"] == day.id and shift["community"] == "Garden"
    # The next carer's shift starts as the first one ends (a handover).
    response = await street.operator.post("/api/homewatch/shifts", json={
        "carer_id": int(night.id), "starts_at": (now + timedelta(seconds=4)).isoformat(),
        "ends_at": (now + timedelta(hours=8)).isoformat(), "community": "Garden"})
    assert response.status == 201, await response.text()
    await wait_for(lambda: _on_duty(day), 3)
    assert not await _on_duty(night)
    alert_id = await raise_button(db, street)
    assert (await day.post(f"/api/homewatch/alerts/{alert_id}/acknowledge", json={})).status == 200
    # The day shift ends with the alert still owned: handed back, the night carer (now on duty) told.
    await wait_for(lambda: _on_duty(night), 8, 0.1)
    await wait_for(lambda: _told(street.operator, alert_id, night.id), 5)
    assert not await _on_duty(day)
    alert = await (await street.operator.get(f"/api/homewatch/alerts/{alert_id}")).json()
    assert alert["owner"] is None and alert["status"] == "raised"
    assert [t["detail"]["reason"] for t in alert["timeline"] if t["event"] == "handed_back"] == ["shift_end"]
    roster = await (await day.get("/api/homewatch/shifts")).json()
    assert [(s["carer"]["id"], s["state"]) for s in roster] == [(day.id, "over"), (night.id, "on")]


async def _on_duty(person) -> bool:
    return (await (await person.get("/api/homewatch/me")).json())["on_duty"]


async def test_shift_forms_are_checked_and_a_planned_shift_can_be_cancelled(server, people, make_client, db):
    street = await make_street(people, make_client, on_duty=False)
    carer = street.carers[0]
    other = await make_street(people, make_client)
    start = datetime.now(UTC) + timedelta(hours=2)
    good = {"carer_id": int(carer.id), "starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=8)).isoformat()}
    cases = [
        ({**good, "ends_at": (start - timedelta(hours=1)).isoformat()}, 422, "ends_at", "shift_order"),
        ({**good, "ends_at": (start + timedelta(hours=30)).isoformat()}, 422, "ends_at", "shift_too_long"),
        ({**good, "starts_at": "2030-01-01T08:00:00"}, 422, "starts_at", "needs_offset"),
        ({**good, "starts_at": "tomorrow"}, 422, "starts_at", None),
        ({**good, "carer_id": int(other.carers[0].id)}, 404, "carer_id", "carer_not_found"),
        ({**good, "carer_id": int(street.operator.id)}, 404, "carer_id", "carer_not_found"),
    ]
    for body, status, field, code in cases:
        error = await error_of(await street.operator.post("/api/homewatch/shifts", json=body), status)
        assert error["field"] == field, (body, error)
        assert code is None or error["code"] == code
    response = await street.operator.post("/api/homewatch/shifts", json=good)
    assert response.status == 201
    shift = await response.json()
    assert shift["state"] == "planned"
    overlapping = {**good, "starts_at": (start + timedelta(hours=4)).isoformat(),
                   "ends_at": (start + timedelta(hours=10)).isoformat()}
    error = await error_of(await street.operator.post("/api/homewatch/shifts", json=overlapping), 409)
    assert (error["field"], error["code"]) == ("starts_at", "shift_overlap")
    roster = await (await street.operator.get("/api/homewatch/shifts")).json()
    assert [s["id"] for s in roster] == [shift["id"]]
    assert (await other.operator.delete(f"/api/homewatch/shifts/{shift['id']}")).status == 404
    assert (await carer.delete(f"/api/homewatch/shifts/{shift['id']}")).status == 403
    assert (await street.operator.delete(f"/api/homewatch/shifts/{shift['id']}")).status == 204
    assert await (await street.operator.get("/api/homewatch/shifts")).json() == []
    assert len(await audited(db, "homewatch.shift.create")) == 1
    assert len(await audited(db, "homewatch.shift.cancel")) == 1


async def test_report_per_day_adds_every_community_together_with_counts(server, people, make_client, db):
    street = await make_street(people, make_client)
    carer = street.carers[0]
    async with db.acquire() as conn:
        second = await conn.fetchval(
            "INSERT INTO hw_homes (street_id, community, address, resident_name) VALUES ($1, 'River', '2 River Rd', 'B')"
            " RETURNING id", int(street.street_id))
        for home_id, key in ((int(street.home["id"]), "a"), (second, "b")):
            await conn.execute("INSERT INTO hw_alerts (home_id, street_id, kind, level, dedupe_key)"
                               " VALUES ($1, $2, 'button', 1, $3)", home_id, int(street.street_id), key)
    first = (await (await street.operator.get("/api/homewatch/alerts")).json())[0]["id"]
    assert (await carer.post(f"/api/homewatch/alerts/{first}/acknowledge", json={})).status == 200
    per_community = await (await street.operator.get("/api/homewatch/reports?days=7")).json()
    assert sorted(r["community"] for r in per_community) == ["Garden", "River"]
    per_day = await (await street.operator.get("/api/homewatch/reports?days=7&by=day")).json()
    assert len(per_day) == 1 and per_day[0]["community"] is None
    row = per_day[0]
    assert (row["raised"], row["button"], row["acknowledged_60s"], row["acknowledged_60s_pct"]) == (2, 2, 1, 50.0)
    error = await error_of(await street.operator.get("/api/homewatch/reports?by=week"), 422)
    assert error["field"] == "by"
    lines = (await (await street.operator.get("/api/homewatch/reports.csv?days=7")).text()).splitlines()
    assert "acknowledged_60s" in lines[0].split(",") and len(lines) == 3
