"""Where a worker's message goes once keywords are handled: a status request, an answer to the
question we asked, a reply on one of her cases, or a new complaint.

A worker can have several open cases. A message naming a reference goes to that case; an
answer goes to the conversation waiting for it; with one open case a message joins it; with
several, it joins the case we last wrote to her about (within a day), else she is asked which.

A message that names a grave category (forced or child labour, harassment, union) never
reaches the committee, wherever in the conversation it comes: it goes to her open case on the
advisors' route, or opens one; during an intake, it makes the intake's category grave.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from grievance.language.lexicon import find_reference, is_new_request, leading_answer, status_request, NEW_WORDS
from grievance.language.normalize import read_number
from grievance.i18n.worker import worker_text
from grievance.models import Case, Conversation, Message, Worker
from grievance.models.case import ROUTE_ADVISOR
from grievance.models.message import OUTBOUND
from grievance.privacy import PhoneVault
from grievance.workflows import followup, intake
from grievance.workflows.deadlines import worker_replied
from grievance.workflows.events import record
from grievance.workflows.status import status_text

Reply = Callable[..., list[Message]]
RECENT_THREAD = timedelta(hours=24)
PICK_EXPIRY = timedelta(hours=24)


def converse(session: Session, *, worker: Worker, message: Message, language: str, now: datetime,
             vault: PhoneVault, reply: Reply) -> list[Message]:
    text = message.body_normalized or message.body
    replies: list[Message] = []
    conversation = session.scalar(select(Conversation).where(Conversation.worker_id == worker.id))
    if conversation is not None and conversation.expires_at <= now:
        replies += expire(session, conversation, worker, now, reply)
        conversation = None

    asked, reference = status_request(text)
    if asked:
        return replies + reply("status", language, body=status_text(session, worker, reference, language))

    reference = find_reference(text)
    named = (session.scalar(select(Case).where(Case.worker_id == worker.id, Case.reference == reference))
             if reference else None)
    grave = intake.grave_category(text)
    if grave is not None and (conversation is None or conversation.kind != "intake"):
        near = named or (session.get(Case, conversation.case_id) if conversation is not None else None)
        if near is None or near.route != ROUTE_ADVISOR:
            return replies + _to_advisors(session, conversation, worker, message, grave, language, now, reply, near)
    if named is not None and conversation is None:
        return replies + _join(session, named, message, language, now, reply)

    if conversation is not None:
        handler = {"intake": _intake_answer, "pick_case": _pick_answer, "satisfaction": _rating}[conversation.kind]
        return replies + handler(session, conversation, worker, message, now, vault, reply)

    cases = intake.open_cases(session, worker)
    if is_new_request(text) or not cases:
        conversation = intake.start_intake(session, worker=worker, message=message, language=language, now=now)
        return replies + _ask_or_finish(session, conversation, worker, now, reply)
    if len(cases) == 1:
        return replies + _join(session, cases[0], message, language, now, reply)
    recent = _recently_written_case(session, worker, now)
    if recent is not None:
        return replies + _join(session, recent, message, language, now, reply)
    return replies + _ask_which_case(session, worker, message, cases, language, now, reply)


def _join(session, case: Case, message: Message, language: str, now: datetime, reply: Reply) -> list[Message]:
    message.case_id = case.id
    _worker_wrote(session, case, message.id, now)
    return reply("added_to_case", language, case=case, reference=case.reference)


def _to_advisors(session, conversation: Conversation | None, worker: Worker, message: Message, category: str,
                 language: str, now: datetime, reply: Reply, near: Case | None) -> list[Message]:
    """A grave message outside an intake: to her open advisors' case, or a new one at once
    (anonymous, as a first message naming its category would open it). A question we were
    waiting for her to answer (which case, a rating) is answered if the message starts with
    the answer, and otherwise still waits; none of her words reach the committee's case."""
    replies: list[Message] = []
    if conversation is not None and conversation.kind == "satisfaction":
        said, _words = leading_answer(message.body_normalized or message.body)
        if said is not None:
            rated = session.get(Case, conversation.case_id)
            session.delete(conversation)
            purpose, variables = followup.rate(session, rated, said, now)
            replies += reply(purpose, conversation.language, case=rated, **variables)
    existing = intake.open_advisor_case(session, worker)
    if existing is not None:
        return replies + _join(session, existing, message, language, now, reply)
    factory = message.endpoint.factory or (near.factory if near is not None else None)
    case = intake.open_case(session, worker=worker, endpoint=message.endpoint, factory=factory, language=language,
                            now=now, category=category, message_ids=[message.id])
    return replies + reply(intake.acknowledgement_purpose(case), language, case=case,
                           **intake.acknowledgement_variables(case, language))


