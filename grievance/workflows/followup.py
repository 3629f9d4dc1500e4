"""The committee writes to the worker; a case is resolved, and she is asked to rate it
(``conversations/rating.py``: what her answer, or her silence, does to the case)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from grievance.access import Viewer
from grievance.i18n.worker import purpose_for, signed_text, worker_text
from grievance.models import Case, CaseNote, CaseView, ChannelEndpoint, Conversation, Message, User
from grievance.models.case import CLOSED, REOPENED, RESOLVED, ROUTE_ADVISOR
from grievance.models.message import INBOUND
from grievance.workflows.conversations import rating, replier
from grievance.workflows.conversations.registry import Turn, end
from grievance.workflows.deadlines import acknowledge, resume_clock, schedule, set_deadlines, wait_for_worker
from grievance.workflows.events import record
from grievance.workflows.intake import acknowledgement_variables
from grievance.workflows.outbox import queue_reply
from grievance.workflows.routing import ADVISOR_CATEGORIES


def _last_inbound(session: Session, case: Case) -> Message | None:
    return session.scalar(
        select(Message).where(Message.case_id == case.id, Message.direction == INBOUND)
        .order_by(Message.id.desc()).limit(1)
    )


def _reply_channel(session: Session, case: Case) -> tuple[ChannelEndpoint, str]:
    """The number and provider she last used for this case: she is answered where she wrote."""
    last = _last_inbound(session, case)
    return last.endpoint, last.provider


def signed(case: Case, text: str, language: str) -> str:
    """Replies are signed by the committee (or the advisors), never by a person."""
    return signed_text(text, language, advisors=case.route == ROUTE_ADVISOR)


def committee_reply(session: Session, case: Case, actor: User, now: datetime, *, template: str | None = None,
                    text: str | None = None, wait: bool = False) -> Message:
    """A reply from the case page: a translated template, or free text sent as written.

    Writing to her acknowledges a new case; ``wait`` stops the resolve clock until she answers.
    """
    language = case.worker_language
    if template:  # in the wording of the case's route: the advisors' replies do not name the committee
        template = purpose_for(template, advisors=case.route == ROUTE_ADVISOR, named=False)
    body = worker_text(template, language, reference=case.reference) if template else text.strip()
    endpoint, provider = _reply_channel(session, case)
    reply = queue_reply(session, worker=case.worker, endpoint=endpoint, provider=provider,
                        purpose=template or "committee_text", language=language, now=now, case=case,
                        body=signed(case, body, language), reference=case.reference)
    record(session, case, "committee_reply", now, actor_user_id=actor.id, message_id=reply.id,
           template=template)
    acknowledge(session, case, actor, now)
    case.worker_replied_at = None  # answered: the queue's "worker replied" marker goes
    if wait:
        wait_for_worker(session, case, actor, now)
    return reply


def resolve(session: Session, case: Case, actor: User, outcome: str, now: datetime,
            outcome_code: str | None = None) -> Message | None:
    """Tell her the outcome and ask whether she is satisfied (1/2 in any script): now, or, when
    she is answering another question (an intake, an earlier case's rating), once that ends.
    Returns the question queued now, if it is."""
    acknowledge(session, case, actor, now)  # resolving answers her, so it acknowledges too
    resume_clock(session, case, now)  # resolved while waiting for her: the pause does not count
    case.status, case.outcome, case.resolved_at = RESOLVED, outcome.strip(), now
    case.outcome_code, case.worker_replied_at = outcome_code, None
    schedule(case)
    record(session, case, "resolved", now, actor_user_id=actor.id, outcome_code=outcome_code,
           in_time=case.resolve_by is None or now <= case.resolve_by)
    endpoint, provider = _reply_channel(session, case)
    turn = Turn(session=session, worker=case.worker, now=now,
                reply=replier(session, case.worker, endpoint, provider, now))
    asked = rating.ask(turn, case, endpoint, provider, case.worker_language)
    return asked[0] if asked else None


# -- who works it ----------------------------------------------------------------------------

def assign(session: Session, case: Case, actor: User, assignee: User, now: datetime) -> bool:
    """Give the case to ``assignee`` (``actor`` herself: she takes it). Only someone who may
    work this very case can be given it; False (nothing changes) otherwise."""
    from grievance.access import Viewer

    if not Viewer.for_user(assignee).may_act(case):
        return False
    if case.assignee_id == assignee.id:
        return True
    previous = case.assignee_id
    case.assignee_id = assignee.id
    record(session, case, "taken" if assignee.id == actor.id else "assigned", now, actor_user_id=actor.id,
           to=assignee.id, previous=previous)
    return True


# -- notes, and who read her words ------------------------------------------------------------

def add_note(session: Session, case: Case, actor: User, body: str, now: datetime) -> CaseNote:
    """An internal note: for the people working the case, never sent, never in a text to her."""
    note = CaseNote(case_id=case.id, author_user_id=actor.id, body=body.strip(), created_at=now)
    session.add(note)
    session.flush()
    record(session, case, "note_added", now, actor_user_id=actor.id, note_id=note.id)
    return note


def set_followup_note(session: Session, case: Case, actor: User, note: str | None, now: datetime) -> bool:
    """The committee's short note for buyers (read on their follow-up log); empty clears it. The
    event says that it changed, never what it says. Returns whether it changed."""
    note = (note or "").strip() or None
    if note == case.followup_note:
        return False
    case.followup_note, case.followup_note_at = note, now
    record(session, case, "followup_note", now, actor_user_id=actor.id)
    return True


def record_view(session: Session, case: Case, viewer: User, what: str, now: datetime) -> None:
    """Every time a person sees her messages or an attachment: there is no switch to stop it."""
    session.add(CaseView(case_id=case.id, user_id=viewer.id, at=now, what=what))


# -- category, reopening ----------------------------------------------------------------------

def change_category(session: Session, case: Case, actor: User, category: str, now: datetime) -> bool:
    """A new category. A grave one moves the case to the advisors at once: the factory's people
    lose it (page, queue, counts, notifications: they all read the route), and she is told
    that the advisors, not the factory, now handle it and by when they answer. A case on the
    advisors' route stays there whatever its category becomes: only a new case would go to
    the factory, never one she told the advisors. Returns whether the case moved to the advisors."""
    if category == case.category:
        return False
    previous, moved = case.category, False
    case.category = category
    if category in ADVISOR_CATEGORIES and case.route != ROUTE_ADVISOR:
        case.route, moved = ROUTE_ADVISOR, True
        case.escalation_level = 0  # with the advisors now: their chain starts at its first level
        # Their own terms (a day to acknowledge forced labour, not the committee's days), counted
        # from now, when it reaches them; they acknowledge it themselves.
        set_deadlines(session, case, now)
        if case.assignee is not None and not Viewer.for_user(case.assignee).may_act(case):
            case.assignee_id = None  # a committee member who took it can no longer see it
        # She was told the committee would answer by a date: now the advisors will, by theirs.
        endpoint, provider = _reply_channel(session, case)
        language = case.worker_language
        queue_reply(session, worker=case.worker, endpoint=endpoint, provider=provider, purpose="moved_to_advisors",
                    language=language, now=now, case=case, **acknowledgement_variables(case, language))
    record(session, case, "category_changed", now, actor_user_id=actor.id, **{"from": previous, "to": category},
           route=case.route)
    return moved


def reopen(session: Session, case: Case, actor: User, now: datetime) -> bool:
    """A resolved or closed case is open again, with deadlines counted from now. A rating
    still waiting for her answer ends: her 1 would close a case that is open again."""
    if case.status not in (RESOLVED, CLOSED):
        return False
    endpoint, provider = _reply_channel(session, case)
    turn = Turn(session=session, worker=case.worker, now=now,
                reply=replier(session, case.worker, endpoint, provider, now))
    for waiting in session.scalars(select(Conversation).where(Conversation.kind == rating.RATING,
                                                              Conversation.case_id == case.id)):
        end(turn, waiting)
    case.status, case.reopen_count = REOPENED, case.reopen_count + 1
    case.resolved_at = case.closed_at = case.satisfied = None
    set_deadlines(session, case, now)
    record(session, case, "reopened_by_person", now, actor_user_id=actor.id, reopen_count=case.reopen_count)
    # She was told it is resolved (and maybe asked to rate it): she is told it is open again,
    # and by when she hears back, so her next "1" is not taken for a rating that has ended.
    language = case.worker_language
    turn.reply("reopened", language, case=case, **acknowledgement_variables(case, language))
    return True
