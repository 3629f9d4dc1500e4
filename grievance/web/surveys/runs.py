"""A survey's or announcement's runs: the plan shown before anything is sent, then the run's
page with its progress (refreshed from a small JSON answer of counts) and its pause, resume
and cancel. Only those who may send to the factory (or the country) see a run; anyone else
gets a 404, as for a page that is not there."""

from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.routing import BuildError
from wtforms import SelectField
from wtforms.validators import DataRequired

from grievance.access import current_viewer
from grievance.extensions import db
from grievance.i18n.pages import LANGUAGE_NAMES
from grievance.models import Country, Factory, Survey, SurveyRun
from grievance.models.base import utcnow
from grievance.models.survey import ANNOUNCEMENT, FINISHED, PAUSED, PLANNED, RUNNING
from grievance.web import ROW_ID
from grievance.web.forms import ActionForm
from grievance.web.surveys.blueprint import bp
from grievance.workflows.surveys.dispatch import PAUSED_FOR, cancel_run, may_cancel, pause_run, resume_run, start_run
from grievance.workflows.surveys.planning import DispatchRefused, plan_run
from grievance.workflows.surveys.progress import progress

ACTIONS = {"pause": pause_run, "resume": resume_run, "cancel": cancel_run}
# Which buttons a run's page offers in each state.
OFFERED = {PLANNED: ("cancel",), RUNNING: ("pause", "cancel"), PAUSED: ("resume", "cancel")}
RUNS_SHOWN = 100


class TargetForm(FlaskForm):
    target = SelectField(_l("Send to"), validators=[DataRequired()])


def link(endpoint: str, **values) -> str | None:
    """A link to a page another part of /surveys serves, or None while it is not there."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def part_label(part: str) -> str:
    """A survey's part as ``definition.missing_texts`` names it ("question 2, choice 1"), in
    the reader's language."""
    words = part.replace(",", "").split()
    if words == ["intro"]:
        return _("Introduction")
    if words == ["thanks"]:
        return _("Thank-you")
    if len(words) == 2 and words[0] == "question":
        return _("Question %(number)s", number=words[1])
    if len(words) == 4 and words[0] == "question" and words[2] == "choice":
        return _("Question %(number)s, choice %(choice)s", number=words[1], choice=words[3])
    return part


def _survey(survey_id: int) -> Survey:
    found = db.session.scalar(select(Survey).where(Survey.id == survey_id, current_viewer().survey_rows()))
    if found is None:
        abort(404)
    return found


def _targets(survey: Survey) -> list[tuple[str, str]]:
    """Where she may send it: the factories of its country she may send to, and for an
    announcement the whole country."""
    viewer = current_viewer()
    factories = db.session.scalars(select(Factory).where(Factory.country_code == survey.country_code)
                                   .order_by(Factory.code)).all()
    choices = [(f"factory:{f.id}", f"{f.code} {f.name}") for f in factories if viewer.may_dispatch(f)]
    if survey.kind == ANNOUNCEMENT and viewer.may_dispatch_country(survey.country_code):
        country = db.session.get(Country, survey.country_code)
        choices.insert(0, (f"country:{country.code}", _("Every factory of %(country)s", country=country.name)))
    return choices


def _where(target: str) -> dict:
    kind, _sep, value = target.partition(":")
    if kind == "country":
        return {"country_code": value}
    return {"factory": db.session.get(Factory, int(value))}


def _visible_run(run_id: int) -> SurveyRun:
    found = db.session.get(SurveyRun, run_id)
    viewer = current_viewer()
    if found is None or not viewer.may_dispatch_run(found):
        abort(404)
    return found


@bp.route(f"/<{ROW_ID}:survey_id>/runs/new", methods=["GET", "POST"])
@login_required
def new_run(survey_id: int):
    """Pick where it goes; the plan is shown, kept as a planned run whose own button starts it
    (so a second press, or a double click, finds it started and sends nothing again)."""
    survey = _survey(survey_id)
    choices = _targets(survey)
    if not choices:
        abort(404)
    form = TargetForm(prefix="run")
    form.target.choices = choices
    if request.method == "GET":
        return _render_new(survey, form)
    if not form.validate_on_submit():
        return _render_new(survey, form, status=400)
    try:
        run = plan_run(db.session, survey=survey, actor=current_user, now=utcnow(), **_where(form.target.data))
    except DispatchRefused as refused:
        db.session.rollback()
        return _render_new(survey, form, refused=refused, status=422)
    db.session.commit()
    return _render_new(survey, form, plan=run.plan, planned=run)


