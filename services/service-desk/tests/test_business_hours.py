"""Business time: the SLA clock runs only inside working hours, in the calendar's own time zone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from crm_service_desk.business_hours import Calendar, add, between

WEEKDAYS_9_TO_18 = {"timezone": "Asia/Shanghai", "holidays": ["2026-10-01"],
                    "hours": {d: [{"start": "09:00", "end": "18:00"}] for d in ("mon", "tue", "wed", "thu", "fri")}}
HOUR = 3600


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_time_inside_working_hours_adds_up_as_the_clock_does():
    calendar = Calendar.from_json(WEEKDAYS_9_TO_18)

    due = add(shanghai(2026, 9, 28, 10, 0), 2 * HOUR, calendar)  # a Monday

    assert due == shanghai(2026, 9, 28, 12, 0)


def test_time_that_does_not_fit_today_continues_next_working_morning():
    calendar = Calendar.from_json(WEEKDAYS_9_TO_18)

    due = add(shanghai(2026, 9, 25, 17, 0), 2 * HOUR, calendar)  # Friday 17:00 + 2 h

    assert due == shanghai(2026, 9, 28, 10, 0)  # Monday 10:00


def test_a_holiday_is_skipped():
    calendar = Calendar.from_json(WEEKDAYS_9_TO_18)

    due = add(shanghai(2026, 9, 30, 17, 30), HOUR, calendar)  # Wednesday; Thursday 1 Oct is a holiday

    assert due == shanghai(2026, 10, 2, 9, 30)


def test_a_start_outside_hours_waits_for_the_next_opening():
    calendar = Calendar.from_json(WEEKDAYS_9_TO_18)

    assert add(shanghai(2026, 9, 26, 22, 0), 30 * 60, calendar) == shanghai(2026, 9, 28, 9, 30)  # Sat night


def test_working_seconds_between_two_moments_skip_nights_and_weekends():
    calendar = Calendar.from_json(WEEKDAYS_9_TO_18)

    assert between(shanghai(2026, 9, 25, 17, 0), shanghai(2026, 9, 28, 10, 0), calendar) == 2 * HOUR
    assert between(shanghai(2026, 9, 28, 10, 0), shanghai(2026, 9, 28, 9, 0), calendar) == 0


def test_without_a_calendar_the_clock_runs_around_the_clock():
    start = datetime(2026, 9, 26, 22, 0, tzinfo=UTC)

    assert add(start, 2 * HOUR, None) == datetime(2026, 9, 27, 0, 0, tzinfo=UTC)
    assert between(start, datetime(2026, 9, 27, 0, 0, tzinfo=UTC), None) == 2 * HOUR


def test_local_hours_hold_across_a_daylight_saving_change():
    berlin = Calendar.from_json({"timezone": "Europe/Berlin", "hours": {"mon": [{"start": "09:00", "end": "17:00"}]}})

    # Berlin moves to summer time on 29 March 2026: 09:00 local is 08:00 UTC before and 07:00 UTC after.
    assert add(datetime(2026, 3, 23, 8, 0, tzinfo=UTC), 0.5, berlin).hour == 8
    assert add(datetime(2026, 3, 29, 12, 0, tzinfo=UTC), 1, berlin) == datetime(2026, 3, 30, 7, 0, 1, tzinfo=UTC)


def test_a_calendar_without_working_time_is_refused():
    never = Calendar.from_json({"timezone": "UTC", "hours": {}})

    with pytest.raises(ValueError):
        add(datetime(2026, 1, 1, tzinfo=UTC), 60, never)
