"""Follow-up summaries: the same figures the pages show, already through the disclosure rule
(grievance.summaries.report decides who may see what; None means a 404 here)."""

from __future__ import annotations

from typing import Any, Callable

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from grievance.api.auth import api_viewer, protected
from grievance.extensions import db
from grievance.models import Factory
from grievance.models.base import utcnow
from grievance.schemas.api import PeriodQuery, SummaryOut
from grievance.summaries.periods import Period

bp = protected(Blueprint("api_summaries", __name__, url_prefix="/api/v1/summaries",
               description="Follow-up summaries for closed calendar periods. Every figure counts distinct "
                           "workers; 1–4 is shown as suppressed ('small'), never as its number."))


def _period(args: dict) -> Period:
    # PeriodQuery let only a period's key through (a 400 naming it otherwise).
    period = Period.parse(args["period"])
    assert period is not None, args["period"]
    return period


def _answer(make: Callable[..., Any], *args: Any) -> dict:
    summary = make(db.session, api_viewer(), *args)
    if summary is None:
        abort(404)
    return summary.as_json()


def _report():
    # Imported when asked: the reports are built on the facts, which the API need not load to start.
    from grievance.summaries import report

    return report


@bp.route("/factories/<string:code>")
class FactorySummary(MethodView):
    @bp.arguments(PeriodQuery, location="query", error_status_code=400)
    @bp.response(200, SummaryOut)
    def get(self, args: dict, code: str):
        """One factory's summary, worded for the token owner's audience."""
        period = _period(args)
        factory = db.session.scalar(select(Factory).where(api_viewer().summary_factories(), Factory.code == code))
        if factory is None:
            abort(404)
        return _answer(_report().factory_summary, factory, period, utcnow())


@bp.route("/buyer")
class BuyerSummary(MethodView):
    @bp.arguments(PeriodQuery, location="query", error_status_code=400)
    @bp.response(200, SummaryOut)
    def get(self, args: dict):
        """A buyer's consenting factories combined, and side by side (table "factories")."""
        return _answer(_report().buyer_summary, _period(args), utcnow())


@bp.route("/countries/<string:country_code>")
class CountrySummary(MethodView):
    @bp.arguments(PeriodQuery, location="query", error_status_code=400)
    @bp.response(200, SummaryOut)
    def get(self, args: dict, country_code: str):
        """The programme's compilation for a country, with the responsiveness ranking."""
        return _answer(_report().country_summary, country_code.upper(), _period(args), utcnow())


@bp.route("/countries")
class CountriesSummary(MethodView):
    @bp.arguments(PeriodQuery, location="query", error_status_code=400)
    @bp.response(200, SummaryOut)
    def get(self, args: dict):
        """The cross-country comparison."""
        return _answer(_report().countries_summary, _period(args), utcnow())
