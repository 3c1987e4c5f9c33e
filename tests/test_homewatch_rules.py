"""The pure home-watch rules: judged times, one alert per stay, sleep hours, escalation order."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from server.homewatch import rules

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
RULES = rules.rules_of({"living_room_max_seconds": 600})


def test_an_event_is_judged_by_its_own_time_unless_the_clock_is_implausible():
    assert rules.judged_time(NOW - timedelta(minutes=30), NOW) == (NOW - timedelta(minutes=30), False)
    assert rules.judged_time(NOW + timedelta(hours=2), NOW) == (NOW, True)
    assert rules.judged_time(datetime(1970, 1, 1, tzinfo=UTC), NOW) == (NOW, True)
    assert rules.judged_time(NOW + timedelta(seconds=20), NOW) == (NOW + timedelta(seconds=20), False)


def test_one_stay_keeps_its_fired_flag_a_new_stay_starts_unfired():
    fired = rules.StayTimer("living_room", NOW, NOW + timedelta(seconds=600), True)
    # A late event moves the start of the same stay earlier: still fired, no second alert.
    earlier = rules.next_stay_timer(fired, "living_room", NOW - timedelta(minutes=1), RULES)
    assert earlier.fired and earlier.due_at == NOW + timedelta(seconds=540)
    # The same room after a visit elsewhere is a new stay.
    again = rules.next_stay_timer(fired, "living_room", NOW + timedelta(minutes=5), RULES)
    assert not again.fired and again.due_at == NOW + timedelta(minutes=15)
    # A room without a rule has no due time.
    assert rules.next_stay_timer(fired, "kitchen", NOW, RULES).due_at is None
    assert rules.rules_of(None)["living_room_max_seconds"] == 3 * 3600  # the district's 3 h
    assert rules.rules_of(None)["bathroom_max_seconds"] == 3600


def test_sleep_hours_wrap_midnight_and_quiet_only_the_movement_rules():
    assert rules.in_sleep_hours(datetime(2026, 12, 1, 23, 30), RULES)
    assert rules.in_sleep_hours(datetime(2026, 12, 1, 6, 59), RULES)
    assert not rules.in_sleep_hours(datetime(2026, 12, 1, 7, 0), RULES)
    assert rules.suppressed("inactivity", away=False, sleeping=True)
    assert not rules.suppressed("bathroom_stay", away=False, sleeping=True)  # a fall at night still counts
    assert rules.suppressed("living_room_stay", away=True, sleeping=False)
    assert not rules.suppressed("button", away=True, sleeping=True)


def test_escalation_widens_community_street_then_the_duty_desk_again_and_again():
    assert [rules.escalation_audience(step) for step in range(5)] == ["community", "street", "desk", "desk", "desk"]
    assert rules.LEVELS["button"] == 1 == min(rules.LEVELS.values())
