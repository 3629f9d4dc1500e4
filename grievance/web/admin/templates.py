"""What the service writes to workers, and what it costs: reply templates per language (admins
write them; the case page offers them), the built-in follow-up replies, and the WhatsApp
templates (Twilio Content API) used outside WhatsApp's 24-hour window."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

from grievance.channels.segments import TWILIO_MAX_CHARS, segment_info
from grievance.extensions import db
from grievance.i18n.pages import LANGUAGE_NAMES
from grievance.i18n.worker import (FOLLOWUP_TEMPLATES, WORKER_LANGUAGES, WORKER_TEXTS, purpose_for, signature,
                                   signed_text, worker_text)
from grievance.models import MessageTemplate, ReplyTemplate
from grievance.models.base import utcnow
from grievance.web import ROW_ID
from grievance.web.admin.audit import record
from grievance.web.admin.blueprint import bp

SAMPLE_REFERENCE = "KH-7Q4K2M"


def _languages() -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES[code]) for code in WORKER_LANGUAGES]



# The longest signature of any language and route, so a template fits once signed.
TEMPLATE_MAX_CHARS = TWILIO_MAX_CHARS - max(len(f"\n- {signature(language, advisors=advisors)}")
                                            for language in WORKER_LANGUAGES for advisors in (False, True))

class ReplyTemplateForm(FlaskForm):
    key = StringField(_l("Name (letters, digits and _)"), validators=[DataRequired(), Length(max=64), Regexp(
        r"^[a-z0-9_]+$", message=_l("Use small letters, digits and _ only, for example payslip_checked."))])
    language = SelectField(_l("Language"), validators=[DataRequired()])
    # Room is left for the signature every reply carries (the committee's or the advisors').
    text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=TEMPLATE_MAX_CHARS)])
    active = BooleanField(_l("Offered on the case page"), default=True)

    def __init__(self, *args, editing: ReplyTemplate | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        self.language.choices = _languages()

    def validate_key(self, field):
        taken = db.session.scalar(select(ReplyTemplate).where(
            ReplyTemplate.key == field.data, ReplyTemplate.language == self.language.data))
        if taken is not None and taken is not self.editing:
            raise ValidationError(_("This language already has a template of this name."))


class WhatsAppForm(FlaskForm):
    purpose = SelectField(_l("What it is for"), validators=[DataRequired()])
    language = SelectField(_l("Language"), validators=[DataRequired()])
    content_sid = StringField(_l("Content SID (HX…; empty removes it)"), validators=[Optional(), Regexp(
        r"^HX[0-9a-fA-F]{32}$", message=_l("A content SID is HX and 32 hexadecimal characters."))])
    variables = StringField(_l("Variables in the order of {{1}}, {{2}}…, for example reference,date"),
                            validators=[Optional(), Length(max=200), Regexp(
                                r"^[a-z_]+(\s*,\s*[a-z_]+)*$", message=_l("Names separated by commas."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.purpose.choices = [(purpose, purpose) for purpose in sorted(WORKER_TEXTS)]
        self.language.choices = _languages()


def _builtin_costs() -> list[dict]:
    """Each built-in follow-up reply, per language, as sent (signed) by the committee and by the advisors."""
    rows = []
    for purpose in FOLLOWUP_TEMPLATES:
        for language in WORKER_LANGUAGES:
            costs = {}
            for advisors in (False, True):
                text = worker_text(purpose_for(purpose, advisors=advisors, named=False), language,
                                   reference=SAMPLE_REFERENCE)
                costs["advisors" if advisors else "committee"] = segment_info(
                    signed_text(text, language, advisors=advisors))
            rows.append({"purpose": purpose, "language": language,
                         "text": worker_text(purpose, language, reference=SAMPLE_REFERENCE), **costs})
    return rows


@bp.get("/templates")
def templates(form: ReplyTemplateForm | None = None, status: int = 200):
    rows = db.session.scalars(select(ReplyTemplate).order_by(ReplyTemplate.key, ReplyTemplate.language)).all()
    return render_template("admin/templates.html", rows=[(row, segment_info(row.text)) for row in rows],
                           form=form or ReplyTemplateForm(prefix="template"), builtin=_builtin_costs(),
                           language_names=LANGUAGE_NAMES, max_chars=TEMPLATE_MAX_CHARS), status


@bp.post("/templates")
def add_reply_template():
    form = ReplyTemplateForm(prefix="template")
    if not form.validate_on_submit():
        return templates(form, 400)
    made = ReplyTemplate(key=form.key.data, language=form.language.data, text=form.text.data.strip(),
                         active=bool(form.active.data), updated_at=utcnow(), updated_by_id=current_user.id)
    db.session.add(made)
    cost = segment_info(made.text)
    record("templates", "add", f"{made.key} ({made.language})", encoding=cost.encoding, segments=cost.segments,
           active=made.active)
    db.session.commit()
    flash(_("Template %(key)s added.", key=made.key))
    return redirect(url_for("admin.templates"))


def _template(template_id: int) -> ReplyTemplate:
    found = db.session.get(ReplyTemplate, template_id)
    if found is None:
        abort(404)
    return found


def _render_one(found: ReplyTemplate, form=None, status=200):
    form = form or ReplyTemplateForm(prefix="template", editing=found, data={
        "key": found.key, "language": found.language, "text": found.text, "active": found.active})
    return render_template("admin/template.html", template=found, form=form,
                           cost=segment_info(form.text.data or ""), max_chars=TEMPLATE_MAX_CHARS), status


@bp.get(f"/templates/<{ROW_ID}:template_id>")
def reply_template(template_id: int):
    return _render_one(_template(template_id))


@bp.post(f"/templates/<{ROW_ID}:template_id>")
def save_reply_template(template_id: int):
    found = _template(template_id)
    form = ReplyTemplateForm(prefix="template", editing=found)
    if not form.validate_on_submit():
        return _render_one(found, form=form, status=400)
    found.key, found.language, found.text = form.key.data, form.language.data, form.text.data.strip()
    found.active, found.updated_at, found.updated_by_id = bool(form.active.data), utcnow(), current_user.id
    cost = segment_info(found.text)
    record("templates", "edit", f"{found.key} ({found.language})", encoding=cost.encoding, segments=cost.segments,
           active=found.active)
    db.session.commit()
    flash(_("Template %(key)s saved.", key=found.key))
    return redirect(url_for("admin.templates"))


def _whatsapp_page(form=None, status=200):
    configured = {(t.purpose, t.language): t for t in db.session.scalars(select(MessageTemplate))}
    purposes = [(purpose, str(WORKER_TEXTS[purpose])) for purpose in sorted(WORKER_TEXTS)]
    return render_template("admin/whatsapp.html", purposes=purposes, configured=configured,
                           languages=WORKER_LANGUAGES, form=form or WhatsAppForm(prefix="whatsapp")), status


@bp.get("/whatsapp")
def whatsapp_templates():
    return _whatsapp_page()


@bp.post("/whatsapp")
def save_whatsapp_template():
    form = WhatsAppForm(prefix="whatsapp")
    if not form.validate_on_submit():
        return _whatsapp_page(form, 400)
    purpose, language = form.purpose.data, form.language.data
    existing = db.session.scalar(select(MessageTemplate).where(
        MessageTemplate.purpose == purpose, MessageTemplate.language == language))
    sid = (form.content_sid.data or "").strip()
    names = [name.strip() for name in (form.variables.data or "").split(",") if name.strip()]
    if not sid:
        if existing is None:
            form.content_sid.errors.append(_("There is no template to remove for this purpose and language."))
            return _whatsapp_page(form, 400)
        db.session.delete(existing)
        record("templates", "whatsapp_remove", f"{purpose} ({language})", content_sid=existing.content_sid)
        flash(_("WhatsApp template removed."))
    else:
        if existing is None:
            existing = MessageTemplate(purpose=purpose, language=language)
            db.session.add(existing)
        existing.content_sid, existing.variable_names = sid, names
        record("templates", "whatsapp", f"{purpose} ({language})", content_sid=sid, variables=names)
        flash(_("WhatsApp template saved."))
    db.session.commit()
    return redirect(url_for("admin.whatsapp_templates"))
