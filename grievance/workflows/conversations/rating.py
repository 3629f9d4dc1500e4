"""Is she satisfied with the outcome? One rating per resolved case, asked once nothing is in front.

    resolved ──(1 yes)──► closed (satisfied)
        │ ──(2 no)───► reopened, new deadline, counted
        └─(no answer RATING_WAIT after it was asked)──► closed (no rating)

A rating belongs to its case and is never dropped: a message that is no answer is asked again
once; after that it goes to her open case (as with no question pending: her only one, the one
last written about, or she is asked which), or, with none open, on the rated case, while the
rating still waits for her 1 or 2; a new complaint
puts it behind the intake, and its question comes again after the acknowledgement. Several
ratings are asked one after the other, the first resolved case first.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from grievance.language.lexicon import find_reference, is_new_request, leading_answer
from grievance.models import Case, ChannelEndpoint, Conversation, Message
from grievance.models.case import CLOSED, REOPENED, RESOLVED
from grievance.workflows.conversations import intake, pick_case
from grievance.workflows.attaching import attach
from grievance.workflows.conversations.joining import join
from grievance.workflows.conversations.registry import Kind, Turn, begin, end, register
from grievance.workflows.deadlines import schedule, set_deadlines
from grievance.workflows.events import record
from grievance.workflows.intake import acknowledgement_variables, open_cases_here

RATING = "rating"
RATING_WAIT = timedelta(days=7)


def ask(turn: Turn, case: Case, endpoint: ChannelEndpoint, provider: str, language: str) -> list[Message]:
    """The case is resolved: its rating is asked now, or after what is in front of it."""
    session = turn.session
    for stale in session.scalars(select(Conversation).where(Conversation.kind == RATING,
                                                            Conversation.case_id == case.id)):
        end(turn, stale)  # resolved again: the new outcome is the one she rates
    return begin(turn, Conversation(worker_id=case.worker_id, kind=RATING, step="rating", data={}, case_id=case.id,
                                    endpoint=endpoint, provider=provider, language=language,
                                    updated_at=turn.now, expires_at=turn.now + RATING_WAIT))


def resume(turn: Turn, conversation: Conversation) -> list[Message]:
    case = turn.session.get(Case, conversation.case_id)
    return turn.reply("outcome", conversation.language, case=case, reference=case.reference,
                      outcome=case.outcome or "")


def answer(turn: Turn, conversation: Conversation, message: Message) -> list[Message]:
    session, text = turn.session, message.body_normalized or message.body
    case = session.get(Case, conversation.case_id)
    said, words = leading_answer(text)
    if said is None:
        return _not_an_answer(turn, conversation, message, case)
    attach(session, case, message, turn.now, words=False)
    replies = take(turn, conversation, said)
    if words:  # "tidak, pintunya masih dikunci": the answer is taken and her words are on the case
        attach(session, case, message, turn.now)
    return replies


def _not_an_answer(turn: Turn, conversation: Conversation, message: Message, case: Case) -> list[Message]:
    text, language = message.body_normalized or message.body, conversation.language
    if is_new_request(text):  # the intake speaks first; this rating waits behind it
        return intake.start(turn, message, message.language or language)
    reference = find_reference(text)
    named = (turn.session.scalar(select(Case).where(Case.worker_id == case.worker_id, Case.reference == reference))
             if reference else None)
    if named is not None and named.id != case.id:  # about another of her cases: it goes there
        return join(turn.session, named, message, language, turn.now, turn.reply)
    if conversation.retries == 0:
        attach(turn.session, case, message, turn.now, words=False)
        conversation.retries = 1
        return resume(turn, conversation)
    others = [other for other in open_cases_here(turn.session, turn.worker, message.endpoint) if other.id != case.id]
    if others:  # about a case still open, where the committee works: the rating keeps waiting
        return pick_case.to_open_case(turn, message, others, language)
    attach(turn.session, case, message, turn.now)  # about this case: the committee sees it
    return turn.reply("added_to_case", language, case=case, reference=case.reference)


def take(turn: Turn, conversation: Conversation, satisfied: bool) -> list[Message]:
    """Her 1 or 2: the case closes or reopens, and the rating is over."""
    case = turn.session.get(Case, conversation.case_id)
    purpose, variables = rate(turn.session, case, satisfied, turn.now, conversation.language)
    end(turn, conversation)
    return turn.reply(purpose, conversation.language, case=case, **variables)


def expire(turn: Turn, conversation: Conversation) -> list[Message]:
    """No answer a week after it was asked: the case closes unrated."""
    close_unrated(turn.session, turn.session.get(Case, conversation.case_id), turn.now)
    end(turn, conversation)
    return []


def rate(session: Session, case: Case, satisfied: bool, now: datetime, language: str) -> tuple[str, dict]:
    """Her answer: satisfied closes the case; not satisfied reopens it with a new deadline."""
    case.satisfied = satisfied
    if satisfied:
        case.status, case.closed_at = CLOSED, now
        schedule(case)
        record(session, case, "closed", now, satisfied=True)
        return "satisfied_thanks", {"reference": case.reference}
    case.status, case.reopen_count = REOPENED, case.reopen_count + 1
    set_deadlines(session, case, now)
    case.resolved_at = None
    record(session, case, "reopened", now, satisfied=False, reopen_count=case.reopen_count)
    return "reopened", acknowledgement_variables(case, language)


def close_unrated(session: Session, case: Case, now: datetime) -> None:
    if case.status == RESOLVED:
        case.status, case.closed_at = CLOSED, now
        schedule(case)
        record(session, case, "closed", now, satisfied=None)


register(Kind(name=RATING, priority=10, expiry=RATING_WAIT, answer=answer, expire=expire, resume=resume))
