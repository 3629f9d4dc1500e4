"""Which case is it about? Asked when she has several open cases and a message names none.

Her message waits (on no case) for the answer: a number from the list or a reference puts it
(and a miss before it) on that case; the new-complaint word starts an intake with it; a second miss, or no answer
within a day, puts it on her most recent case. It speaks before anything else: the message
it holds was written before any other question could be asked.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from grievance.language.lexicon import NEW_WORDS, find_reference, is_new_request
from grievance.language.normalize import read_number
from grievance.models import Case, Conversation, Message
from grievance.workflows.conversations import intake
from grievance.workflows.attaching import attach
from grievance.workflows.conversations.joining import join, recently_written_case
from grievance.workflows.conversations.registry import Kind, Turn, begin, end, register

PICK_CASE = "pick_case"
PICK_EXPIRY = timedelta(hours=24)


def to_open_case(turn: Turn, message: Message, cases: list[Case], language: str) -> list[Message]:
    """A message about one of her open cases that names none: her only one, the one we last
    wrote to her about (within a day), or she is asked which."""
    if len(cases) == 1:
        return join(turn.session, cases[0], message, language, turn.now, turn.reply)
    recent = recently_written_case(turn.session, turn.worker, turn.now)
    if recent is not None and recent.id in {case.id for case in cases}:
        return join(turn.session, recent, message, language, turn.now, turn.reply)
    return ask(turn, message, cases, language)


def ask(turn: Turn, message: Message, cases: list[Case], language: str) -> list[Message]:
    conversation = Conversation(worker_id=turn.worker.id, kind=PICK_CASE, step="case",
                                data={"message_id": message.id, "case_ids": [c.id for c in cases]},
                                endpoint=message.endpoint, provider=message.provider, language=language,
                                updated_at=turn.now, expires_at=turn.now + PICK_EXPIRY)
    return begin(turn, conversation)


def resume(turn: Turn, conversation: Conversation) -> list[Message]:
    case_ids = conversation.data["case_ids"]
    choices = ", ".join(f"{i} {turn.session.get(Case, case_id).reference}"
                        for i, case_id in enumerate(case_ids, start=1))
    return turn.reply(PICK_CASE, conversation.language, choices=choices,
                      keyword=NEW_WORDS.get(conversation.language, "NEW"))


def _chosen(turn: Turn, conversation: Conversation, text: str) -> Case | None:
    case_ids = conversation.data["case_ids"]
    number, reference = read_number(text), find_reference(text)
    if reference:
        return turn.session.scalar(select(Case).where(Case.id.in_(case_ids), Case.reference == reference))
    if number is not None and 1 <= number <= len(case_ids):
        return turn.session.get(Case, case_ids[number - 1])
    return None


def answer(turn: Turn, conversation: Conversation, message: Message) -> list[Message]:
    session, text = turn.session, message.body_normalized or message.body
    waiting = session.get(Message, conversation.data["message_id"])
    if is_new_request(text):  # a new complaint: what she wrote opens it
        held = conversation.data.get("held", [])
        end(turn, conversation)
        started = intake.new_intake(session, worker=turn.worker, message=waiting, language=conversation.language,
                                    now=turn.now)
        started.data = {**started.data, "message_ids": [waiting.id, *held]}
        return begin(turn, started)
    chosen = _chosen(turn, conversation, text)
    if chosen is None and conversation.retries == 0:
        conversation.retries = 1
        # Held with the first: it goes where the first goes, not on no case.
        conversation.data = {**conversation.data, "held": [*conversation.data.get("held", []), message.id]}
        return resume(turn, conversation)
    chosen = chosen or session.get(Case, conversation.data["case_ids"][-1])  # a second miss: her latest case
    _place(turn, conversation, chosen)
    attach(session, chosen, message, turn.now, words=False)
    attach(session, chosen, waiting, turn.now)
    return turn.reply("added_to_case", conversation.language, case=chosen, reference=chosen.reference)


def _place(turn: Turn, conversation: Conversation, case: Case) -> None:
    """The messages it held go on the case, and the question is over."""
    for message_id in [conversation.data["message_id"], *conversation.data.get("held", [])]:
        held = turn.session.get(Message, message_id)
        if held is not None and held.case_id is None:
            attach(turn.session, case, held, turn.now, words=False)
    end(turn, conversation)


def expire(turn: Turn, conversation: Conversation) -> list[Message]:
    """Nobody chose: the message she wrote goes on her most recent case rather than on none."""
    _place(turn, conversation, turn.session.get(Case, conversation.data["case_ids"][-1]))
    return []


register(Kind(name=PICK_CASE, priority=30, expiry=PICK_EXPIRY, answer=answer, expire=expire, resume=resume))
