"""Time as a committee counts it: working days and working hours in the factory's own time
zone, week and public holidays (the ``holidays`` package's, with an admin's changes), or plain calendar hours for zero-tolerance cases.

Counting is done on the local wall clock, so "2 working days" after Friday 16:00 is a
Tuesday at 16:00 even across a daylight-saving change, as a person would read it.

    working_days   a working day runs from the start of work to the next day's start of
                   work (08:00 → 08:00): a complaint sent on Friday at 16:00 or on Sunday
                   (a day off) at 10:00 counts from Friday 16:00 or from Monday 08:00
    working_hours  only between the start and the end of work (08:00 → 17:00)
    calendar_hours every hour, days off included
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator
from zoneinfo import ZoneInfo

from grievance.models.policy import CALENDAR_HOURS, WORKING_DAYS
from grievance.workflows.public_holidays import package_dates

# A calendar where no day is a working day (every day a holiday) must not loop forever.
MAX_DAYS_SEARCHED = 3 * 366


class NoWorkingDays(ValueError):
    """The calendar has no working day within a search window (weekend or holidays misconfigured)."""


@dataclass(frozen=True)
class WorkingCalendar:
    timezone: str
    weekend: frozenset[int] = frozenset({6})  # Monday = 0 … Sunday = 6
    # The country whose public holidays (from the ``holidays`` package) are days off.
    country_code: str | None = None
    # Closure days an admin added, as (month, day) every year and as single dates, and the
    # public holidays an admin made working days again.
    yearly_holidays: frozenset[tuple[int, int]] = frozenset()
    dated_holidays: frozenset[date] = frozenset()
    working_dates: frozenset[date] = frozenset()
    day_start: time = time(8, 0)
    day_end: time = time(17, 0)
    zone: ZoneInfo = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone", ZoneInfo(self.timezone))

    def is_working_day(self, day: date) -> bool:
        if day.weekday() in self.weekend:
            return False
        if day in self.working_dates:
            return True
        if day in self.dated_holidays or (day.month, day.day) in self.yearly_holidays:
            return False
        return self.country_code is None or day not in package_dates(self.country_code, day.year)

    # -- wall clock ------------------------------------------------------------------------

    def _local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.zone).replace(tzinfo=None)

    def _aware(self, local: datetime) -> datetime:
        return local.replace(tzinfo=self.zone).astimezone(timezone.utc)

    def _spans(self, unit: str, local: datetime) -> Iterator[tuple[datetime, datetime]]:
        """Counting spans (local, naive) from the one that contains ``local`` onwards."""
        day = local.date()
        if unit == WORKING_DAYS and local.time() < self.day_start:
            day -= timedelta(days=1)  # before work starts, it is still yesterday's working day
        for offset in range(MAX_DAYS_SEARCHED):
            current = day + timedelta(days=offset)
            if not self.is_working_day(current):
                continue
            start = datetime.combine(current, self.day_start)
            end = start + timedelta(days=1) if unit == WORKING_DAYS else datetime.combine(current, self.day_end)
            yield start, end
        raise NoWorkingDays(f"no working day within {MAX_DAYS_SEARCHED} days in {self.timezone}")

    # -- arithmetic ------------------------------------------------------------------------

    def add(self, start: datetime, amount: timedelta, unit: str) -> datetime:
        """The moment ``amount`` of counted time after ``start``."""
        if unit == CALENDAR_HOURS:
            return start + amount
        local, remaining = self._local(start), amount
        for span_start, span_end in self._spans(unit, local):
            begin = max(span_start, local)
            if begin >= span_end:
                continue
            if remaining <= span_end - begin:
                return self._aware(begin + remaining)
            remaining -= span_end - begin
        raise AssertionError("unreachable: _spans raises when it runs out")

    def counted(self, start: datetime, end: datetime, unit: str) -> timedelta:
        """How much counted time lies between ``start`` and ``end`` (zero if end is earlier)."""
        if end <= start:
            return timedelta(0)
        if unit == CALENDAR_HOURS:
            return end - start
        local_start, local_end, total = self._local(start), self._local(end), timedelta(0)
        for span_start, span_end in self._spans(unit, local_start):
            if span_start >= local_end:
                break
            begin, finish = max(span_start, local_start), min(span_end, local_end)
            if finish > begin:
                total += finish - begin
        return total


def amount_of(quantity: int, unit: str) -> timedelta:
    """A policy's amount as counted time: a working day is 24 counted hours."""
    return timedelta(days=quantity) if unit == WORKING_DAYS else timedelta(hours=quantity)