@bp.post(f"/runs/<{ROW_ID}:run_id>/start")
@login_required
def start(run_id: int):
    found = _visible_run(run_id)
    if not ActionForm().validate_on_submit():
        return _render_run(found, status=400, problem=_("The form expired; press the button again."))
    if found.status != PLANNED:  # pressed twice: it started with the first press
        return redirect(url_for("surveys.run", run_id=run_id), code=303)
    try:
        start_run(db.session, found, current_user, utcnow())
    except DispatchRefused as refused:
        db.session.rollback()
        return _render_run(db.session.get(SurveyRun, run_id), status=409, problem=str(refused.reason))
    db.session.commit()
    return redirect(url_for("surveys.run", run_id=run_id), code=303)


def _render_new(survey: Survey, form: TargetForm, plan: dict | None = None, refused: DispatchRefused | None = None,
                status: int = 200, planned: SurveyRun | None = None):
    return render_template("surveys/run_new.html", survey=survey, form=form, plan=plan, refused=refused,
                           planned=planned, action=ActionForm(), language_names=LANGUAGE_NAMES, part_label=part_label,
                           editor=link("surveys.survey", survey_id=survey.id)), status


@bp.get(f"/runs/<{ROW_ID}:run_id>")
@login_required
def run(run_id: int):
    found = _visible_run(run_id)
    return _render_run(found)


def _offered(found: SurveyRun) -> tuple[str, ...]:
    if found.status == FINISHED:  # every invitation went; a cancel still stops those mid-survey
        return ("cancel",) if may_cancel(db.session, found) else ()
    return OFFERED.get(found.status, ())


def _render_run(found: SurveyRun, status: int = 200, problem: str | None = None):
    return render_template(
        "surveys/run.html", run=found, survey=found.survey, progress=progress(db.session, found),
        offered=_offered(found), form=ActionForm(), problem=problem, language_names=LANGUAGE_NAMES,
        paused_for=(found.plan or {}).get(PAUSED_FOR, []), part_label=part_label,
        results=link("surveys.results", run_id=found.id), editor=link("surveys.survey", survey_id=found.survey_id),
    ), status


@bp.get(f"/runs/<{ROW_ID}:run_id>/progress.json")
@login_required
def run_progress(run_id: int):
    """Counts only (no worker, no number, no words), for the page's progress bar."""
    found = _visible_run(run_id)
    return jsonify({"status": found.status, **progress(db.session, found).as_dict()})


@bp.post(f"/runs/<{ROW_ID}:run_id>/<any(pause, resume, cancel):action>")
@login_required
def run_action(run_id: int, action: str):
    found = _visible_run(run_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return _render_run(found, status=400, problem=_("The form expired; press the button again."))
    if action == "cancel" and request.form.get("confirm") != "yes":
        return render_template("surveys/run_cancel.html", run=found, survey=found.survey, form=form,
                               progress=progress(db.session, found))
    try:
        ACTIONS[action](db.session, found, current_user, utcnow())
    except DispatchRefused as refused:
        db.session.rollback()
        return _render_run(db.session.get(SurveyRun, run_id), status=409, problem=str(refused.reason))
    db.session.commit()
    flash({"pause": _("Paused: no more batches go out until you resume it."),
           "resume": _("Resumed: the next batch goes out shortly."),
           "cancel": _("Cancelled: nothing more is sent.")}[action])
    return redirect(url_for("surveys.run", run_id=run_id))


@bp.get("/runs")
@login_required
def runs():
    viewer = current_viewer()
    if not viewer.writes_surveys:
        abort(404)
    latest = db.session.scalars(select(SurveyRun).join(Survey, Survey.id == SurveyRun.survey_id)
                                .where(viewer.survey_rows()).order_by(SurveyRun.id.desc()).limit(RUNS_SHOWN * 2))
    shown = [found for found in latest if viewer.may_dispatch_run(found)][:RUNS_SHOWN]
    return render_template("surveys/runs.html", runs=[(found, progress(db.session, found)) for found in shown],
                           countries={c.code: c.name for c in db.session.scalars(select(Country))})
