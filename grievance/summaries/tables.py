"""What every page, CSV file, chart and API answer reads: figures already through the
disclosure rule (disclosure.py). Nothing here computes or suppresses; it only carries and
writes out, so that a page, its CSV, its chart and the API can never disagree.

A ``Figure`` is one number with the count of distinct workers behind it, or its suppression.
A ``Table`` is rows × columns of figures; when its rows add up to its ``total`` row, the
complementary suppression has already made sure no hidden cell can be recovered by subtraction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from grievance.summaries.periods import Period

# What a figure is.
COUNT = "count"        # distinct workers (or cases, where said), a whole number
SHARE = "share"        # 0.0–1.0, shown as a percentage
DAYS = "days"          # working days (a median or a 90th percentile)
RATE = "rate"          # per 1,000 workers of the factory's headcount

# Why a figure is not shown.
SMALL = "small"                  # 1–4 workers: "fewer than 5" (the threshold is a setting)
TOO_FEW = "too_few"              # a share, median or percentile with fewer than 10 workers behind it
COMPLEMENTARY = "complementary"  # hidden so that a hidden neighbour cannot be recovered by subtraction
BENCHMARK = "benchmark"          # a country comparison with too few other factories, or one dominating
NO_DATA = "no_data"              # nothing to compute it from (no case, no headcount)
REASONS = (SMALL, TOO_FEW, COMPLEMENTARY, BENCHMARK, NO_DATA)


@dataclass(frozen=True)
class Figure:
    kind: str
    # None whenever ``suppressed`` is set; the n is then withheld too (for a count, it would be
    # the value itself). A count's n is itself; a share's, median's or percentile's is a lower
    # bound, a multiple of the smallest count shown (disclosure.statistic_n).
    value: int | float | None
    n: int | None
    suppressed: str | None = None

    @property
    def shown(self) -> bool:
        return self.suppressed is None

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "n": self.n, "suppressed": self.suppressed}


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy string


@dataclass(frozen=True)
class Row:
    key: str
    label: Any
    cells: dict[str, Figure]


@dataclass
class Table:
    key: str
    title: Any
    columns: list[Column]
    rows: list[Row]
    # The row the other rows add up to (column by column), when they do: categories to all
    # grievances, months to the quarter, factories to all of them.
    total: Row | None = None
    # How a chart draws it: "bars" (one bar per row of the first column), "trend" (rows are
    # months, in order), or None (no chart).
    chart: str | None = None
    note: Any = None

    def cell(self, row_key: str, column_key: str) -> Figure | None:
        for row in self.rows + ([self.total] if self.total else []):
            if row.key == row_key:
                return row.cells.get(column_key)
        return None

    def as_json(self) -> dict[str, Any]:
        def row_json(row: Row) -> dict[str, Any]:
            return {"key": row.key, "label": str(row.label),
                    "cells": {key: figure.as_json() for key, figure in row.cells.items()}}

        return {"key": self.key, "title": str(self.title),
                "columns": [{"key": column.key, "label": str(column.label)} for column in self.columns],
                "rows": [row_json(row) for row in self.rows],
                "total": row_json(self.total) if self.total else None}


@dataclass
class Summary:
    """One page's worth: who it is about, for which period, and its tables in reading order.
    A survey run's results have no period (None): a run is one sending, not a stretch of time."""

    subject: str
    period: Period | None
    tables: list[Table] = field(default_factory=list)
    # When the facts it was built from were last brought up to date.
    refreshed_at: datetime | None = None

    def table(self, key: str) -> Table | None:
        return next((table for table in self.tables if table.key == key), None)

    def as_json(self) -> dict[str, Any]:
        return {"subject": self.subject, "period": self.period.key if self.period else None,
                "period_kind": self.period.kind if self.period else None,
                "refreshed_at": self.refreshed_at.isoformat() if self.refreshed_at else None,
                "tables": [table.as_json() for table in self.tables]}
