"""The committee writes to the worker; a case is resolved, and she is asked to rate it
(``conversations/rating.py``: what her answer, or her silence, does to the case)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from grievance.i18n.worker import purpose_for, signed_text, worker_text
from grievance.models import Case, ChannelEndpoint, Message, User
from grievance.models.case import RESOLVED, ROUTE_ADVISOR
from grievance.models.message import INBOUND
from grievance.workflows.conversations import rating, replier
from grievance.workflows.conversations.registry import Turn
from grievance.workflows.deadlines import acknowledge, resume_clock, schedule, wait_for_worker
from grievance.workflows.events import record
from grievance.workflows.outbox import queue_reply


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


def resolve(session: Session, case: Case, actor: User, outcome: str, now: datetime) -> Message | None:
    """Tell her the outcome and ask whether she is satisfied (1/2 in any script): now, or, when
    she is answering another question (an intake, an earlier case's rating), once that ends.
    Returns the question queued now, if it is."""
    acknowledge(session, case, actor, now)  # resolving answers her, so it acknowledges too
    resume_clock(session, case, now)  # resolved while waiting for her: the pause does not count
    case.status, case.outcome, case.resolved_at = RESOLVED, outcome.strip(), now
    case.worker_replied_at = None
    schedule(case)
    record(session, case, "resolved", now, actor_user_id=actor.id,
           in_time=case.resolve_by is None or now <= case.resolve_by)
    endpoint, provider = _reply_channel(session, case)
    turn = Turn(session=session, worker=case.worker, now=now,
                reply=replier(session, case.worker, endpoint, provider, now))
    asked = rating.ask(turn, case, endpoint, provider, case.worker_language)
    return asked[0] if asked else None
