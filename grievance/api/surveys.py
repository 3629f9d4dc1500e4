"""Survey results: the tables the results page shows, already through the disclosure rule
(grievance.summaries.surveys decides who may read a run; None means a 404 here)."""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import get_locale
from flask_smorest import Blueprint, abort

from grievance.api.auth import api_viewer, protected
from grievance.extensions import db
from grievance.models import SurveyRun
from grievance.models.base import utcnow
from grievance.schemas.api import SurveyResultsOut

bp = protected(Blueprint("api_surveys", __name__, url_prefix="/api/v1/surveys",
               description="Survey results per run. Every figure counts distinct workers; 1–4 is shown as "
                           "suppressed ('small'), never as its number, and free-text answers are never given."))


@bp.route("/runs/<int(max=2147483647):run_id>/results")
class RunResults(MethodView):
    @bp.response(200, SurveyResultsOut)
    def get(self, run_id: int):
        """One run's results, for whoever may read the factory's summaries (404 otherwise)."""
        from grievance.summaries.surveys import run_results

        run = db.session.get(SurveyRun, run_id)
        found = run_results(db.session, api_viewer(), run, utcnow(), str(get_locale() or "en"))
        if found is None:
            abort(404)
        return {"run": run.id, "survey": run.survey.title, "factory": run.factory.code if run.factory else None,
                "country": run.country_code, "status": run.status, "started_at": run.started_at,
                "finished_at": run.finished_at, "tables": [table.as_json() for table in found.summary.tables]}
