"""The summaries each audience reads, built from the facts through the disclosure rule.

Public functions take a session, a Viewer and the time, and answer None when the viewer may not
see what was asked (callers answer 404). Each loads the facts, then hands them to a pure
``build_*`` function (tests call those with hand-made sums).

Audiences (``Viewer.summary_audience``): ``programme`` (both routes), ``factory`` (committee
cases only, and the country benchmark; nothing of advisor cases, not even a count), ``buyer``
(committee cases, closed periods only, and zero-tolerance matters as one count per quarter).

Tables, by key (every Figure already suppressed; pages, CSV and API only write them out):

=================  ========  =====================================================================
key                chart     rows × columns
=================  ========  =====================================================================
received           bars      categories × "workers"; total "all" (all grievances)
trend              trend     months of the period × "workers"; total: the period (none for a month)
timeliness         –         acknowledged_in_time, resolved_in_time (shares, n workers),
                             acknowledge_median/_p90, resolve_median/_p90 (working days) × "value"
follow_through     –         escalated, reopened, answered, repeat (workers), satisfied (share of
                             those who answered), named (share of workers) × "value"
outcomes           bars      outcome codes × "workers"
now                –         open, overdue, escalated (workers, at this moment) × "workers";
                             not for buyers (a figure that moves day by day could be subtracted)
benchmark          –         acknowledged_in_time, resolved_in_time, acknowledge_median,
                             resolve_median × "factory", "country" (the other factories together;
                             BENCHMARK when fewer than 3 of them or one holds > 85 % of the workers)
zero_tolerance     –         buyers, quarter or year periods: quarters × "workers"
factories          –         buyers: factories × workers, acknowledged_in_time, resolved_in_time;
                             total "all"
ranking            –         country view: factories by responsiveness × acknowledged_in_time,
                             resolved_in_time, overdue, reopened (never by how many wrote)
rates              –         country view: factories × "per_1000" (workers who wrote per 1,000)
countries          –         cross-country: countries × acknowledged_in_time, resolved_in_time,
                             acknowledge_median, resolve_median (other countries anonymised)
=================  ========  =====================================================================

Counts come from one grid per year (grids.py), suppressed once across every factory the
viewer's page can combine: her factory alone for its own people; the country's factories for
the programme; a buyer's consenting factories for her. So a month, its quarter, its year and
the combined page always show the same figure for the same cell.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime
from typing import Mapping

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from grievance.access.viewer import BUYER_AUDIENCE, FACTORY, PROGRAMME, Viewer
from grievance.i18n.labels import CATEGORY_LABELS, OUTCOME_LABELS
from grievance.models import Country, Factory, Organisation
from grievance.models.case import ROUTE_ADVISOR, ROUTE_PICC
from grievance.summaries import sections
from grievance.summaries.disclosure import Thresholds, benchmark_figure, thresholds
from grievance.summaries.grids import (ALL, Facts, category_grid, member_key, now_grid, quarterly_grid, quarters_of,
                                       sums_for, year_of, year_periods)
from grievance.summaries.periods import KINDS, MONTH, QUARTER, YEAR, Period, recent
from grievance.summaries.sums import Now, Sums
from grievance.summaries.tables import Column, Row, Summary, Table
from grievance.workflows.routing import ADVISOR_CATEGORIES

BOTH_ROUTES = (ROUTE_PICC, ROUTE_ADVISOR)
ROUTES = {PROGRAMME: BOTH_ROUTES, FACTORY: (ROUTE_PICC,), BUYER_AUDIENCE: (ROUTE_PICC,)}
Nows = Mapping[tuple[int, str], Now]


def categories_for(audience: str) -> list[str]:
    """The categories a table lists: a factory's people and buyers never see the advisors'."""
    if audience == PROGRAMME:
        return list(CATEGORY_LABELS)
    return [code for code in CATEGORY_LABELS if code not in ADVISOR_CATEGORIES]


def offered_periods(now: datetime, zone: str) -> list[Period]:
    """The closed periods a page offers, newest first (a month before the quarter it ends)."""
    found = recent(now, zone, MONTH, 12) + recent(now, zone, QUARTER, 4) + recent(now, zone, YEAR, 2)
    return sorted(found, key=lambda period: (period.end, -KINDS.index(period.kind)), reverse=True)


def _now_of(nows: Nows, factory_id: int, routes) -> Now:
    return sum((nows.get((factory_id, route), Now()) for route in routes), Now())


def _quarters_within(period: Period) -> list[Period]:
    return [quarter for quarter in quarters_of(year_of(period)) if period.start <= quarter.start < period.end]


# -- pure builders -----------------------------------------------------------------------------

# A year's grid for a set of factories is the same for every page of that year and every
# viewer of the same set until the facts are next refreshed: kept per process, keyed by when
# they were (figures already suppressed, nothing about any one worker). A revoked grant
# changes the set, and so the key.
_GRIDS: OrderedDict = OrderedDict()
_GRIDS_KEPT = 64
_grids_lock = threading.Lock()


def _year_grid(facts: Facts, ids: list[int], period: Period, routes: tuple[str, ...], categories: list[str],
               limits: Thresholds, refreshed_at: datetime | None) -> dict:
    year = year_of(period)
    key = (tuple(ids), year.key, tuple(routes), tuple(categories), limits, refreshed_at)
    if refreshed_at is not None:
        with _grids_lock:
            if key in _GRIDS:
                _GRIDS.move_to_end(key)
                return _GRIDS[key]
    grid = category_grid(facts, ids, year, routes, categories, OUTCOME_LABELS, limits)
    if refreshed_at is not None:
        with _grids_lock:
            _GRIDS[key] = grid
            while len(_GRIDS) > _GRIDS_KEPT:
                _GRIDS.popitem(last=False)
    return grid


def build_factory_summary(audience: str, factory_id: int, subject: str, period: Period, facts: Facts,
                          nows: Nows, *, members: list[int] | None = None, others: list[int] = (),
                          limits: Thresholds | None = None, refreshed_at: datetime | None = None) -> Summary:
    """One factory for an audience. ``members``: every factory the viewer's pages combine with
    it (suppressed together); ``others``: the country's other factories (the benchmark)."""
    limits = limits or thresholds()
    routes, categories = ROUTES[audience], categories_for(audience)
    members = sorted(set(members or ()) | {factory_id})
    grid = _year_grid(facts, members, period, routes, categories, limits, refreshed_at)
    sums = sums_for(facts, [factory_id], period.key, routes)
    tables = [sections.received(grid, factory_id, period, categories), sections.trend(grid, factory_id, period),
              sections.timeliness(sums, limits), sections.follow_through(grid, factory_id, period, sums, limits),
              sections.outcomes(grid, factory_id, period)]
    if audience != BUYER_AUDIENCE:
        now_figures = now_grid({member: _now_of(nows, member, routes) for member in members}, limits)
        tables.append(sections.now_table(now_figures, factory_id))
        tables.append(sections.benchmark(sums, [sums_for(facts, [other], period.key, routes) for other in others
                                                if other != factory_id], limits))
    elif period.kind != MONTH:
        zero = quarterly_grid(facts, members, year_of(period), ROUTE_ADVISOR, limits)
        tables.append(sections.zero_tolerance(zero, factory_id, _quarters_within(period)))
    return Summary(subject, period, tables, refreshed_at)


