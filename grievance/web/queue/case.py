"""The case page and its actions: acknowledge, reply, resolve; her attachments."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from grievance.access import FULL, current_viewer
from grievance.channels.twilio.media import MediaUnavailable, fetch_media, is_safe_inline
from grievance.extensions import db
from grievance.i18n.worker import FOLLOWUP_TEMPLATES, purpose_for, signature, worker_text
from grievance.models import Case, Message
from grievance.models.base import utcnow
from grievance.models.case import OPEN_STATUSES, ROUTE_ADVISOR
from grievance.privacy import vault
from grievance.web import ROW_ID
from grievance.web.forms import ActionForm
from grievance.web.queue.blueprint import bp
from grievance.workflows.deadlines import acknowledge as acknowledge_case
from grievance.workflows.followup import committee_reply, resolve


class ReplyForm(FlaskForm):
    template = SelectField(_l("Reply"), choices=[], validate_choice=False)
    text = TextAreaField(_l("Or write your own message"), validators=[Optional(), Length(max=1000)])
    wait = BooleanField(_l("Wait for her answer (the resolve deadline stops until she replies)"))

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        if not self.template.data and not (self.text.data or "").strip():
            self.text.errors.append(_("Pick a reply or write one."))
            return False
        if self.template.data and self.template.data not in FOLLOWUP_TEMPLATES:
            self.template.errors.append(_("Pick a reply or write one."))
            return False
        return True


class ResolveForm(FlaskForm):
    outcome = TextAreaField(_l("What was done (the worker receives this)"),
                            validators=[DataRequired(), Length(max=300)])


def _reply_form(case: Case) -> ReplyForm:
    form = ReplyForm(prefix="reply")
    language = case.worker_language
    advisors = case.route == ROUTE_ADVISOR
    form.template.choices = [("", _("Write my own"))] + [
        (purpose, worker_text(purpose_for(purpose, advisors=advisors, named=False), language,
                              reference=case.reference))
        for purpose in FOLLOWUP_TEMPLATES
    ]
    return form


def _render_case(case: Case, reply_form=None, resolve_form=None, status=200):
    db.session.refresh(case)
    return render_template("case.html", case=case, form=ActionForm(), reply_form=reply_form or _reply_form(case),
                           resolve_form=resolve_form or ResolveForm(prefix="resolve"),
                           worker_name=_disclosed_name(case),
                           signed_as=signature(case.worker_language, advisors=case.route == ROUTE_ADVISOR)), status


def _disclosed_name(case: Case) -> str | None:
    """Her name, only where she agreed the committee may know it."""
    if case.anonymous or not case.name_encrypted:
        return None
    return vault().decrypt(case.name_encrypted)


@bp.get("/cases/<reference>")
def case(reference: str):
    return _render_case(_case_or_404(reference))


def _case_or_404(reference: str) -> Case:
    """The case, if this viewer may work it; otherwise a 404 that does not tell it exists."""
    found = current_viewer().visible_case(reference, FULL)
    if found is None or not current_viewer().may_act(found):
        abort(404)
    return found


@bp.post("/cases/<reference>/reply")
def reply(reference: str):
    """Write to the worker through the channel she used, in her language, signed by the committee
    (or the advisors, on their route)."""
    found = _case_or_404(reference)
    form = _reply_form(found)
    if not form.validate_on_submit():
        return _render_case(found, reply_form=form, status=400)
    committee_reply(db.session, found, current_user, utcnow(), template=form.template.data or None,
                              text=form.text.data, wait=form.wait.data)
    db.session.commit()  # the outbox sends it after this commit
    flash(_("Your reply to the worker is on its way."))
    return redirect(url_for("queue.case", reference=found.reference))


@bp.post("/cases/<reference>/resolve")
def resolve_case(reference: str):
    found = _case_or_404(reference)
    form = ResolveForm(prefix="resolve")
    if not form.validate_on_submit():
        return _render_case(found, resolve_form=form, status=400)
    if found.status in OPEN_STATUSES:
        asked = resolve(db.session, found, current_user, form.outcome.data, utcnow())
        db.session.commit()  # the outbox sends the outcome after this commit
        if asked is not None:
            flash(_("Case %(reference)s resolved. The worker is asked whether she is satisfied.",
                    reference=found.reference))
        else:  # another question of hers comes first; the rating waits behind it
            flash(_("Case %(reference)s resolved. The worker will be asked whether she is satisfied after she "
                    "answers the question she has now.", reference=found.reference))
    return redirect(url_for("queue.case", reference=found.reference))


@bp.get(f"/cases/<reference>/media/<{ROW_ID}:message_id>/<int(max=99):index>")
def media(reference: str, message_id: int, index: int):
    """A photo or document of the case, fetched from Twilio on demand and never stored here."""
    found = _case_or_404(reference)
    message = db.session.get(Message, message_id)
    if message is None or message.case_id != found.id or not message.media or index >= len(message.media):
        abort(404)
    try:
        fetched = fetch_media(message.media[index]["url"])
    except MediaUnavailable as error:
        return render_template("error.html", title=_("The attachment cannot be shown"), text=error.reason), \
            error.status
    response = Response(fetched.content, mimetype=fetched.content_type)
    disposition = "inline" if is_safe_inline(fetched.content_type) else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{found.reference}-{message_id}-{index}"'
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; media-src 'self'"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/cases/<reference>/acknowledge")
def acknowledge(reference: str):
    found = _case_or_404(reference)
    if not ActionForm().validate_on_submit():
        abort(400)
    if acknowledge_case(db.session, found, current_user, utcnow()):
        db.session.commit()
        flash(_("Case %(reference)s acknowledged.", reference=found.reference))
    return redirect(url_for("queue.case", reference=found.reference))
