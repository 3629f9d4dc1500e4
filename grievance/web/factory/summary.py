"""/factory/summary: her factory's figures for a closed period (committee cases only, and the
country's benchmark where it may be shown), each table also as CSV. report.py decides what her
audience reads; None answers 404."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_login import login_required
from sqlalchemy import select

from grievance.access import current_viewer
from grievance.extensions import db
from grievance.models import Factory
from grievance.models.base import utcnow
from grievance.web.factory.blueprint import bp
from grievance.web.summary_pages import chosen_period, csv_of, found, offered, summary_context


def _summary():
    viewer = current_viewer()
    if not viewer.follows_factory:
        abort(404)
    factories = db.session.scalars(select(Factory).where(viewer.summary_factories()).order_by(Factory.name)).all()
    code = request.args.get("factory", "")
    factory = next((one for one in factories if one.code == code), None) if code else (factories or [None])[0]
    if factory is None:
        abort(404)
    from grievance.summaries import report

    now = utcnow()
    periods = offered(now, [factory.timezone])
    period = chosen_period(periods)
    return factories, factory, periods, found(report.factory_summary(db.session, viewer, factory, period, now))


@bp.get("/factory/summary")
@login_required
def summary():
    factories, factory, periods, found_summary = _summary()
    # The picker keeps the factory only when she has several to choose from.
    args = {"factory": factory.code} if len(factories) > 1 else {}
    from grievance.summaries.surveys import results_runs

    runs = results_runs(db.session, current_viewer(), factory, utcnow())
    return render_template("factory/summary.html", factories=factories, factory=factory, survey_runs=runs,
                           **summary_context(found_summary, periods, "factory.summary", "factory.summary_csv", **args))


@bp.get("/factory/summary.csv")
@login_required
def summary_csv():
    _factories, factory, _periods, found_summary = _summary()
    return csv_of(found_summary, factory.code)