def build_buyer_summary(names: dict[int, str], subject: str, period: Period, facts: Facts, *,
                        limits: Thresholds | None = None, refreshed_at: datetime | None = None) -> Summary:
    """A buyer's consenting factories together, and side by side."""
    if not names:
        return Summary(subject, period, [], refreshed_at)
    limits = limits or thresholds()
    ids, routes, categories = sorted(names), ROUTES[BUYER_AUDIENCE], categories_for(BUYER_AUDIENCE)
    member = member_key(ids)
    grid = _year_grid(facts, ids, period, routes, categories, limits, refreshed_at)
    combined = sums_for(facts, ids, period.key, routes)
    tables = [sections.received(grid, member, period, categories), sections.trend(grid, member, period),
              sections.timeliness(combined, limits), sections.follow_through(grid, member, period, combined, limits),
              sections.outcomes(grid, member, period)]
    if period.kind != MONTH:
        zero = quarterly_grid(facts, ids, year_of(period), ROUTE_ADVISOR, limits)
        tables.append(sections.zero_tolerance(zero, member, _quarters_within(period)))
    tables.append(sections.factories_table(
        grid, names, lambda m: sums_for(facts, ids if m == ALL else [m], period.key, routes), period, limits))
    return Summary(subject, period, tables, refreshed_at)


