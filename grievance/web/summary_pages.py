"""What every summary page shares: the period asked for (only one of those offered, never a
free date), the table a CSV link names, and the helpers the summary partial reads."""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from flask import abort, request

from grievance.summaries.periods import QUARTER, Period
from grievance.summaries.tables import Summary, Table
from grievance.web.charts import chart_svg
from grievance.summaries.tables import REASONS
from grievance.web.figures import figure_text, n_text, period_label, reason_explanation, reason_text
from grievance.web.summary_csv import csv_response

def suppression_reasons(summary: Summary) -> list[str]:
    """The kinds of suppression the summary holds, each footnoted once, in a fixed order."""
    seen = {figure.suppressed for table in summary.tables
            for row in table.rows + ([table.total] if table.total else [])
            for figure in row.cells.values() if not figure.shown}
    return [reason for reason in REASONS if reason in seen]


# The names templates/summaries/_summary.html calls.
TEMPLATE_HELPERS = {"figure_text": figure_text, "n_text": n_text, "reason_text": reason_text,
                    "reason_explanation": reason_explanation, "period_label": period_label, "chart_svg": chart_svg,
                    "suppression_reasons": suppression_reasons}


def offered(now: datetime, zones: Iterable[str]) -> list[Period]:
    """The periods closed in every one of the zones (a combined summary of factories in
    several zones only offers a period once it is over in all of them), newest first."""
    from grievance.summaries import report

    found: list[Period] | None = None
    for zone in sorted(set(zones)) or ["UTC"]:
        periods = report.offered_periods(now, zone)
        found = periods if found is None else [period for period in found if period in periods]
    return found or []


def chosen_period(periods: list[Period]) -> Period:
    """The period of ?period=<key>, which must be one offered; without it, the newest quarter
    (a month alone seldom has enough workers behind its figures to show them)."""
    key = request.args.get("period", "")
    if not key:
        if not periods:
            abort(404)
        return next((period for period in periods if period.kind == QUARTER), periods[0])
    period = Period.parse(key) if len(key) <= 8 else None
    if period is None or period not in periods:
        abort(404)
    return period


def found(summary: Summary | None) -> Summary:
    if summary is None:
        abort(404)
    return summary


def csv_of(summary: Summary | None, subject: str):
    """The CSV answer for ?table=<key> (the first table without it); 404 for a table it lacks."""
    summary = found(summary)
    key = request.args.get("table", "")
    table: Table | None = summary.table(key) if key else (summary.tables[0] if summary.tables else None)
    if table is None:
        abort(404)
    return csv_response(summary, table, subject)


def summary_context(summary: Summary, periods: list[Period], endpoint: str, csv_endpoint: str,
                    **args: str) -> dict:
    """What the partial needs: the summary, the periods to pick from, and where the picker and
    the CSV links go (with the page's own arguments, such as a country or a factory)."""
    return {"summary": summary, "periods": periods, "summary_endpoint": endpoint,
            "csv_endpoint": csv_endpoint, "summary_args": args}
