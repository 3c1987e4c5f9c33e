"""Arrivals the doctors on duty cannot see before the clinic's day ends are told so (issue 17)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from helpers import queued_patient
from server.queue.service import CLINIC_TZ, minutes_left_today
from server.settings import Settings


@pytest.fixture
def settings(database_url) -> Settings:
    """The clinic's day ends 15 minutes from now (Beijing time; at most midnight)."""
    now = datetime.now(UTC).astimezone(CLINIC_TZ)
    end = now + timedelta(minutes=15)
    day_ends_at = "24:00" if end.date() != now.date() else end.strftime("%H:%M")
    return Settings(database_url=database_url, housekeeping_seconds=0.2,
                    day_ends_at=day_ends_at)


async def test_an_arrival_whose_wait_runs_past_the_end_of_the_day_is_told_so(people):
    # One doctor on duty (with none, no minutes figure is given at all) who has not finished a
    # consultation yet: 10 minutes per patient, so the third in line waits about 20 minutes, past
    # the 15 left in the day.
    await people.doctor(department="internal")
    first, first_entry = await queued_patient(people, name="First")
    _, _ = await queued_patient(people, name="Second")
    third, third_entry = await queued_patient(people, name="Third")

    assert first_entry["beyond_today"] is False
    assert third_entry["position"] == 3 and third_entry["estimated_wait_minutes"] == 20
    assert third_entry["beyond_today"] is True and third_entry["minutes_left_today"] <= 15
    again = await (await third.get("/api/queue/me")).json()  # the waiting page reads the same
    assert again["beyond_today"] is True
    assert (await (await first.get("/api/queue/me")).json())["beyond_today"] is False


def test_minutes_left_today_counts_to_the_end_of_the_beijing_day():
    morning = datetime(2026, 12, 1, 0, 30, tzinfo=UTC)  # 08:30 in Beijing
    assert minutes_left_today("24:00", morning) == 15 * 60 + 30
    assert minutes_left_today("17:00", morning) == 8 * 60 + 30
    assert minutes_left_today("08:00", morning) == 0  # the day is over: nobody more today


def test_a_malformed_end_of_day_is_refused_at_start_up():
    from server.settings import SettingsError
    with pytest.raises(SettingsError, match="CLINIC_DAY_ENDS_AT"):
        Settings.from_env({"CLINIC_DAY_ENDS_AT": "5pm"})
