"""Business time: adding and measuring time that runs only inside a calendar's working hours.

A calendar is the JSON an SLA policy stores (``{"timezone", "hours": {"mon": [{"start", "end"}]},
"holidays": [...]}``); ``None`` means around the clock. Working hours are wall-clock times in the
calendar's zone, so a shift keeps its local hours across daylight-saving changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HORIZON_DAYS = 3 * 366  # a target that cannot be met within three years is a configuration error


@dataclass(frozen=True)
class Calendar:
    zone: ZoneInfo
    hours: tuple[tuple[tuple[timedelta, timedelta], ...], ...]  # per weekday: (start, end) after midnight
    holidays: frozenset[date]

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Calendar | None:
        if not data:
            return None
        hours = tuple(
            tuple(sorted((_offset(i["start"]), _offset(i["end"])) for i in data["hours"].get(day, [])))
            for day in WEEKDAYS)
        holidays = frozenset(d if isinstance(d, date) else date.fromisoformat(d) for d in data.get("holidays", []))
        return cls(zone=ZoneInfo(data["timezone"]), hours=hours, holidays=holidays)

    def intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working intervals of one local day, as aware UTC datetimes."""
        if day in self.holidays:
            return []
        midnight = datetime(day.year, day.month, day.day)
        return [((midnight + start).replace(tzinfo=self.zone).astimezone(UTC),
                 (midnight + end).replace(tzinfo=self.zone).astimezone(UTC))
                for start, end in self.hours[day.weekday()]]

    def spans_from(self, moment: datetime) -> Iterator[tuple[datetime, datetime]]:
        day = moment.astimezone(self.zone).date()
        for offset in range(HORIZON_DAYS):
            for start, end in self.intervals(day + timedelta(days=offset)):
                if end > moment:
                    yield max(start, moment), end
        raise ValueError("The calendar has no working time within three years.")


def _offset(hhmm: str) -> timedelta:
    hours, minutes = hhmm.split(":")
    return timedelta(hours=int(hours), minutes=int(minutes))


def add(start: datetime, seconds: float, calendar: Calendar | None) -> datetime:
    """The moment ``seconds`` of working time after ``start``."""
    if calendar is None:
        return start + timedelta(seconds=seconds)
    if seconds <= 0:
        return start
    remaining = float(seconds)
    for begin, end in calendar.spans_from(start):
        span = (end - begin).total_seconds()
        if remaining <= span:
            return begin + timedelta(seconds=remaining)
        remaining -= span
    raise AssertionError("unreachable: _from raises when the horizon is exhausted")  # pragma: no cover


def between(start: datetime, end: datetime, calendar: Calendar | None) -> int:
    """Working seconds from ``start`` to ``end`` (0 when ``end`` is not later)."""
    if end <= start:
        return 0
    if calendar is None:
        return int((end - start).total_seconds())
    total = 0.0
    for begin, finish in calendar.spans_from(start):
        if begin >= end:
            break
        total += (min(finish, end) - begin).total_seconds()
    return int(total)
