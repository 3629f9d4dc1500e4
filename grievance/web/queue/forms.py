"""The case page's forms. A reply is a template in her language or her own text, never both;
nothing is cut: a text longer than what may be sent is refused, the limit named."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from grievance.channels.segments import TWILIO_MAX_CHARS, segment_info
from grievance.extensions import db
from grievance.i18n.worker import FOLLOWUP_TEMPLATES, purpose_for, signed_text, worker_text
from grievance.models import Case
from grievance.models.case import ROUTE_ADVISOR, read_reference
from grievance.privacy import vault
from grievance.web.labels import CATEGORY_LABELS, OUTCOME_LABELS
from grievance.workflows.templates import reply_templates

# Her own text, before the signature; the signed text must also fit what Twilio takes in one body.
REPLY_MAX_CHARS = 1000
NOTE_MAX_CHARS = 4000
OUTCOME_MAX_CHARS = 300


def cost_text(text: str) -> str:
    """What the page says about a text's cost; case.js says the same while she types."""
    info = segment_info(text)
    return _("%(count)d characters · %(encoding)s · %(segments)d SMS", count=len(text), encoding=info.encoding,
             segments=info.segments)


def cost_templates() -> dict[str, str]:
    """The same sentences with their placeholders, for case.js to fill in."""
    return {"template": _("%(count)d characters · %(encoding)s · %(segments)d SMS"),
            "over": _("Too long: at most %(limit)d characters can be sent.")}


class ReplyForm(FlaskForm):
    template = SelectField(_l("Reply"), choices=[], validate_choice=False)
    text = TextAreaField(_l("Or write your own message"), validators=[Optional()])
    wait = BooleanField(_l("Wait for her answer (the resolve deadline stops until she replies)"))

    case: Case | None = None
    # The admins' reply templates in her language, by choice value ("written:<key>") → text.
    written_templates: dict[str, str] = {}

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        text = (self.text.data or "").strip()
        if self.template.data and text:
            self.text.errors.append(_("Choose one: the ready reply or your own text, not both. "
                                      "Nothing was sent."))
            return False
        if not self.template.data and not text:
            self.text.errors.append(_("Pick a reply or write one."))
            return False
        if self.template.data and self.template.data not in FOLLOWUP_TEMPLATES \
                and self.template.data not in self.written_templates:
            self.template.errors.append(_("Pick a reply or write one."))
            return False
        written = self.written_templates.get(self.template.data or "")
        if written is not None and self.case is not None and len(self.signed(written)) > TWILIO_MAX_CHARS:
            self.template.errors.append(_("Too long: at most %(limit)d characters can be sent.",
                                          limit=TWILIO_MAX_CHARS))
            return False
        if len(text) > REPLY_MAX_CHARS or (self.case is not None and len(self.signed(text)) > TWILIO_MAX_CHARS):
            self.text.errors.append(_("At most %(limit)d characters can be sent; this text has %(count)d. "
                                      "Nothing was sent.", limit=REPLY_MAX_CHARS, count=len(text)))
            return False
        return True

    def signed(self, text: str) -> str:
        return signed_text(text, self.case.worker_language, advisors=self.case.route == ROUTE_ADVISOR)

    def cost(self) -> str | None:
        text = (self.text.data or "").strip()
        return cost_text(self.signed(text)) if text and self.case is not None else None


def reply_form(case: Case) -> ReplyForm:
    form = ReplyForm(prefix="reply")
    form.case = case
    language = case.worker_language
    advisors = case.route == ROUTE_ADVISOR
    form.template.choices = [("", _("Write my own"))] + [
        (purpose, worker_text(purpose_for(purpose, advisors=advisors, named=False), language,
                              reference=case.reference))
        for purpose in FOLLOWUP_TEMPLATES
    ]
    form.written_templates = {f"{WRITTEN}{key}": text for key, text in reply_templates(db.session, language)}
    form.template.choices += list(form.written_templates.items())
    return form


WRITTEN = "written:"


def chosen_reply(form: ReplyForm) -> tuple[str | None, str | None]:
    """(built-in template, own text) to send: an admin's template is sent as its text."""
    choice = form.template.data or None
    if choice in form.written_templates:
        return None, form.written_templates[choice]
    return choice, form.text.data


