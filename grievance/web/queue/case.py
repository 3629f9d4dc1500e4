"""The case page and its actions: acknowledge, take or assign, reply, note, change the category,
resolve (with a confirmation), reopen; her attachments. Every view of her words is logged.

Every action form carries the case's version: an action on a page that is out of date sends
nothing and the page comes back (409) saying what changed, with what was typed."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import selectinload

from grievance.access import FULL, Viewer, current_viewer
from grievance.access.roles import COUNTRY_ROLES, PICC
from grievance.channels.twilio.media import MediaUnavailable, fetch_media, is_safe_inline
from grievance.extensions import db
from grievance.i18n.worker import N_, purpose_for, signature, worker_text
from grievance.models import Case, CaseNote, CaseView, Membership, Message, User
from grievance.models.base import utcnow
from grievance.models.case import OPEN_STATUSES, ROUTE_ADVISOR, ROUTE_PICC
from grievance.models.casework import VIEWED_MEDIA, VIEWED_MESSAGES
from grievance.models.message import INBOUND
from grievance.privacy import vault
from grievance.web import ROW_ID
from grievance.web.forms import ActionForm
from grievance.web.queue.blueprint import bp
from grievance.web.queue.forms import (REPLY_MAX_CHARS, AssignForm, CategoryForm, NoteForm, ResolveForm,
                                      chosen_reply, cost_templates, followup_note_form, reply_form)
from grievance.workflows.outbox import gave_her_name
from grievance.workflows.deadlines import acknowledge as acknowledge_case
from grievance.workflows.followup import (add_note, assign, change_category, committee_reply, record_view, reopen,
                                          resolve, set_followup_note)
from grievance.workflows.workers import lock_rows

READ_LOG_SHOWN = 200
ASSIGN_CANDIDATES_MAX = 500  # a select longer than this is no use on a phone


def _forms(case: Case, given: dict) -> dict:
    forms = {"form": ActionForm(), "reply_form": reply_form(case), "resolve_form": ResolveForm(prefix="resolve"),
             "note_form": NoteForm(prefix="note"), "category_form": CategoryForm(prefix="category"),
             "assign_form": AssignForm(prefix="assign"), "followup_form": None}
    if case.route == ROUTE_PICC:  # buyers read notes of committee cases only
        forms["followup_form"] = followup_note_form(case)
        forms["followup_form"].note.data = case.followup_note
    forms.update(given)
    if "category_form" not in given:
        forms["category_form"].category.data = case.category
    forms["assign_form"].member.choices = [(str(user.id), user.name) for user in _workers_of(case)]
    return forms


def _workers_of(case: Case) -> list[User]:
    """Who may be given this case: those who may work this very case (the factory's PICC
    members on a committee case; the advisors of its factory or country), chosen by scope in
    SQL, then each confirmed by the Viewer itself."""
    scoped = [and_(Membership.role.in_(COUNTRY_ROLES),
                   or_(Membership.factory_id == case.factory_id,
                       and_(Membership.factory_id.is_(None), Membership.country_code == case.country_code)))]
    if case.route != ROUTE_ADVISOR and case.factory_id is not None:
        scoped.append(and_(Membership.role == PICC, Membership.factory_id == case.factory_id))
    candidates = db.session.scalars(
        select(User).where(User.active.is_(True), User.id.in_(select(Membership.user_id).where(or_(*scoped))))
        .options(selectinload(User.memberships)).order_by(User.name).limit(ASSIGN_CANDIDATES_MAX)
    ).unique().all()
    return [user for user in candidates if Viewer.for_user(user).may_act(case)]


def _other_cases(case: Case) -> list[Case]:
    return db.session.scalars(
        select(Case).where(current_viewer().case_rows(FULL), Case.worker_id == case.worker_id, Case.id != case.id)
        .order_by(Case.id.desc()).limit(20)).all()


def _render_case(case: Case, status: int = 200, **given):
    db.session.refresh(case)
    viewer = current_viewer()
    notes = db.session.scalars(select(CaseNote).where(CaseNote.case_id == case.id).order_by(CaseNote.id)).all()
    read_log = (db.session.scalars(select(CaseView).where(CaseView.case_id == case.id)
                                   .order_by(CaseView.at.desc(), CaseView.id.desc()).limit(READ_LOG_SHOWN)).all()
                if viewer.sees_read_log else None)
    actors = {user.id: user.name for user in db.session.scalars(
        select(User).where(User.id.in_({event.actor_user_id for event in case.events if event.actor_user_id})))}
    if status == 200 or given.get("stale"):  # she is shown her words: recorded, always
        record_view(db.session, case, current_user, VIEWED_MESSAGES, utcnow())
        db.session.commit()
    return render_template(
        "case.html", case=case, notes=notes, read_log=read_log, actors=actors, other_cases=_other_cases(case),
        worker_name=_disclosed_name(case), newest_inbound=_newest_inbound(case),
        reply_limit=REPLY_MAX_CHARS, cost_templates=cost_templates(), signed_as=signature(case.worker_language, advisors=case.route == ROUTE_ADVISOR),
        **_forms(case, given)), status


def _newest_inbound(case: Case) -> int | None:
    ids = [message.id for message in case.messages if message.direction == INBOUND]
    return ids[-1] if ids else None


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
    if request.method == "POST":
        # An action takes her row first, as her messages' processing does, then reads the case
        # again: a message of hers being processed now is waited for and then seen (the page
        # says she wrote again), and the two never wait for each other, one holding the case
        # and the other her row, until the database gives one of them up.
        lock_rows(db.session, [found.worker_id])
        db.session.refresh(found)
    return found


def _changes_since(case: Case) -> list[str] | None:
    """What changed since the page the person acted on was rendered (None: nothing)."""
    if not request.form.get("version"):  # every form of the page carries it: without it, it is stale
        return [_("The page you acted on did not say which version of the case it showed.")]
    try:
        version = int(request.form["version"])
        seen_message = int(request.form.get("seen_message", "0") or 0)
    except ValueError:
        abort(400)
    newer = [message for message in case.messages if message.id > seen_message]
    if version == case.version and not newer:
        return None
    changes = []
    if any(message.direction == INBOUND for message in newer):
        changes.append(_("She wrote again."))
    if any(message.direction != INBOUND for message in newer):
        changes.append(_("Someone wrote to her."))
    if request.form.get("seen_status") and request.form["seen_status"] != case.status:
        changes.append(_("The status changed."))
    if not changes:
        changes.append(_("Someone else changed the case."))
    return changes


def _stale_or_none(found: Case, **given):
    """The 409 page when the form is older than the case, else None (go ahead)."""
    changes = _changes_since(found)
    if changes is None:
        return None
    return _render_case(found, status=409, stale=changes, **given)


def _back(case: Case, anchor: str):
    return redirect(url_for("queue.case", reference=case.reference, _anchor=anchor))


def _button(reference: str, act, done: str) -> Response:
    """A one-button action (acknowledge, take, reopen): checked, done, committed, said, and back
    where she pressed it. ``act(case)`` says whether it did anything; ``done`` is said if so."""
    found = _case_or_404(reference)
    if not ActionForm().validate_on_submit():
        abort(400)
    stale = _stale_or_none(found)
    if stale:
        return stale
    if act(found):
        db.session.commit()
        flash(_(done, reference=found.reference))
    return _back(found, "actions")


@bp.post("/cases/<reference>/reply")
def reply(reference: str):
    """Write to the worker through the channel she used, in her language, signed by the committee
    (or the advisors, on their route)."""
    found = _case_or_404(reference)
    form = reply_form(found)
    if not form.validate_on_submit():
        return _render_case(found, reply_form=form, status=400)
    stale = _stale_or_none(found, reply_form=form)
    if stale:
        return stale
    template, text = chosen_reply(form)
    written = committee_reply(db.session, found, current_user, utcnow(), template=template, text=text,
                              wait=form.wait.data)
    db.session.commit()  # the outbox sends it after this commit
    flash(_("Your reply to the worker is on its way."))
    return _back(found, f"message-{written.id}" if written is not None else "thread-end")


@bp.post("/cases/<reference>/resolve")
def resolve_case(reference: str):
    """Resolving tells her the outcome: the page first shows what she will receive, and sends
    only once that is confirmed (a checkbox on a second page; no script needed)."""
    found = _case_or_404(reference)
    form = ResolveForm(prefix="resolve")
    if found.status not in OPEN_STATUSES:
        return _back(found, "outcome")
    if not form.validate_on_submit():
        return _render_case(found, resolve_form=form, status=400)
    stale = _stale_or_none(found, resolve_form=form)
    if stale:
        return stale
    if not form.confirm.data:
        purpose = purpose_for("outcome", advisors=found.route == ROUTE_ADVISOR, named=gave_her_name(found))
        preview = worker_text(purpose, found.worker_language, reference=found.reference,
                              outcome=form.outcome.data.strip())
        return _render_case(found, resolve_form=form, confirming=preview)
    asked = resolve(db.session, found, current_user, form.outcome.data, utcnow(), outcome_code=form.outcome_code.data)
    db.session.commit()  # the outbox sends the outcome after this commit
    if asked is not None:
        flash(_("Case %(reference)s resolved. The worker is asked whether she is satisfied.",
                reference=found.reference))
    else:  # another question of hers comes first; the rating waits behind it
        flash(_("Case %(reference)s resolved. The worker will be asked whether she is satisfied after she "
                "answers the question she has now.", reference=found.reference))
    return _back(found, "outcome")


@bp.post("/cases/<reference>/reopen")
def reopen_case(reference: str):
    return _button(reference, lambda found: reopen(db.session, found, current_user, utcnow()),
                   N_("Case %(reference)s is open again, with new deadlines."))


@bp.post("/cases/<reference>/note")
def note(reference: str):
    """An internal note: never sent to her."""
    found = _case_or_404(reference)
    form = NoteForm(prefix="note")
    if not form.validate_on_submit():
        return _render_case(found, note_form=form, status=400)
    stale = _stale_or_none(found, note_form=form)
    if stale:
        return stale
    written = add_note(db.session, found, current_user, form.body.data, utcnow())
    db.session.commit()
    flash(_("Internal note saved. It is never sent to the worker."))
    return _back(found, f"note-{written.id}")


@bp.post("/cases/<reference>/followup")
def followup_note(reference: str):
    """The note buyers read on the follow-up log; committee cases only (advisor cases never
    reach buyers as anything but a count)."""
    found = _case_or_404(reference)
    if found.route != ROUTE_PICC:
        abort(404)
    form = followup_note_form(found)
    if not form.validate_on_submit():
        return _render_case(found, followup_form=form, status=400)
    stale = _stale_or_none(found, followup_form=form)
    if stale:
        return stale
    if set_followup_note(db.session, found, current_user, form.note.data, utcnow()):
        db.session.commit()
        flash(_("Follow-up note for buyers saved."))
    return _back(found, "followup")


@bp.post("/cases/<reference>/category")
def category(reference: str):
    found = _case_or_404(reference)
    form = CategoryForm(prefix="category")
    if not form.validate_on_submit():
        return _render_case(found, category_form=form, status=400)
    stale = _stale_or_none(found, category_form=form)
    if stale:
        return stale
    moved = change_category(db.session, found, current_user, form.category.data, utcnow())
    db.session.commit()
    if moved:
        flash(_("Case %(reference)s is now with the programme advisors; the factory no longer sees it.",
                reference=found.reference))
    else:
        flash(_("Category changed."))
    if not current_viewer().may_act(found):  # moved out of her sight: back to her queue
        return redirect(url_for("queue.index"))
    return _back(found, "facts")


@bp.post("/cases/<reference>/take")
def take(reference: str):
    def take_it(found: Case) -> bool:
        assign(db.session, found, current_user, current_user, utcnow())
        return True

    return _button(reference, take_it, N_("You work on case %(reference)s."))


@bp.post("/cases/<reference>/assign")
def assign_case(reference: str):
    found = _case_or_404(reference)
    form = AssignForm(prefix="assign")
    form.member.choices = [(str(user.id), user.name) for user in _workers_of(found)]
    if not form.validate_on_submit():
        return _render_case(found, assign_form=form, status=400)
    stale = _stale_or_none(found, assign_form=form)
    if stale:
        return stale
    member = db.session.get(User, int(form.member.data))
    if member is None or not assign(db.session, found, current_user, member, utcnow()):
        form.member.errors.append(_("This person cannot work this case."))
        return _render_case(found, assign_form=form, status=400)
    db.session.commit()
    flash(_("Case %(reference)s is now with %(name)s.", reference=found.reference, name=member.name))
    return _back(found, "actions")


@bp.get(f"/cases/<reference>/media/<{ROW_ID}:message_id>/<int(max=99):index>")
def media(reference: str, message_id: int, index: int):
    """A photo or document of the case, fetched from Twilio on demand and never stored here."""
    found = _case_or_404(reference)
    message = db.session.get(Message, message_id)
    if message is None or message.case_id != found.id or not message.media or index >= len(message.media):
        abort(404)
    record_view(db.session, found, current_user, VIEWED_MEDIA, utcnow())
    db.session.commit()  # recorded even when Twilio cannot give it: she asked to see it
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
    return _button(reference, lambda found: acknowledge_case(db.session, found, current_user, utcnow()),
                   N_("Case %(reference)s acknowledged."))