def _worker_wrote(session: Session, case: Case, message_id: int, now: datetime) -> None:
    """Her message joins the case; if the committee was waiting for it, its clock runs again."""
    record(session, case, "worker_message", now, message_id=message_id)
    worker_replied(session, case, now)


def _recently_written_case(session: Session, worker: Worker, now: datetime) -> Case | None:
    last = session.scalar(
        select(Message).where(Message.worker_id == worker.id, Message.direction == OUTBOUND,
                              Message.case_id.is_not(None), Message.created_at >= now - RECENT_THREAD)
        .order_by(Message.id.desc()).limit(1)
    )
    return session.get(Case, last.case_id) if last is not None else None


def _question(session: Session, conversation: Conversation, step: str) -> tuple[str, dict]:
    if step == "factory":
        factories = intake.country_factories(session, conversation.endpoint.country_code)
        choices = ", ".join(f"{i} {f.name} ({f.code})" for i, f in enumerate(factories, start=1))
        return "ask_factory", {"choices": choices}
    if step == "anonymity" and intake.likely_route(session, conversation) == ROUTE_ADVISOR:
        return "ask_anonymity_programme", {}  # the advisors, not the committee, would know it
    return f"ask_{step}", {}


def _ask_or_finish(session, conversation: Conversation, worker: Worker, now: datetime, reply: Reply,
                   prefix: str | None = None) -> list[Message]:
    step = intake.next_step(conversation)
    if step is None:
        case = intake.finish(session, conversation, worker, now)
        language = conversation.language
        return reply(intake.acknowledgement_purpose(case), language, case=case,
                     **intake.acknowledgement_variables(case, language))
    conversation.step, conversation.retries = step, (conversation.retries if prefix else 0)
    conversation.data = {**conversation.data, "in_dialogue": True}
    purpose, variables = _question(session, conversation, step)
    if prefix:
        body = prefix + " " + worker_text(purpose, conversation.language, **variables)
        return reply(purpose, conversation.language, body=body)
    return reply(purpose, conversation.language, **variables)


def _intake_answer(session, conversation, worker, message, now, vault, reply) -> list[Message]:
    if intake.answer(session, conversation, message, now, vault):
        conversation.retries = 0
        return _ask_or_finish(session, conversation, worker, now, reply)
    conversation.retries += 1
    if conversation.retries >= 2:
        intake.take_default(conversation)
        return _ask_or_finish(session, conversation, worker, now, reply)
    return _ask_or_finish(session, conversation, worker, now, reply,
                          prefix=worker_text("not_understood", conversation.language))


def _ask_which_case(session, worker, message, cases, language, now, reply) -> list[Message]:
    choices = ", ".join(f"{i} {case.reference}" for i, case in enumerate(cases, start=1))
    session.add(Conversation(worker_id=worker.id, kind="pick_case", step="case",
                             data={"message_id": message.id, "case_ids": [c.id for c in cases]},
                             endpoint=message.endpoint, provider=message.provider, language=language,
                             updated_at=now, expires_at=now + PICK_EXPIRY))
    return reply("pick_case", language, choices=choices, keyword=NEW_WORDS.get(language, "NEW"))