class ResolveForm(FlaskForm):
    outcome_code = SelectField(_l("How it ended"), choices=[("", "")] + [(code, text) for code, text in
                                                                         OUTCOME_LABELS.items()],
                               validators=[DataRequired(message=_l("Pick how it ended."))])
    outcome = TextAreaField(_l("What was done, in her language (the worker receives this)"),
                            validators=[DataRequired(), Length(max=OUTCOME_MAX_CHARS)])
    confirm = BooleanField(_l("Yes, send her this outcome and close the work on this case"))


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Internal note (never sent to the worker)"),
                         validators=[DataRequired(message=_l("Write the note.")), Length(max=NOTE_MAX_CHARS)])


class CategoryForm(FlaskForm):
    category = SelectField(_l("Category"), choices=list(CATEGORY_LABELS.items()))


class AssignForm(FlaskForm):
    member = SelectField(_l("Give it to"), choices=[])


FOLLOWUP_NOTE_MAX_CHARS = 500
# A phone number, however it is written: seven digits or more, with spaces, dots, dashes or
# brackets between them (any script's digits: \d is Unicode).
_DIGIT_RUN = re.compile(r"(?:\d[\s().\-]{0,2}){7,}")
_EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
# Any case's reference (grievance.models.case: two letters, a dash or not, six Crockford
# characters; read_reference decides). Words fit that shape too ("co-worker", "overtime"), so
# a reference without a digit counts only when written as references are: capitals, a dash.
_REFERENCE = re.compile(r"\b[A-Z]{2}-[0-9A-Z]{6}\b|\b[A-Za-z]{2}-?(?=[A-Za-z]*\d)[0-9A-Za-z]{6}\b")
_MONTHS = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
           r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
# A day: digits with / . or - between them (3/4, 03.04.2026, 2026-04-03), or a day number next
# to an English month name (14 March, March 14th); "May 2025" names a month, not a day.
_DATE = re.compile(rf"\b\d{{1,4}}\s?[/.\-]\s?\d{{1,4}}\b"
                   rf"|\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTHS}\b"
                   rf"|\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b", re.IGNORECASE)


def _squeezed(text: str) -> str:
    return re.sub(r"[\W_]", "", text).upper()


# A word that may be a reference typed in lower case without its dash and with no digit in its
# code ("iddenfrf"): counted only when one of the factory's cases has it.
_WORD_REFERENCE = re.compile(r"\b[A-Za-z]{2}-?[A-Za-z]{6}\b")


def _has_reference(text: str, case: Case | None) -> bool:
    if any(read_reference(found.group(0)) is not None for found in _REFERENCE.finditer(text)):
        return True
    if case is None:
        return False
    read = (read_reference(found.group(0)) for found in _WORD_REFERENCE.finditer(text))
    words = {f"{country}-{code}" for country, code in filter(None, read)}
    return bool(words) and db.session.scalar(
        select(Case.id).where(Case.factory_id == case.factory_id, Case.reference.in_(words)).limit(1)) is not None


def _names_her(case: Case, text: str) -> bool:
    """Whether the note holds a word of the name she gave (3 letters or more), in any case."""
    if not case.name_encrypted:
        return False
    words = [word for word in re.split(r"[\W\d_]+", vault().decrypt(case.name_encrypted)) if len(word) >= 3]
    return any(re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE) for word in words)


class FollowupNoteForm(FlaskForm):
    """What the committee tells buyers about a case, read by them on the follow-up log: nothing
    that could lead back to her."""
    note = TextAreaField(_l("Follow-up note for buyers"),
                         validators=[Optional(), Length(max=FOLLOWUP_NOTE_MAX_CHARS)])

    case: Case | None = None

    def validate_note(self, field):
        text = field.data or ""
        if (self.case is not None and _squeezed(self.case.reference) in _squeezed(text)) or _has_reference(text, self.case):
            raise ValidationError(_("Buyers must not see the case reference: take it out of the note."))
        if _DIGIT_RUN.search(text):
            raise ValidationError(_("The note has a number that looks like a phone number: take it out."))
        if _EMAIL.search(text):
            raise ValidationError(_("The note has an email address: take it out."))
        if _DATE.search(text):
            raise ValidationError(_("The note has a date: buyers see the month at most. Take it out."))
        if self.case is not None and _names_her(self.case, text):
            raise ValidationError(_("The note has the worker's name: take it out."))


def followup_note_form(case: Case) -> FollowupNoteForm:
    form = FollowupNoteForm(prefix="followup")
    form.case = case
    return form
