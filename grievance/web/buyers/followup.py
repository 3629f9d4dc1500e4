"""The buyers' follow-up log of one factory: one line per committee case opened in a closed
period, saying how it was followed up, never who or what she wrote.

A line holds the coarse category, the month it was opened (never the day), whether it was
acknowledged and resolved in time, how it ended, and the committee's follow-up note (checked
on the case page for references, numbers and addresses). Lines are sorted by what they say,
not by case id or date, so their order tells nothing about who came first. The log is shown
only when the period's committee cases come from at least ``min_workers`` distinct workers:
with fewer, a line could point at one person. Advisor cases never appear (buyers see them as
one count per quarter on the summaries)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from flask import Response, abort, render_template, request
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import func, select

from grievance.access import current_viewer
from grievance.extensions import db
from grievance.models import Case, Factory
from grievance.models.base import utcnow
from grievance.models.case import ROUTE_PICC
from grievance.summaries.disclosure import thresholds
from grievance.summaries.periods import MONTH, QUARTER, YEAR, Period, last_closed, month_of, recent
from grievance.web.buyers.blueprint import bp
from grievance.web.labels import CATEGORY_LABELS, OUTCOME_LABELS, label

# How many closed periods of each kind the picker offers.
OFFERED = {MONTH: 12, QUARTER: 8, YEAR: 3}
IN_TIME = {True: _l("yes"), False: _l("no"), None: _l("not yet")}
COLUMNS = (_l("Category"), _l("Month opened"), _l("Acknowledged in time"), _l("Resolved in time"),
           _l("Outcome"), _l("Follow-up note"))


@dataclass(frozen=True)
class Line:
    category: str
    month: str
    acknowledged: str
    resolved: str
    outcome: str
    note: str

    def cells(self) -> tuple[str, ...]:
        return (self.category, self.month, self.acknowledged, self.resolved, self.outcome, self.note)


def offered_periods(now: datetime, zone: str) -> list[Period]:
    """The closed periods the picker offers: months, then quarters, then years, newest first."""
    return [period for kind in (MONTH, QUARTER, YEAR) for period in recent(now, zone, kind, OFFERED[kind])]


def _factory_and_period(code: str) -> tuple[Factory, Period]:
    """404 unless she may read this factory's log, and the period is a closed one."""
    factory = db.session.scalar(select(Factory).where(Factory.code == code)) if len(code) <= 32 else None
    if factory is None or not current_viewer().may_read_followup_log(factory):
        abort(404)
    key = request.args.get("period", "")
    period = Period.parse(key) if key else last_closed(utcnow(), factory.timezone, QUARTER)
    if period is None or not period.is_closed(utcnow(), factory.timezone):
        abort(404)
    return factory, period


def _cases(factory: Factory, period: Period):
    start, end = period.utc_bounds(factory.timezone)
    return (Case.factory_id == factory.id, Case.route == ROUTE_PICC, Case.opened_at >= start, Case.opened_at < end)


def followup_lines(factory: Factory, period: Period) -> list[Line] | None:
    """The log's lines, or None when too few workers are behind them to show any."""
    where = _cases(factory, period)
    workers = db.session.scalar(select(func.count(func.distinct(Case.worker_id))).where(*where)) or 0
    if workers < thresholds().min_workers:
        return None
    lines = [Line(category=label(case.category, CATEGORY_LABELS),
                  month=format_date(month_of(case.opened_at, factory.timezone).start, "LLLL y"),
                  acknowledged=str(IN_TIME[case.acknowledged_in_time]), resolved=str(IN_TIME[case.resolved_in_time]),
                  outcome=label(case.outcome_code, OUTCOME_LABELS) if case.outcome_code else "—",
                  note=case.followup_note or "")
             for case in db.session.scalars(select(Case).where(*where))]
    return sorted(lines, key=lambda line: (line.category, line.outcome, line.note, line.month, line.acknowledged,
                                           line.resolved))


def _inert(cell: str) -> str:
    """A note a spreadsheet would run as a formula is kept as text."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell


@bp.get("/buyers/factories/<code>/followup")
@login_required
def followup(code: str):
    factory, period = _factory_and_period(code)
    return render_template("buyers/followup.html", factory=factory, period=period, columns=COLUMNS,
                           lines=followup_lines(factory, period), min_workers=thresholds().min_workers,
                           offered=offered_periods(utcnow(), factory.timezone))


@bp.get("/buyers/factories/<code>/followup.csv")
@login_required
def followup_csv(code: str):
    factory, period = _factory_and_period(code)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(column) for column in COLUMNS])
    for line in followup_lines(factory, period) or []:
        writer.writerow([_inert(cell) for cell in line.cells()])
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="followup-{factory.code}-{period.key}.csv"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
