"""The received-by-category counts as one grid per year, suppressed once, so that every page a
viewer can open (a month, its quarter, its year; one factory or all of hers) reads the same
figure for the same cell.

A cell is keyed (factory, line, period key): factory is a factory id or ``ALL`` (her factories
together), line a category, ``ALL`` (every grievance), a follow-through count or an outcome. The
relations run both ways: categories to all, months to their quarter, quarters and months to the
year, factories to all of them.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable, Mapping

from grievance.summaries.disclosure import Relation, Thresholds, suppress
from grievance.summaries.periods import QUARTER, YEAR, Period
from grievance.summaries.sums import Now, Sums
from grievance.summaries.tables import Figure

ALL = "all"
Facts = Mapping[tuple[int, str, str], Sums]


def year_of(period: Period) -> Period:
    return Period.containing(period.start, YEAR)


def quarters_of(year: Period) -> list[Period]:
    return [Period(QUARTER, date(year.start.year, month, 1)) for month in (1, 4, 7, 10)]


def year_periods(year: Period) -> list[Period]:
    """The 12 months, 4 quarters and the year itself: what a year's grid holds."""
    return year.months() + quarters_of(year) + [year]


def sums_for(facts: Facts, factory_ids: Iterable[int], period_key: str, routes: Iterable[str]) -> Sums:
    """The sums of some factories and routes for one period, added (missing keys are zero)."""
    total = Sums()
    for factory_id in factory_ids:
        for route in routes:
            total = total + facts.get((factory_id, period_key, route), Sums())
    return total


# Counts that are not categories but add up across months and factories all the same.
COUNT_LINES = ("escalated", "reopened", "answered", "repeat")
OUTCOME = "outcome:"  # a line "outcome:remedied" counts the workers whose case ended so


def lines_for(categories: list[str], outcomes: Iterable[str]) -> list[str]:
    """Every line a grid holds: the categories, all grievances, the follow-through counts and
    one line per outcome."""
    return list(categories) + [ALL] + list(COUNT_LINES) + [OUTCOME + code for code in outcomes]


def line_value(sums: Sums, line: str, categories: list[str]) -> int:
    if line == ALL:
        return sums.workers
    if line in categories:
        return sums.by_category.get(line, 0)
    if line.startswith(OUTCOME):
        return sums.by_outcome.get(line[len(OUTCOME):], 0)
    return getattr(sums, line)


def _members(factory_ids: list[int]) -> list:
    return list(factory_ids) + ([ALL] if len(factory_ids) > 1 else [])


def _time_relations(member, lines: list[str], year: Period) -> list[Relation]:
    quarters = [(quarter.key, [month.key for month in quarter.months()]) for quarter in quarters_of(year)]
    months, relations = [month.key for month in year.months()], []
    for line in lines:
        for quarter, its_months in quarters:
            relations.append(Relation((member, line, quarter), tuple((member, line, month) for month in its_months)))
        relations.append(Relation((member, line, year.key), tuple((member, line, quarter) for quarter, _ in quarters)))
        relations.append(Relation((member, line, year.key), tuple((member, line, month) for month in months)))
    return relations


def category_grid(facts: Facts, factory_ids: list[int], year: Period, routes: tuple[str, ...],
                  categories: list[str], outcomes: Iterable[str] = (),
                  limits: Thresholds | None = None) -> dict[tuple, Figure]:
    """Every count of the year for these factories and routes, suppressed together: categories
    add up to all grievances, months to quarters and the year, factories to all of them."""
    factory_ids, lines = sorted(factory_ids), lines_for(categories, outcomes)
    values: dict[tuple, int] = {}
    relations: list[Relation] = []
    periods = year_periods(year)
    for member in _members(factory_ids):
        for period in periods:
            if member == ALL:  # sums add field by field, so their lines add up the same
                values.update({(ALL, line, period.key): sum(values[(f, line, period.key)] for f in factory_ids)
                               for line in lines})
            else:
                sums = sums_for(facts, [member], period.key, routes)
                values.update({(member, line, period.key): line_value(sums, line, categories) for line in lines})
            relations.append(Relation((member, ALL, period.key),
                                      tuple((member, category, period.key) for category in categories)))
        relations += _time_relations(member, lines, year)
    if len(factory_ids) > 1:
        relations += [Relation((ALL, line, period.key), tuple((f, line, period.key) for f in factory_ids))
                      for period in periods for line in lines]
    return suppress(values, relations, limits)


NOW_LINES = ("open", "overdue", "escalated")


def now_grid(nows: Mapping[int, Now], limits: Thresholds | None = None) -> dict[tuple, Figure]:
    """What is open now, per factory and all together (keyed (member, "open"|"overdue"|
    "escalated")); factories add up to all of them."""
    factory_ids = sorted(nows)
    values: dict[tuple, int] = {}
    relations: list[Relation] = []
    for name in NOW_LINES:
        for factory_id in factory_ids:
            values[(factory_id, name)] = getattr(nows[factory_id], name)
        if len(factory_ids) > 1:
            values[(ALL, name)] = sum(getattr(nows[f], name) for f in factory_ids)
            relations.append(Relation((ALL, name), tuple((f, name) for f in factory_ids)))
    return suppress(values, relations, limits)


def quarterly_grid(facts: Facts, factory_ids: list[int], year: Period, route: str,
                   limits: Thresholds | None = None) -> dict[tuple, Figure]:
    """One count of workers per factory and quarter on one route (the zero-tolerance cases a
    buyer reads), with her factories together; factories add up to all of them."""
    factory_ids = sorted(factory_ids)
    values: dict[tuple, int] = {}
    relations = []
    for quarter in quarters_of(year):
        for factory_id in factory_ids:
            values[(factory_id, quarter.key)] = sums_for(facts, [factory_id], quarter.key, [route]).workers
        if len(factory_ids) > 1:
            values[(ALL, quarter.key)] = sum(values[(f, quarter.key)] for f in factory_ids)
            relations.append(Relation((ALL, quarter.key), tuple((f, quarter.key) for f in factory_ids)))
    return suppress(values, relations, limits)


def member_key(factory_ids: list[int]):
    """How a grid names these factories: the one id, or ALL for several."""
    return factory_ids[0] if len(factory_ids) == 1 else ALL

