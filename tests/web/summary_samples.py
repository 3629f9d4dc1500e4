"""Summaries built by hand, as report.py hands them over: figures already suppressed."""

from __future__ import annotations

from grievance.summaries.periods import Period
from grievance.summaries.tables import (COMPLEMENTARY, COUNT, SHARE, SMALL, TOO_FEW, Column, Figure, Row, Summary,
                                        Table)

QUARTER = Period.parse("2026-Q1")


def count(value: int) -> Figure:
    return Figure(COUNT, value, value)


def hidden(reason: str, kind: str = COUNT) -> Figure:
    return Figure(kind, None, None, reason)


def categories() -> Table:
    """Workers by category: wages 12, hours hidden (fewer than 5), safety hidden with it so the
    total cannot give it away, harassment 0; all 23."""
    columns = [Column("workers", "Workers"), Column("in_time", "Answered in time")]
    rows = [Row("wages", "Wages", {"workers": count(12), "in_time": Figure(SHARE, 0.8333, 12)}),
            Row("hours", "Working hours", {"workers": hidden(SMALL), "in_time": hidden(TOO_FEW, SHARE)}),
            Row("safety", "Safety", {"workers": hidden(COMPLEMENTARY), "in_time": hidden(TOO_FEW, SHARE)}),
            Row("harassment", "Harassment", {"workers": count(0), "in_time": hidden(TOO_FEW, SHARE)})]
    total = Row("all", "All grievances", {"workers": count(23), "in_time": Figure(SHARE, 0.7826, 23)})
    return Table("categories", "Workers by category", columns, rows, total, chart="bars")


def months() -> Table:
    columns = [Column("workers", "Workers")]
    rows = [Row("2026-01", "January 2026", {"workers": count(9)}),
            Row("2026-02", "February 2026", {"workers": hidden(SMALL)}),
            Row("2026-03", "March 2026", {"workers": count(11)})]
    return Table("months", "Workers by month", columns, rows, chart="trend")


def summary() -> Summary:
    return Summary("IDN-0001", QUARTER, [categories(), months()])