def build_country_summary(names: dict[int, str], headcounts: dict[int, int | None], subject: str, period: Period,
                          facts: Facts, nows: Nows, *, limits: Thresholds | None = None,
                          refreshed_at: datetime | None = None) -> Summary:
    """The programme's compilation for a country (both routes), its factories ranked by
    responsiveness, and rates per 1,000 workers."""
    if not names:
        return Summary(subject, period, [], refreshed_at)
    limits = limits or thresholds()
    ids, categories = sorted(names), categories_for(PROGRAMME)
    member = member_key(ids)
    grid = _year_grid(facts, ids, period, BOTH_ROUTES, categories, limits, refreshed_at)
    now_figures = now_grid({f: _now_of(nows, f, BOTH_ROUTES) for f in ids}, limits)
    combined = sums_for(facts, ids, period.key, BOTH_ROUTES)

    def sums_of(factory_id: int) -> Sums:
        return sums_for(facts, [factory_id], period.key, BOTH_ROUTES)

    tables = [sections.received(grid, member, period, categories), sections.trend(grid, member, period),
              sections.timeliness(combined, limits), sections.follow_through(grid, member, period, combined, limits),
              sections.outcomes(grid, member, period), sections.now_table(now_figures, member),
              sections.ranking(names, sums_of, grid, now_figures, period, limits),
              sections.rates(grid, names, headcounts, period)]
    return Summary(subject, period, tables, refreshed_at)


COUNTRY_COLUMNS = ("acknowledged_in_time", "resolved_in_time", "acknowledge_median", "resolve_median")


def build_countries_summary(countries: dict[str, list[int]], names: dict[str, str], own: set[str] | None,
                            subject: str, period: Period, facts: Facts, *, limits: Thresholds | None = None,
                            refreshed_at: datetime | None = None) -> Summary:
    """Countries side by side, both routes. ``own``: the countries she may name (None: all);
    the others are anonymised, ordered by their figures, and each needs enough factories
    behind it with none dominating (as a benchmark does)."""
    limits = limits or thresholds()
    named, anonymous = [], []
    for code, factory_ids in sorted(countries.items()):
        per_factory = [sums_for(facts, [f], period.key, BOTH_ROUTES) for f in factory_ids]
        figures = sections.statistics(sum(per_factory, Sums()), limits)
        if own is None or code in own:
            named.append(Row(code, names.get(code, code), {key: figures[key] for key in COUNTRY_COLUMNS}))
        else:
            anonymous.append({key: benchmark_figure(figures[key], [getattr(s, sections.BEHIND[key]) for s in per_factory],
                                                    limits) for key in COUNTRY_COLUMNS})
    anonymous.sort(key=lambda cells: tuple((0, -cells[k].value) if cells[k].shown else (1, 0) for k in COUNTRY_COLUMNS))
    rows = named + [Row(f"other-{index}", _l("Another country (%(number)s)", number=index), cells)
                    for index, cells in enumerate(anonymous, start=1)]
    columns = [Column(key, sections.STATISTIC_LABELS[key]) for key in COUNTRY_COLUMNS]
    return Summary(subject, period, [Table("countries", _l("Countries compared"), columns, rows)], refreshed_at)


# -- what a viewer may read --------------------------------------------------------------------

def _country_ids(session, country_code: str) -> list[int]:
    return list(session.scalars(select(Factory.id).where(Factory.country_code == country_code)))


