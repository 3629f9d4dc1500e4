"""The tables of a summary, each built from sums (or from a suppressed grid) through the
disclosure rule. Pure functions: no session, no viewer; report.py decides who reads which."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from grievance.i18n.labels import CATEGORY_LABELS, OUTCOME_LABELS
from grievance.summaries.disclosure import Thresholds, benchmark_figure, days_figure, rate_figure, share_figure
from grievance.summaries.grids import ALL, NOW_LINES, OUTCOME
from grievance.summaries.periods import MONTH, Period
from grievance.summaries.sums import Sums
from grievance.summaries.tables import Column, Figure, Row, Table

WORKERS = Column("workers", _l("Workers"))
VALUE = Column("value", _l("Value"))

STATISTIC_LABELS = {
    "acknowledged_in_time": _l("Acknowledged in time"),
    "resolved_in_time": _l("Resolved in time"),
    "acknowledge_median": _l("Working days to acknowledge (median)"),
    "acknowledge_p90": _l("Working days to acknowledge (9 in 10 within)"),
    "resolve_median": _l("Working days to resolve (median)"),
    "resolve_p90": _l("Working days to resolve (9 in 10 within)"),
}
FOLLOW_LABELS = {
    "escalated": _l("Workers whose case went up a level"),
    "reopened": _l("Workers whose case was reopened"),
    "answered": _l("Workers who said whether they were satisfied"),
    "satisfied": _l("Satisfied, of those who answered"),
    "named": _l("Workers who gave their name"),
    "repeat": _l("Workers who wrote again"),
}
NOW_LABELS = {"open": _l("Workers with an open case"), "overdue": _l("Workers with an overdue case"),
              "escalated": _l("Workers with an escalated case")}


def _one_column(key: str, title, column: Column, figures: dict[str, Figure], labels: dict,
                **extra) -> Table:
    rows = [Row(code, labels.get(code, code), {column.key: figure}) for code, figure in figures.items()]
    return Table(key=key, title=title, columns=[column], rows=rows, **extra)


def statistics(sums: Sums, limits: Thresholds | None = None) -> dict[str, Figure]:
    """The timeliness figures of some sums: in-time shares, medians and 90th percentiles."""
    return {
        "acknowledged_in_time": share_figure(sums.ack_in_time_cases, sums.ack_due_cases, sums.ack_due_workers, limits),
        "resolved_in_time": share_figure(sums.resolve_in_time_cases, sums.resolve_due_cases,
                                         sums.resolve_due_workers, limits),
        "acknowledge_median": days_figure(sums.ack_days, sums.ack_days_workers, 0.5, limits),
        "acknowledge_p90": days_figure(sums.ack_days, sums.ack_days_workers, 0.9, limits),
        "resolve_median": days_figure(sums.resolve_days, sums.resolve_days_workers, 0.5, limits),
        "resolve_p90": days_figure(sums.resolve_days, sums.resolve_days_workers, 0.9, limits),
    }


# The workers behind each statistic, for the benchmark's dominance rule.
BEHIND = {"acknowledged_in_time": "ack_due_workers", "resolved_in_time": "resolve_due_workers",
           "acknowledge_median": "ack_days_workers", "resolve_median": "resolve_days_workers"}


def received(grid: dict, member, period: Period, categories: list[str]) -> Table:
    """Workers by category for the period (a worker counts in each category she wrote about)."""
    rows = [Row(code, CATEGORY_LABELS.get(code, code), {"workers": grid[(member, code, period.key)]})
            for code in categories]
    total = Row(ALL, _l("All grievances"), {"workers": grid[(member, ALL, period.key)]})
    return Table("received", _l("Workers who wrote, by category"), [WORKERS], rows, total=total, chart="bars")


def trend(grid: dict, member, period: Period) -> Table:
    """Workers month by month within the period; a month's is that month alone."""
    rows = [Row(month.key, month.lazy_label(), {"workers": grid[(member, ALL, month.key)]}) for month in period.months()]
    total = None if period.kind == MONTH else Row(period.key, period.lazy_label(), {"workers": grid[(member, ALL, period.key)]})
    return Table("trend", _l("Workers who wrote, month by month"), [WORKERS], rows, total=total, chart="trend")


def timeliness(sums: Sums, limits: Thresholds | None = None) -> Table:
    return _one_column("timeliness", _l("Timeliness"), VALUE, statistics(sums, limits), STATISTIC_LABELS)


def follow_through(grid: dict, member, period: Period, sums: Sums, limits: Thresholds | None = None) -> Table:
    """Counts from the grid (they add up across months and factories), shares from the sums."""
    def count(line: str) -> Figure:
        return grid[(member, line, period.key)]

    figures = {
        "escalated": count("escalated"), "reopened": count("reopened"), "answered": count("answered"),
        "satisfied": share_figure(sums.satisfied, sums.answered, sums.answered, limits, of_workers=True),
        "named": share_figure(sums.named, sums.workers, sums.workers, limits, of_workers=True),
        "repeat": count("repeat"),
    }
    return _one_column("follow_through", _l("Follow-through"), VALUE, figures, FOLLOW_LABELS)