def _pick_answer(session, conversation, worker, message, now, vault, reply) -> list[Message]:
    text = message.body_normalized or message.body
    case_ids = conversation.data["case_ids"]
    waiting = session.get(Message, conversation.data["message_id"])
    if is_new_request(text):
        session.delete(conversation)
        session.flush()
        started = intake.start_intake(session, worker=worker, message=waiting, language=conversation.language,
                                      now=now)
        return _ask_or_finish(session, started, worker, now, reply)
    number, reference = read_number(text), find_reference(text)
    chosen = None
    if reference:
        chosen = session.scalar(select(Case).where(Case.id.in_(case_ids), Case.reference == reference))
    elif number is not None and 1 <= number <= len(case_ids):
        chosen = session.get(Case, case_ids[number - 1])
    if chosen is None and conversation.retries == 0:
        conversation.retries = 1
        message.case_id = None
        return reply("pick_case", conversation.language, keyword=NEW_WORDS.get(conversation.language, "NEW"),
                     choices=", ".join(f"{i} {session.get(Case, cid).reference}"
                                       for i, cid in enumerate(case_ids, start=1)))
    chosen = chosen or session.get(Case, case_ids[-1])  # a second miss: her most recent case
    session.delete(conversation)
    waiting.case_id = message.case_id = chosen.id
    _worker_wrote(session, chosen, waiting.id, now)
    return reply("added_to_case", conversation.language, case=chosen, reference=chosen.reference)


def _rating(session, conversation, worker, message, now, vault, reply) -> list[Message]:
    case = session.get(Case, conversation.case_id)
    said, words = leading_answer(message.body_normalized or message.body)
    message.case_id = case.id
    if said is None:
        if conversation.retries == 0:
            conversation.retries = 1
            return reply("outcome", conversation.language, case=case, reference=case.reference,
                         outcome=case.outcome or "")
        session.delete(conversation)  # she is writing about something else: keep it on the case
        _worker_wrote(session, case, message.id, now)
        return reply("added_to_case", conversation.language, case=case, reference=case.reference)
    session.delete(conversation)
    purpose, variables = followup.rate(session, case, said, now)
    if words:  # "tidak, pintunya masih dikunci": the answer is taken and her words are on the case
        _worker_wrote(session, case, message.id, now)
    return reply(purpose, conversation.language, case=case, **variables)


def expire(session: Session, conversation: Conversation, worker: Worker, now: datetime,
           reply: Reply) -> list[Message]:
    """A conversation nobody finished: an intake still becomes a case; a rating closes the case."""
    if conversation.kind == "intake":
        for step in ("category", "factory", "anonymity", "name", "danger"):
            conversation.step = step
            if intake.next_step(conversation) == step:
                intake.take_default(conversation)
        return _ask_or_finish(session, conversation, worker, now, reply)
    if conversation.kind == "satisfaction":
        followup.close_unrated(session, session.get(Case, conversation.case_id), now)
    elif conversation.kind == "pick_case":
        waiting = session.get(Message, conversation.data["message_id"])
        latest = session.get(Case, conversation.data["case_ids"][-1])
        if waiting is not None and waiting.case_id is None:
            waiting.case_id = latest.id
    session.delete(conversation)
    session.flush()
    return []


def expire_conversations(session: Session, now: datetime) -> list[Message]:
    """The periodic round: finish what workers left unanswered; returns the replies queued."""
    from grievance.workflows.outbox import queue_reply

    replies: list[Message] = []
    for conversation in session.scalars(select(Conversation).where(Conversation.expires_at <= now)).all():
        worker = session.get(Worker, conversation.worker_id)

        def reply(purpose, language, case=None, body=None, **variables):
            return [queue_reply(session, worker=worker, endpoint=conversation.endpoint,
                                provider=conversation.provider, purpose=purpose, language=language, now=now,
                                case=case, body=body, **variables)]

        replies += expire(session, conversation, worker, now, reply)
    return replies
