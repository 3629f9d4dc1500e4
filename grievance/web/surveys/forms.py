"""The survey editor's forms: a new survey, a question's shape and skip rule, and every text of
a survey in each language of its country (one form, so nothing typed elsewhere is lost)."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from grievance.channels.segments import TWILIO_MAX_CHARS
from grievance.language.answers import read_as_command
from grievance.models import Survey
from grievance.models.survey import ANNOUNCEMENT, CHOICE, FREE_TEXT, SCALE, SURVEY, YES_NO
from grievance.workflows.surveys.editing import CHOICE_COUNTS, MAX_RANDOMIZED_SHARE, SCALE_TOPS, QuestionShape

KIND_LABELS = {SURVEY: _l("Survey (questions, answered by text)"),
               ANNOUNCEMENT: _l("Announcement (one message, no questions)")}
QUESTION_KIND_LABELS = {SCALE: _l("A scale from 1 to N"), YES_NO: _l("Yes or no"),
                        CHOICE: _l("One of a numbered list"), FREE_TEXT: _l("A short answer in words")}


def problem_text(code: str, shape: QuestionShape, position: int, count: int) -> str:
    """A problem of ``editing.shape_problems``, named for the editor."""
    if code == "scale_top":
        return _("A scale's top must be between %(low)s and %(high)s.", low=SCALE_TOPS[0], high=SCALE_TOPS[-1])
    if code == "choice_count":
        return _("A list needs between %(low)s and %(high)s choices.", low=CHOICE_COUNTS[0], high=CHOICE_COUNTS[-1])
    if code == "skip_answer_missing":
        return _("Say which answer leads elsewhere, or leave both parts of the rule empty.")
    if code == "skip_answer":
        return _("“%(answer)s” is not an answer this question can get (%(answers)s).", answer=shape.skip_if,
                 answers=answers_hint(shape))
    if code == "skip_target_missing":
        return _("Say which question comes next (0 ends the survey), or leave both parts of the rule empty.")
    if code == "skip_target":
        if count <= position:
            return _("There is no question after this one: 0 (the end) is the only place to go.")
        return _("Go to a question after this one (%(first)s to %(last)s) or 0 to end the survey.",
                 first=position + 1, last=count)
    if code == "randomized_kind":
        return _("Only a yes/no question can have answers replaced at random.")
    return _("The share replaced at random must be more than 0 and at most %(most)s.", most=MAX_RANDOMIZED_SHARE)


def answers_hint(shape: QuestionShape) -> str:
    if shape.kind == YES_NO:
        return _("yes or no")
    if shape.kind == SCALE and shape.scale_max:
        return _("1 to %(top)s", top=shape.scale_max)
    if shape.kind == CHOICE and shape.choices:
        return _("1 to %(top)s", top=shape.choices)
    return _("none: an answer in words leads nowhere else")


class NewSurveyForm(FlaskForm):
    title = StringField(_l("Title (for staff; workers never see it)"), validators=[DataRequired(), Length(max=120)])
    kind = SelectField(_l("What it is"), choices=[(key, label) for key, label in KIND_LABELS.items()],
                       validators=[DataRequired()])
    country = SelectField(_l("Country"), validators=[DataRequired()])

    def __init__(self, *args, countries: list[tuple[str, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = list(countries)


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Kind of answer"), choices=[(key, label) for key, label in QUESTION_KIND_LABELS.items()],
                       validators=[DataRequired()])
    scale_max = IntegerField(_l("Top of the scale (2 to 10; scales only)"), validators=[Optional()])
    choices = IntegerField(_l("Number of choices (2 to 9; lists only)"), validators=[Optional()])
    skip_if = StringField(_l("Skip rule: when the answer is (yes, no, or a number)"),
                          validators=[Optional(), Length(max=16)])
    skip_to = IntegerField(_l("… go to question number (0 ends the survey)"), validators=[Optional()])
    randomized_share = FloatField(_l("Share of answers replaced at random (0 to 0.5; yes/no only)"),
                                  validators=[Optional()])

    def shape(self) -> QuestionShape:
        skip_if = (self.skip_if.data or "").strip().lower() or None
        return QuestionShape(kind=self.kind.data, scale_max=self.scale_max.data, choices=self.choices.data or 0,
                             skip_if=skip_if, skip_to=self.skip_to.data, randomized_share=self.randomized_share.data)

    def problems_named(self, problems: dict[str, str], position: int, count: int) -> None:
        shape = self.shape()
        for name, code in problems.items():
            getattr(self, name).errors = list(getattr(self, name).errors) + [problem_text(code, shape, position, count)]


def question_data(question) -> dict:
    return {"kind": question.kind, "scale_max": question.scale_max, "choices": len(question.choices or []) or None,
            "skip_if": question.skip_if, "skip_to": question.skip_to, "randomized_share": question.randomized_share}


# -- every text of a survey --------------------------------------------------------------------

def text_parts(survey: Survey) -> list[tuple[tuple, str, dict]]:
    """(part, field name stem, current texts) in the order a worker reads them."""
    parts: list[tuple[tuple, str, dict]] = [(("intro",), "intro", survey.intro or {})]
    if survey.kind == ANNOUNCEMENT:
        return parts
    for question in survey.questions:
        parts.append((("question", question.position), f"q{question.position}", question.text or {}))
        if question.kind == CHOICE:
            parts += [(("choice", question.position, number), f"q{question.position}c{number}", texts or {})
                      for number, texts in enumerate(question.choices or [], start=1)]
    parts.append((("thanks",), "thanks", survey.thanks or {}))
    return parts


def texts_form(survey: Survey, languages: list[str], formdata=None) -> FlaskForm:
    """A form with a text area per part and language, named ``<stem>_<language>``."""
    class TextsForm(FlaskForm):
        pass

    data = {}
    for _part, stem, texts in text_parts(survey):
        for language in languages:
            setattr(TextsForm, f"{stem}_{language}",
                    TextAreaField(language, validators=[Optional(), Length(max=TWILIO_MAX_CHARS)]))
            data[f"{stem}_{language}"] = texts.get(language, "")
    return TextsForm(formdata=formdata, data=data, prefix="texts")


def command_choices_named(form: FlaskForm, survey: Survey, languages: list[str]) -> bool:
    """Names, on its field, each choice a worker could not answer with: her reply would be read
    as an instruction (ALTO stops every message, ENCUESTA or IDIOMA …) instead of her choice.
    True when there was one."""
    found = False
    for part, stem, _texts in text_parts(survey):
        for language in languages if part[0] == "choice" else ():
            field = form[f"{stem}_{language}"]
            if (field.data or "").strip() and read_as_command(field.data):
                field.errors = list(field.errors) + [_(
                    "A worker who replies “%(word)s” would not be choosing it: the service reads that word as "
                    "an instruction (such as stop every message). Write this choice another way.",
                    word=field.data.strip())]
                found = True
    return found


def texts_given(form: FlaskForm, survey: Survey, languages: list[str]) -> dict[tuple, dict[str, str]]:
    return {part: {language: form[f"{stem}_{language}"].data or "" for language in languages}
            for part, stem, _texts in text_parts(survey)}
