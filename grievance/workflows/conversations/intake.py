"""The intake: from a worker's first message to a case, in as few questions as possible, each
answerable with a digit in any script or a word.

    message ─► [category?] ─► [factory?] ─► anonymity ─► [name] ─► [danger?] ─► case
                  │ named in the message, or grave        │ "yes"        │ skipped when the
                  │ category: skipped                     ▼              │ category is grave
    all named in the first message: the case opens at once, anonymous; a danger to safety or
    health asks [danger?] first, and only that
    a wrong answer is asked again once with help, then the default is taken (other /
    anonymous / not dangerous); an intake left unanswered past its expiry still becomes a case.

An intake speaks before a rating (a rating asked in the middle of it would take her answer to
the intake's question); only a choice of case speaks before it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from grievance.i18n.worker import worker_text
from grievance.language.lexicon import CATEGORY_MENU, categories_named, leading_answer
from grievance.language.normalize import read_number
from grievance.models import Case, Conversation, Factory, Message, Worker
from grievance.models.case import ROUTE_ADVISOR
from grievance.privacy import PhoneVault
from grievance.workflows.conversations.registry import Kind, Turn, begin, begin_or_finish, end, register
from grievance.workflows.intake import (
    acknowledgement_purpose, acknowledgement_variables, country_factories, factory_code_in, grave_category,
    open_case,
)
from grievance.workflows.routing import route_for

INTAKE = "intake"
INTAKE_EXPIRY = timedelta(hours=24)
# Where "is anyone in danger right now?" changes the route (the grave categories go to the
# advisors anyway).
DANGER_MAY_APPLY = frozenset({"safety_health", "other", "hours_leave"})
# Where it is asked even when her first message said everything else (a locked fire exit, a
# crack in the wall): the case would open at once on the committee's route, and what endangers
# lives now must reach the advisors; her answer, not the first words of her message, decides.
DANGER_ASKED_AT_ONCE = frozenset({"safety_health"})
STEPS = ("category", "factory", "anonymity", "name", "danger")
# The 1/2 questions: what her yes or no records ("may the committee know your name?" yes: not
# anonymous; "is anyone in danger right now?" yes: danger).
YES_NO_STEPS = {
    "anonymity": lambda said: ("anonymity_asked", "anonymous", not said),
    "danger": lambda said: ("danger_asked", "danger", said),
}


def start(turn: Turn, message: Message, language: str) -> list[Message]:
    """A new complaint: the intake begins, and asks its first question (or opens the case at once)."""
    conversation = new_intake(turn.session, worker=turn.worker, message=message, language=language, now=turn.now)
    if next_step(conversation) is None:  # nothing to ask: the case opens now, if nothing is in front
        return begin_or_finish(turn, conversation, lambda: _finish(turn, conversation))
    return begin(turn, conversation)


def new_intake(session: Session, *, worker: Worker, message: Message, language: str, now: datetime) -> Conversation:
    """Begin with what the first message already says; ask only for the rest."""
    endpoint = message.endpoint
    data: dict = {"message_ids": [message.id], "anonymous": True, "danger": False}
    named = categories_named(message.body_normalized or message.body)
    if named:
        data["category"] = named[0]
    factory = endpoint.factory or factory_code_in(session, message.body, endpoint.country_code)
    if factory is not None:
        data["factory_id"] = factory.id
    conversation = Conversation(worker_id=worker.id, kind="intake", step="", data=data, endpoint=endpoint,
                                provider=message.provider, language=language, updated_at=now,
                                expires_at=now + INTAKE_EXPIRY)
    return conversation


def next_step(conversation: Conversation) -> str | None:
    """The next question, or None when the case can open. A message that already names the
    category (and the factory, when the number is shared) opens it at once, anonymous (a danger
    to safety or health is asked about first, and only that); once we are asking anyway, we also
    ask about her name and, where it may apply, about danger."""
    data = conversation.data
    if "category" not in data:
        return "category"
    if "factory_id" not in data:
        return "factory"
    if not data.get("in_dialogue"):
        if "danger_asked" not in data and data["category"] in DANGER_ASKED_AT_ONCE:
            return "danger"  # the one question before a case that would open at once
        return None
    if "anonymity_asked" not in data:
        return "anonymity"
    if data.get("anonymous") is False and "name" not in data:
        return "name"
    if "danger_asked" not in data and data["category"] in DANGER_MAY_APPLY:
        return "danger"
    return None


def apply_answer(session: Session, conversation: Conversation, message: Message, now: datetime,
                 vault: PhoneVault) -> bool:
    """Apply her answer to the current step; False when it was not an answer."""
    text = message.body_normalized or message.body
    data = dict(conversation.data)
    step = conversation.step
    understood = True
    if step == "category":
        number = read_number(text)
        named = categories_named(text)
        if number is not None and 0 <= number <= 9:
            data["category"] = CATEGORY_MENU[number - 1] if number else "other"
        elif named:
            data["category"] = named[0]
        else:
            understood = False
    elif step == "factory":
        choices = country_factories(session, message.endpoint.country_code)
        number = read_number(text)
        factory = factory_code_in(session, text, message.endpoint.country_code)
        if factory is None and number is not None and 1 <= number <= len(choices):
            factory = choices[number - 1]
        if factory is not None:
            data["factory_id"] = factory.id
        else:
            understood = False
    elif step in YES_NO_STEPS:
        said, _her_words = leading_answer(text)  # her words stay with the case
        if said is None:
            understood = False
        else:
            asked, key, value = YES_NO_STEPS[step](said)
            data[asked], data[key] = True, value
    elif step == "name":
        name = message.shown.strip()[:120]  # in Unicode, as people read it
        if name:
            data["name"] = vault.encrypt(name)
        else:  # a photo or an empty text is no name: asked again, then she stays anonymous
            understood = False
    grave = grave_category(text)
    if grave is not None:
        data["category"] = grave  # what she says now decides the route: never the committee
    # Every answer stays with her case, understood or not. A new list, not the old one changed
    # in place: the JSON column only sees a new value.
    data["message_ids"] = [*data.get("message_ids", []), message.id]
    conversation.data = data
    conversation.updated_at = now
    return understood


def take_default(conversation: Conversation) -> None:
    """After a second wrong answer: the safe default, rather than losing the complaint."""
    data = dict(conversation.data)
    step = conversation.step
    if step == "category":
        data["category"] = "other"
    elif step == "factory":
        data["factory_id"] = None  # the country's advisors triage it
    elif step == "anonymity":
        data["anonymity_asked"], data["anonymous"] = True, True
    elif step == "name":  # she agreed but gave no name: nobody is told she gave one
        data["anonymous"] = True
    elif step == "danger":
        data["danger_asked"], data["danger"] = True, False
    conversation.data = data


def open_gathered_case(session: Session, conversation: Conversation, worker: Worker, now: datetime) -> Case:
    """Open the case from everything the intake gathered (defaults for anything unanswered)."""
    data = conversation.data
    factory = session.get(Factory, data["factory_id"]) if data.get("factory_id") else None
    case = open_case(session, worker=worker, endpoint=conversation.endpoint, factory=factory,
                     language=conversation.language, now=now, category=data.get("category", "other"),
                     danger=bool(data.get("danger")), anonymous=data.get("anonymous", True),
                     name_encrypted=data.get("name"), message_ids=data.get("message_ids", []))
    return case


def likely_route(session: Session, conversation: Conversation) -> str:
    """The route the case would take with what the intake knows so far."""
    data = conversation.data
    return route_for(session, conversation.endpoint.country_code, data.get("category", "other"),
                     bool(data.get("danger")), data.get("factory_id") is not None)


def _question(session: Session, conversation: Conversation, step: str) -> tuple[str, dict]:
    if step == "factory":
        factories = country_factories(session, conversation.endpoint.country_code)
        choices = ", ".join(f"{i} {f.name} ({f.code})" for i, f in enumerate(factories, start=1))
        return "ask_factory", {"choices": choices}
    if step == "anonymity" and likely_route(session, conversation) == ROUTE_ADVISOR:
        return "ask_anonymity_programme", {}  # the advisors, not the committee, would know it
    return f"ask_{step}", {}


def ask_or_finish(turn: Turn, conversation: Conversation, prefix: str | None = None) -> list[Message]:
    """The next question, or, when nothing is left to ask, the case and its acknowledgement."""
    session, language = turn.session, conversation.language
    step = next_step(conversation)
    if step is None:
        replies = _finish(turn, conversation)
        end(turn, conversation)
        return replies
    conversation.step, conversation.retries = step, (conversation.retries if prefix else 0)
    if step != "danger" or conversation.data.get("in_dialogue"):  # danger alone asks nothing more
        conversation.data = {**conversation.data, "in_dialogue": True}
    purpose, variables = _question(session, conversation, step)
    if prefix:
        return turn.reply(purpose, language, body=prefix + " " + worker_text(purpose, language, **variables))
    return turn.reply(purpose, language, **variables)


def _finish(turn: Turn, conversation: Conversation) -> list[Message]:
    """The case from what was gathered, and its acknowledgement."""
    case = open_gathered_case(turn.session, conversation, turn.worker, turn.now)
    return turn.reply(acknowledgement_purpose(case), conversation.language, case=case,
                      **acknowledgement_variables(case, conversation.language))


def answer(turn: Turn, conversation: Conversation, message: Message) -> list[Message]:
    if apply_answer(turn.session, conversation, message, turn.now, turn.vault):
        conversation.retries = 0
        return ask_or_finish(turn, conversation)
    conversation.retries += 1
    if conversation.retries >= 2:
        take_default(conversation)
        return ask_or_finish(turn, conversation)
    return ask_or_finish(turn, conversation, prefix=worker_text("not_understood", conversation.language))


def expire(turn: Turn, conversation: Conversation) -> list[Message]:
    """Left unanswered: every step still open takes its default, and the case opens."""
    for step in STEPS:
        conversation.step = step
        if next_step(conversation) == step:
            take_default(conversation)
    return ask_or_finish(turn, conversation)


register(Kind(name=INTAKE, priority=20, expiry=INTAKE_EXPIRY, answer=answer, expire=expire, resume=ask_or_finish))