def now_table(now_figures: dict, member) -> Table:
    figures = {line: now_figures[(member, line)] for line in NOW_LINES}
    return _one_column("now", _l("Now"), WORKERS, figures, NOW_LABELS)


def outcomes(grid: dict, member, period: Period) -> Table:
    figures = {code: grid[(member, OUTCOME + code, period.key)] for code in OUTCOME_LABELS}
    return _one_column("outcomes", _l("How cases ended"), WORKERS, figures, OUTCOME_LABELS, chart="bars")


def zero_tolerance(grid: dict, member, quarters: list[Period]) -> Table:
    """One count per quarter of the workers who wrote about a zero-tolerance matter."""
    rows = [Row(quarter.key, quarter.lazy_label(), {"workers": grid[(member, quarter.key)]}) for quarter in quarters]
    return Table("zero_tolerance", _l("Zero-tolerance matters (handled by the programme's advisors)"),
                 [WORKERS], rows)


def benchmark(own: Sums, others: list[Sums], limits: Thresholds | None = None) -> Table:
    """This factory against the country's other factories together; a country figure needs
    enough other factories behind it, none of them dominating."""
    combined = sum(others, Sums())
    mine, theirs = statistics(own, limits), statistics(combined, limits)
    rows = []
    for code, attribute in BEHIND.items():
        country = benchmark_figure(theirs[code], [getattr(sums, attribute) for sums in others], limits)
        rows.append(Row(code, STATISTIC_LABELS[code], {"factory": mine[code], "country": country}))
    columns = [Column("factory", _l("This factory")), Column("country", _l("Other factories in the country"))]
    return Table("benchmark", _l("Compared with the country"), columns, rows)


def factories_table(grid: dict, names: dict[int, str], facts_of, period: Period,
                    limits: Thresholds | None = None) -> Table:
    """Her factories side by side: workers (from the grid, so it agrees with every other page)
    and in-time shares; the total row is all of them."""
    columns = [WORKERS, Column("acknowledged_in_time", STATISTIC_LABELS["acknowledged_in_time"]),
               Column("resolved_in_time", STATISTIC_LABELS["resolved_in_time"])]

    def row(member, label) -> Row:
        shares = statistics(facts_of(member), limits)
        return Row(str(member), label, {"workers": grid[(member, ALL, period.key)],
                                        "acknowledged_in_time": shares["acknowledged_in_time"],
                                        "resolved_in_time": shares["resolved_in_time"]})

    rows = [row(factory_id, name) for factory_id, name in sorted(names.items(), key=lambda item: item[1])]
    total = row(ALL, _l("All factories")) if len(names) > 1 else None
    return Table("factories", _l("Factories side by side"), columns, rows, total=total)


def ranking(names: dict[int, str], sums_of, grid: dict, now_figures: dict, period: Period,
            limits: Thresholds | None = None) -> Table:
    """Factories by responsiveness (never by how many wrote): resolved in time, then
    acknowledged in time, best first; a factory whose shares are hidden comes after, by name,
    so that its place gives nothing away."""
    columns = [Column("acknowledged_in_time", STATISTIC_LABELS["acknowledged_in_time"]),
               Column("resolved_in_time", STATISTIC_LABELS["resolved_in_time"]),
               Column("overdue", NOW_LABELS["overdue"]), Column("reopened", FOLLOW_LABELS["reopened"])]
    rows = []
    for factory_id, name in names.items():
        shares = statistics(sums_of(factory_id), limits)
        rows.append(Row(str(factory_id), name, {
            "acknowledged_in_time": shares["acknowledged_in_time"], "resolved_in_time": shares["resolved_in_time"],
            "overdue": now_figures[(factory_id, "overdue")],
            "reopened": grid[(factory_id, "reopened", period.key)]}))

    def order(row: Row):
        resolved, acknowledged = row.cells["resolved_in_time"], row.cells["acknowledged_in_time"]
        if not (resolved.shown and acknowledged.shown):
            return (1, 0.0, 0.0, str(row.label))
        return (0, -resolved.value, -acknowledged.value, str(row.label))

    return Table("ranking", _l("Factories by responsiveness"), columns, sorted(rows, key=order))


def rates(grid: dict, names: dict[int, str], headcounts: dict[int, int | None], period: Period) -> Table:
    """Workers who wrote per 1,000 workers of each factory, from the grid's suppressed counts."""
    rows = [Row(str(factory_id), name, {"per_1000": rate_figure(grid[(factory_id, ALL, period.key)],
                                                                 headcounts.get(factory_id))})
            for factory_id, name in sorted(names.items(), key=lambda item: item[1])]
    return Table("rates", _l("Workers who wrote, per 1,000 workers"),
                 [Column("per_1000", _l("Per 1,000 workers"))], rows)
