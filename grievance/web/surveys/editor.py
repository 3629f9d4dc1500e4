"""/surveys: the programme's staff write surveys and announcements: a list, a new one, and
each one's page with its texts per language (and what each costs as an SMS, as it is typed),
the texts still missing, and its questions in order with their skip rules."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.routing import BuildError

from grievance.access import current_viewer
from grievance.channels.segments import TWILIO_MAX_CHARS, segment_info
from grievance.extensions import db
from grievance.i18n.pages import LANGUAGE_NAMES
from grievance.models import Country, Survey, SurveyQuestion, SurveyRun
from grievance.models.base import utcnow
from grievance.models.survey import ANNOUNCEMENT, SURVEY, YES_NO
from grievance.web import ROW_ID
from grievance.web.forms import ActionForm
from grievance.web.surveys.blueprint import bp
from grievance.web.surveys.forms import (KIND_LABELS, QUESTION_KIND_LABELS, NewSurveyForm, QuestionForm,
                                         command_choices_named, question_data, text_parts, texts_form, texts_given)
from grievance.workflows.surveys import editing
from grievance.workflows.surveys.definition import missing_texts


@bp.context_processor
def _links():
    def link(endpoint: str, **values) -> str | None:
        """The address of a page of /surveys, or None where the app has no such page (yet)."""
        if endpoint not in current_app.view_functions:
            return None
        try:
            return url_for(endpoint, **values)
        except BuildError:
            return None

    return {"survey_link": link, "kind_labels": KIND_LABELS, "question_kind_labels": QUESTION_KIND_LABELS,
            "language_names": LANGUAGE_NAMES}


def _writer():
    viewer = current_viewer()
    if not viewer.writes_surveys:
        abort(404)
    return viewer


def _countries(viewer) -> list[tuple[str, str]]:
    allowed = viewer.survey_countries()
    query = select(Country).order_by(Country.name)
    if allowed is not None:
        query = query.where(Country.code.in_(sorted(allowed)))
    return [(country.code, country.name) for country in db.session.scalars(query)]


def _survey(survey_id: int) -> Survey:
    found = db.session.scalar(select(Survey).where(Survey.id == survey_id, _writer().survey_rows()))
    if found is None:
        abort(404)
    return found


def _runs(survey: Survey) -> list[SurveyRun]:
    return list(db.session.scalars(select(SurveyRun).where(SurveyRun.survey_id == survey.id)
                                   .order_by(SurveyRun.created_at.desc(), SurveyRun.id.desc())))


def _not_hers(found: Survey):
    """A redirect when she may read the survey but not change it; None when she may."""
    if current_viewer().may_edit_survey(found, _runs(found)):
        return None
    flash(_("This survey was also sent to factories you do not send to: only the programme's staff of the "
            "country can change it."))
    return redirect(url_for("surveys.survey", survey_id=found.id))


def _question(survey: Survey, question_id: int) -> SurveyQuestion:
    found = next((question for question in survey.questions if question.id == question_id), None)
    if found is None:
        abort(404)
    return found


@bp.get("/")
@login_required
def index(form: NewSurveyForm | None = None, status: int = 200):
    viewer = _writer()
    surveys = db.session.scalars(select(Survey).where(viewer.survey_rows())
                                 .order_by(Survey.created_at.desc(), Survey.id.desc())).all()
    form = form or NewSurveyForm(prefix="survey", countries=_countries(viewer))
    return render_template("surveys/index.html", surveys=surveys, form=form), status


@bp.post("/")
@login_required
def new_survey():
    viewer = _writer()
    form = NewSurveyForm(prefix="survey", countries=_countries(viewer))
    if not form.validate_on_submit():
        return index(form, 400)
    now = utcnow()
    made = Survey(title=form.title.data.strip(), kind=form.kind.data, country_code=form.country.data, intro={},
                  thanks={}, created_by_id=current_user.id, created_at=now, updated_at=now)
    db.session.add(made)
    db.session.commit()
    flash(_("“%(title)s” created: write its texts in each language.", title=made.title))
    return redirect(url_for("surveys.survey", survey_id=made.id))


def _costs(form, survey: Survey, languages: list[str]) -> dict[str, object]:
    return {f"{stem}_{language}": segment_info(form[f"{stem}_{language}"].data or "")
            for _part, stem, _texts in text_parts(survey) for language in languages}


def _render(survey: Survey, *, texts=None, question_forms: dict | None = None, new_question=None, status=200):
    languages = list(survey.country.languages)
    texts = texts or texts_form(survey, languages)
    forms = {question.id: QuestionForm(prefix=f"question{question.id}", data=question_data(question))
             for question in survey.questions}
    forms.update(question_forms or {})
    missing = missing_texts(survey, languages)
    viewer, runs = current_viewer(), _runs(survey)
    return render_template(
        "surveys/survey.html", survey=survey, languages=languages, texts=texts, parts=text_parts(survey),
        costs=_costs(texts, survey, languages), max_chars=TWILIO_MAX_CHARS, question_forms=forms,
        new_question=new_question or QuestionForm(prefix="question"), locked=editing.has_runs(db.session, survey),
        runs=[run for run in runs if viewer.may_dispatch_run(run)], editable=viewer.may_edit_survey(survey, runs),
        missing={language: [m for m in missing if m.language == language] for language in languages},
        ready=not missing, action=ActionForm(), is_announcement=survey.kind == ANNOUNCEMENT, YES_NO=YES_NO,
        SURVEY=SURVEY), status


@bp.get(f"/<{ROW_ID}:survey_id>")
@login_required
def survey(survey_id: int):
    return _render(_survey(survey_id))


@bp.post(f"/<{ROW_ID}:survey_id>/texts")
@login_required
def save_texts(survey_id: int):
    found = _survey(survey_id)
    if (refused := _not_hers(found)) is not None:
        return refused
    languages = list(found.country.languages)
    form = texts_form(found, languages, formdata=request.form)
    if not form.validate_on_submit() or command_choices_named(form, found, languages):
        return _render(found, texts=form, status=400)
    try:
        editing.save_texts(found, texts_given(form, found, languages), utcnow())
    except editing.TextsInUse as refused:
        stems = {part: stem for part, stem, _texts in text_parts(found)}
        for part, language in refused.parts:
            form[f"{stems[part]}_{language}"].errors = [_(
                "A run of this survey is sending or paused: this text cannot be removed until it is over, or its "
                "workers would be asked in another language. Correct it instead.")]
        return _render(found, texts=form, status=409)
    db.session.commit()
    flash(_("Texts saved."))
    return redirect(url_for("surveys.survey", survey_id=found.id) + "#texts")


def _locked(found: Survey):
    if editing.has_runs(db.session, found):
        flash(_("This survey has been sent: its questions stay as the workers were asked them. Its texts can "
                "still be corrected."))
        return redirect(url_for("surveys.survey", survey_id=found.id))
    return None


def _shape_form(found: Survey, prefix: str, position: int, count: int):
    """The question form posted, checked; (form, shape or None when it needs fixing)."""
    form = QuestionForm(prefix=prefix)
    if not form.validate_on_submit():
        return form, None
    shape = form.shape()
    problems = editing.shape_problems(shape, position, count)
    if problems:
        form.problems_named(problems, position, count)
        return form, None
    return form, shape


@bp.post(f"/<{ROW_ID}:survey_id>/questions")
@login_required
def add_question(survey_id: int):
    found = _survey(survey_id)
    if found.kind == ANNOUNCEMENT:
        abort(404)
    if (refused := _not_hers(found)) is not None or (refused := _locked(found)) is not None:
        return refused
    count = len(found.questions) + 1
    form, shape = _shape_form(found, "question", count, count)
    if shape is None:
        return _render(found, new_question=form, status=400)
    question = editing.add_question(db.session, found, shape, utcnow())
    db.session.commit()
    flash(_("Question %(number)s added: write it in each language below.", number=question.position))
    return redirect(url_for("surveys.survey", survey_id=found.id) + f"#text-q{question.position}")


@bp.post(f"/<{ROW_ID}:survey_id>/questions/<{ROW_ID}:question_id>")
@login_required
def change_question(survey_id: int, question_id: int):
    found = _survey(survey_id)
    question = _question(found, question_id)
    if (refused := _not_hers(found)) is not None or (refused := _locked(found)) is not None:
        return refused
    form, shape = _shape_form(found, f"question{question.id}", question.position, len(found.questions))
    if shape is None:
        return _render(found, question_forms={question.id: form}, status=400)
    editing.change_question(db.session, found, question, shape, utcnow())
    db.session.commit()
    flash(_("Question %(number)s saved.", number=question.position))
    return redirect(url_for("surveys.survey", survey_id=found.id) + f"#question-{question.position}")


@bp.post(f"/<{ROW_ID}:survey_id>/questions/<{ROW_ID}:question_id>/delete")
@login_required
def delete_question(survey_id: int, question_id: int):
    found = _survey(survey_id)
    question = _question(found, question_id)
    if (refused := _not_hers(found)) is not None or (refused := _locked(found)) is not None:
        return refused
    if not ActionForm().validate_on_submit():
        abort(400)
    position = question.position
    editing.delete_question(db.session, found, question, utcnow())
    db.session.commit()
    flash(_("Question %(number)s removed; the questions after it moved up.", number=position))
    return redirect(url_for("surveys.survey", survey_id=found.id) + "#questions")


@bp.post(f"/<{ROW_ID}:survey_id>/questions/<{ROW_ID}:question_id>/move")
@login_required
def move_question(survey_id: int, question_id: int):
    found = _survey(survey_id)
    question = _question(found, question_id)
    if (refused := _not_hers(found)) is not None or (refused := _locked(found)) is not None:
        return refused
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None or not ActionForm().validate_on_submit():
        abort(400)
    broken = editing.move_question(db.session, found, question, step, utcnow())
    if broken:
        db.session.rollback()
        flash(_("Not moved: the skip rule of question %(numbers)s would then lead backwards.",
                numbers=", ".join(map(str, broken))))
        return redirect(url_for("surveys.survey", survey_id=found.id) + "#questions")
    db.session.commit()
    return redirect(url_for("surveys.survey", survey_id=found.id) + "#questions")