def factory_summary(session, viewer: Viewer, factory: Factory, period: Period, now: datetime) -> Summary | None:
    """One factory's summary worded for the viewer, or None if it is not hers to read (a buyer:
    also a period not yet over in the factory's time zone)."""
    audience = viewer.summary_audience(factory)
    # Closed periods only, for everyone (as the pages offer): a period still running changes
    # day by day, and two days' figures subtracted tell what happened on one day.
    if audience is None or not period.is_closed(now, factory.timezone):
        return None
    from grievance.summaries import facts  # the layer's own loader, once the access checks passed

    others = [] if audience == BUYER_AUDIENCE else _country_ids(session, factory.country_code)
    if audience == BUYER_AUDIENCE:
        members = list(session.scalars(select(Factory.id).where(viewer.summary_factories())))
    else:
        members = others if audience == PROGRAMME else [factory.id]
    loaded = facts.load(session, sorted(set(members) | set(others) | {factory.id}), year_periods(year_of(period)))
    nows = {} if audience == BUYER_AUDIENCE else facts.now(session, members)
    return build_factory_summary(audience, factory.id, factory.name, period, loaded, nows, members=members,
                                 others=others, refreshed_at=facts.refreshed_at(session))


def buyer_summary(session, viewer: Viewer, period: Period, now: datetime) -> Summary | None:
    """A buyer's consenting factories together; None for anyone else, or before the period is
    over in every one of her factories' time zones."""
    if not viewer.is_buyer:
        return None
    factories = list(session.scalars(select(Factory).where(viewer.summary_factories())))
    if not all(period.is_closed(now, factory.timezone) for factory in factories) or not period.is_closed(now, "UTC"):
        return None
    from grievance.summaries import facts
    organisation_ids = [scope.organisation_id for scope in viewer.scopes if scope.organisation_id is not None]
    subject = ", ".join(session.scalars(select(Organisation.name).where(Organisation.id.in_(organisation_ids))))
    names = {factory.id: factory.name for factory in factories}
    loaded = facts.load(session, sorted(names), year_periods(year_of(period)))
    return build_buyer_summary(names, subject, period, loaded, refreshed_at=facts.refreshed_at(session))


def country_summary(session, viewer: Viewer, country_code: str, period: Period, now: datetime) -> Summary | None:
    """The programme's compilation for one country, for those who may read it."""
    allowed = viewer.summary_countries() if viewer.sees_programme else set()
    country = session.get(Country, country_code)
    if country is None or (allowed is not None and country_code not in allowed) \
            or not period.is_closed(now, country.timezone):
        return None
    from grievance.summaries import facts
    factories = list(session.scalars(select(Factory).where(Factory.country_code == country_code)))
    names = {factory.id: factory.name for factory in factories}
    loaded = facts.load(session, sorted(names), year_periods(year_of(period)))
    return build_country_summary(names, {factory.id: factory.headcount for factory in factories}, country.name,
                                 period, loaded, facts.now(session, sorted(names)),
                                 refreshed_at=facts.refreshed_at(session))


def countries_summary(session, viewer: Viewer, period: Period, now: datetime) -> Summary | None:
    """Countries compared: advisors and programme managers their own against the others,
    anonymised; admins all of them by name (the subject names her own countries; for admins
    it is empty, the page says "all countries")."""
    if not viewer.sees_programme:
        return None
    own = viewer.summary_countries()
    # Over in every country: over at UTC-12, where a day ends last.
    if (own is not None and not own) or not period.is_closed(now, "Etc/GMT+12"):
        return None
    from grievance.summaries import facts
    countries: dict[str, list[int]] = {}
    for factory_id, code in session.execute(select(Factory.id, Factory.country_code)):
        countries.setdefault(code, []).append(factory_id)
    names = dict(session.execute(select(Country.code, Country.name)).all())
    loaded = facts.load(session, sorted(f for ids in countries.values() for f in ids), [period])
    subject = ", ".join(sorted(names[code] for code in own if code in names)) if own else ""
    return build_countries_summary(countries, names, own, subject, period, loaded,
                                   refreshed_at=facts.refreshed_at(session))
