"""Deadline rules: time counted in working days of the factory's own week."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

# Until deadline policies are data (per country, category and route), every case gets these.
DEFAULT_ACKNOWLEDGE_WORKING_DAYS = 2
# A message sent on a day off is taken as arriving when the next working day begins.
WORKDAY_START = time(8, 0)


def add_working_days(start: datetime, days: int, timezone: str, weekend: list[int]) -> datetime:
    """``start`` plus ``days`` working days, at the same local time, in ``timezone``.

    A case opened on a day off starts counting when the next working day begins (08:00),
    as a committee would read it: opened on Sunday, two working days is Wednesday morning.
    """
    local = start.astimezone(ZoneInfo(timezone))
    if local.weekday() in weekend:
        while local.weekday() in weekend:
            local = local + timedelta(days=1)
        local = datetime.combine(local.date(), WORKDAY_START, tzinfo=local.tzinfo)
    remaining = days
    while remaining > 0:
        local = local + timedelta(days=1)
        if local.weekday() not in weekend:
            remaining -= 1
    # Re-attach the zone so a daylight-saving change lands on the right wall-clock time.
    local = local.replace(tzinfo=ZoneInfo(timezone))
    return local.astimezone(start.tzinfo)


def acknowledge_deadline(opened_at: datetime, timezone: str, weekend: list[int]) -> datetime:
    return add_working_days(opened_at, DEFAULT_ACKNOWLEDGE_WORKING_DAYS, timezone, weekend)


# Zero-tolerance cases (the advisors' queue) count calendar hours, not working days.
ADVISOR_ACKNOWLEDGE = timedelta(hours=24)


def advisor_acknowledge_deadline(opened_at: datetime) -> datetime:
    return opened_at + ADVISOR_ACKNOWLEDGE
