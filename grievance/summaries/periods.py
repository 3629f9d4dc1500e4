"""Fixed calendar periods: a month, a quarter or a year, read in a factory's time zone.

Summaries are only ever given for these, never for free date ranges: two overlapping ranges
could be subtracted to reveal what happened on one day. A period is named by a short key
("2026-03", "2026-Q1", "2026") that pages, CSV files and the API share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

MONTH, QUARTER, YEAR = "month", "quarter", "year"
KINDS = (MONTH, QUARTER, YEAR)
_KEY = re.compile(r"^(\d{4})(?:-(?:(\d{2})|Q([1-4])))?$")


@dataclass(frozen=True, order=True)
class Period:
    kind: str
    start: date  # the first day, local to the factory

    @classmethod
    def parse(cls, key: str) -> "Period | None":
        """The period a key names, or None if it names none ("2026-13", "2026-03-01", "")."""
        found = _KEY.match((key or "").strip())
        if found is None:
            return None
        year = int(found.group(1))
        if not 2000 <= year <= 2999:
            return None
        if found.group(2):
            month = int(found.group(2))
            return cls(MONTH, date(year, month, 1)) if 1 <= month <= 12 else None
        if found.group(3):
            return cls(QUARTER, date(year, 3 * int(found.group(3)) - 2, 1))
        return cls(YEAR, date(year, 1, 1))

    @classmethod
    def containing(cls, day: date, kind: str) -> "Period":
        if kind == MONTH:
            return cls(MONTH, day.replace(day=1))
        if kind == QUARTER:
            return cls(QUARTER, date(day.year, 3 * ((day.month - 1) // 3) + 1, 1))
        if kind == YEAR:
            return cls(YEAR, date(day.year, 1, 1))
        raise ValueError(f"unknown period kind {kind!r}")

    @cached_property
    def key(self) -> str:
        if self.kind == MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind == QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.year}"

    @property
    def end(self) -> date:
        """The first day after the period."""
        months = {MONTH: 1, QUARTER: 3, YEAR: 12}[self.kind]
        month_index = self.start.year * 12 + self.start.month - 1 + months
        return date(month_index // 12, month_index % 12 + 1, 1)

    def label(self) -> str:
        """"March 2026", "Q1 2026", "2026" in the page's language."""
        from flask_babel import format_date

        pattern = {MONTH: "LLLL y", QUARTER: "QQQ y", YEAR: "y"}[self.kind]
        return format_date(self.start, pattern)

    def lazy_label(self):
        """The label, put into words when it is written out (in the reader's language)."""
        from flask_babel import LazyString

        return LazyString(self.label)

    def months(self) -> list["Period"]:
        """The months it is made of, in order (a month: itself)."""
        found, day = [], self.start
        while day < self.end:
            found.append(Period(MONTH, day))
            day = Period(MONTH, day).end
        return found

    def parents(self) -> list["Period"]:
        """The longer periods that contain it (a month: its quarter and its year)."""
        return [Period.containing(self.start, kind) for kind in KINDS[KINDS.index(self.kind) + 1:]]

    def utc_bounds(self, zone: str) -> tuple[datetime, datetime]:
        """[start, end) as UTC instants, midnight to midnight in the zone."""
        tz = ZoneInfo(zone)
        return tuple(datetime.combine(day, time(0), tz).astimezone(timezone.utc)
                     for day in (self.start, self.end))  # type: ignore[return-value]

    def is_closed(self, now: datetime, zone: str) -> bool:
        """Over in the zone: only closed periods are shown to buyers (a period still running
        would change day by day, and two days' figures could be subtracted)."""
        return now >= self.utc_bounds(zone)[1]

    def previous(self) -> "Period":
        day = self.start
        if self.kind == YEAR:
            return Period(YEAR, date(day.year - 1, 1, 1))
        months = 1 if self.kind == MONTH else 3
        index = day.year * 12 + day.month - 1 - months
        return Period(self.kind, date(index // 12, index % 12 + 1, 1))


def month_of(moment: datetime, zone: str) -> Period:
    """The month, in the zone, that an instant falls in."""
    return Period.containing(moment.astimezone(ZoneInfo(zone)).date(), MONTH)


def last_closed(now: datetime, zone: str, kind: str) -> Period:
    """The most recent period of this kind that is over in the zone."""
    return Period.containing(now.astimezone(ZoneInfo(zone)).date(), kind).previous()


def recent(now: datetime, zone: str, kind: str, count: int) -> list[Period]:
    """The ``count`` most recent closed periods of a kind, newest first."""
    found = [last_closed(now, zone, kind)]
    while len(found) < count:
        found.append(found[-1].previous())
    return found
