"""/surveys/runs/<id>/results: a run's results, and each table as CSV, for whoever may read the
factory's summaries (a country-wide run: the programme of its country); 404 for anyone else.
The figures come from grievance.summaries.surveys, already through the disclosure rule."""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import get_locale
from flask_login import login_required

from grievance.access import current_viewer
from grievance.extensions import db
from grievance.models import SurveyRun
from grievance.models.base import utcnow
from grievance.summaries.surveys import SurveyResults, run_results
from grievance.web import ROW_ID
from grievance.web.summary_csv import csv_response
from grievance.web.surveys.blueprint import bp


def _results(run_id: int) -> SurveyResults:
    run = db.session.get(SurveyRun, run_id)
    found = run_results(db.session, current_viewer(), run, utcnow(), str(get_locale() or "en"))
    if found is None:
        abort(404)
    return found


@bp.get(f"/runs/<{ROW_ID}:run_id>/results")
@login_required
def results(run_id: int):
    found = _results(run_id)
    survey = found.run.survey
    positions = {question.position: question for question in survey.questions}
    return render_template("surveys/results.html", results=found, survey=survey, run=found.run,
                           questions=positions, summary=found.summary, periods=[],
                           summary_endpoint="surveys.results", csv_endpoint="surveys.results_csv",
                           summary_args={"run_id": run_id})


@bp.get(f"/runs/<{ROW_ID}:run_id>/results.csv")
@login_required
def results_csv(run_id: int):
    found = _results(run_id)
    key = request.args.get("table", "")
    table = found.summary.table(key) if key else found.summary.tables[0]
    if table is None:
        abort(404)
    return csv_response(found.summary, table, f"survey-{run_id}")
