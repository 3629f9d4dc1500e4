"""Where a worker's message goes once keywords are handled: a status request, an answer to the
question we asked, a reply on one of her cases, or a new complaint.

She may have several pending conversations (``registry``): the active one takes her answer;
the others wait, by priority, and the next one's question is sent when the one in front ends.

    kind        priority  expiry (from when asked)  on expiry
    pick_case   30        24 hours                  her message goes on her latest case
    intake      20        24 hours                  the case opens with the defaults
    rating      10        7 days                    the case closes unrated
    survey       5        3 days                    the questions left are recorded unanswered

A message naming a reference goes to that case; with one open case a message joins it; with
several, it joins the case we last wrote to her about (within a day), else she is asked which.

A message that names a grave category (forced or child labour, harassment, union) never
reaches the committee, wherever in the conversation it comes: it goes to her open case on the
advisors' route, or opens one; during an intake, it makes the intake's category grave; during
a survey, the survey waits and asks its question again after the acknowledgement.

A new kind (a survey, a reply to an announcement) is a module here that builds a
``registry.Kind`` (name, priority, expiry, ``answer``, ``expire``, ``resume``), calls
``registry.register`` at import, is imported below, and starts its conversations with
``registry.begin``; each of its functions calls ``registry.end`` when it is over.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from grievance.language.lexicon import find_reference, is_new_request, leading_answer, status_request
from grievance.models import Case, Conversation, Message, Worker
from grievance.models.case import ROUTE_ADVISOR
from grievance.models.conversation import ACTIVE
from grievance.privacy import PhoneVault
from grievance.workflows.conversations import intake, pick_case, rating, survey  # noqa: F401 (registers)
from grievance.workflows.conversations.joining import join
from grievance.workflows.conversations.registry import (KINDS, Reply, Turn, active, pending, replier, settle,
                                                        settle_where_asked)
from grievance.workflows.intake import (
    acknowledgement_purpose, acknowledgement_variables, grave_category, open_advisor_case, open_case, open_cases_here,
)
from grievance.workflows.status import status_text
from grievance.workflows.workers import lock_rows

__all__ = ["KINDS", "converse", "expire_conversations", "replier"]


def converse(session: Session, *, worker: Worker, message: Message, language: str, now: datetime,
             vault: PhoneVault, reply: Reply) -> list[Message]:
    """Her message, once keywords are handled: the replies it calls for (queued rows)."""
    turn = Turn(session=session, worker=worker, now=now, reply=reply, vault=vault)
    # Her conversations, read once: the active one (first) is what her message answers, unless
    # it expired; then it ends first and what took its place is read again.
    current = next(iter(pending(session, worker)), None)
    if current is not None and current.status == ACTIVE and current.expires_at <= now:
        replies = KINDS[current.kind].expire(turn, current)
        current = active(session, worker)
    else:
        replies = []
    if current is not None and current.status != ACTIVE:
        current = None
    replies += _route(turn, message, language, current)
    return replies + settle(turn)


def _route(turn: Turn, message: Message, language: str, conversation: Conversation | None) -> list[Message]:
    session, worker, text = turn.session, turn.worker, message.body_normalized or message.body
    asked, reference = status_request(text)
    if asked:
        return turn.reply("status", language, body=status_text(session, worker, reference, language))

    reference = find_reference(text)
    named = (session.scalar(select(Case).where(Case.worker_id == worker.id, Case.reference == reference))
             if reference else None)
    grave = grave_category(text)
    if grave is not None and (conversation is None or conversation.kind != intake.INTAKE):
        near = named or (session.get(Case, conversation.case_id)
                         if conversation is not None and conversation.case_id is not None else None)
        if near is None or near.route != ROUTE_ADVISOR:
            return _to_advisors(turn, conversation, message, grave, language, near)
    if named is not None and conversation is None:
        return join(session, named, message, language, turn.now, turn.reply)
    if conversation is not None:
        return KINDS[conversation.kind].answer(turn, conversation, message)
    if (thanked := survey.after_cancel(turn, message, language)) is not None:
        return thanked

    cases = open_cases_here(session, worker, message.endpoint)
    if is_new_request(text) or not cases:
        return intake.start(turn, message, language)
    return pick_case.to_open_case(turn, message, cases, language)


def _to_advisors(turn: Turn, conversation: Conversation | None, message: Message, category: str,
                 language: str, near: Case | None) -> list[Message]:
    """A grave message outside an intake: to her open advisors' case, or a new one at once
    (anonymous, as a first message naming its category would open it). A question we were
    waiting for her to answer (which case, a rating) is answered if the message starts with
    the answer, and otherwise still waits; none of her words reach the committee's case."""
    session, replies = turn.session, []
    if conversation is not None and conversation.kind == rating.RATING:
        said, _words = leading_answer(message.body_normalized or message.body)
        if said is not None:
            replies += rating.take(turn, conversation, said)
    if conversation is not None and conversation.kind == survey.SURVEY:
        survey.interrupted(turn, conversation)  # its question comes again after the acknowledgement
    existing = open_advisor_case(session, turn.worker)
    if existing is not None:
        return replies + join(session, existing, message, language, turn.now, turn.reply)
    factory = message.endpoint.factory or (near.factory if near is not None else None)
    case = open_case(session, worker=turn.worker, endpoint=message.endpoint, factory=factory, language=language,
                     now=turn.now, category=category, message_ids=[message.id])
    return replies + turn.reply(acknowledgement_purpose(case), language, case=case,
                                **acknowledgement_variables(case, language))


def expire_conversations(session: Session, now: datetime) -> list[Message]:
    """The periodic round: finish what workers left unanswered, then ask each of them what waited
    behind it; returns the replies queued."""
    replies: list[Message] = []
    due = session.execute(select(Conversation.id, Conversation.worker_id).where(
        Conversation.status == ACTIVE, Conversation.expires_at <= now).order_by(Conversation.id)).all()
    # Their rows locked first, as their messages lock them, all at once in the order a batch of
    # messages takes them: one of her messages being processed now may have answered or expired
    # her conversation already.
    workers = lock_rows(session, [worker_id for _conversation, worker_id in due])
    for conversation_id, worker_id in due:
        worker = workers[worker_id]
        conversation = session.scalar(select(Conversation).where(
            Conversation.id == conversation_id, Conversation.status == ACTIVE, Conversation.expires_at <= now)
            .execution_options(populate_existing=True))
        if conversation is None:
            continue
        turn = Turn(session=session, worker=worker, now=now,
                    reply=replier(session, worker, conversation.endpoint, conversation.provider, now))
        replies += KINDS[conversation.kind].expire(turn, conversation)
        replies += settle_where_asked(turn)
    return replies
