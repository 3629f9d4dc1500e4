"""The intake conversation: from a worker's first message to a case, in as few questions as
possible, each answerable with a digit in any script or a word.

    message ─► [category?] ─► [factory?] ─► anonymity ─► [name] ─► [danger?] ─► case
                  │ named in the message, or grave        │ "yes"        │ skipped when the
                  │ category: skipped                     ▼              │ category is grave
    a wrong answer is asked again once with help, then the default is taken (other /
    anonymous / not dangerous); an intake left unanswered past its expiry still becomes a case.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grievance.language.lexicon import CATEGORY_MENU, categories_named, leading_answer
from grievance.language.normalize import read_number
from grievance.i18n.worker import worker_date
from grievance.models import Case, ChannelEndpoint, Conversation, Factory, Message, Worker
from grievance.models.case import NEW, OPEN_STATUSES, ROUTE_ADVISOR, new_reference
from grievance.privacy import PhoneVault
from grievance.workflows.deadlines import set_deadlines
from grievance.workflows.events import record
from grievance.workflows.routing import ADVISOR_CATEGORIES, route_for

INTAKE_EXPIRY = timedelta(hours=24)
# Where "is anyone in danger right now?" changes the route (the grave categories go to the
# advisors anyway).
DANGER_MAY_APPLY = frozenset({"safety_health", "other", "hours_leave"})


def open_cases(session: Session, worker: Worker) -> list[Case]:
    return session.scalars(
        select(Case).where(Case.worker_id == worker.id, Case.status.in_(OPEN_STATUSES))
        .order_by(Case.opened_at, Case.id)
    ).all()


def latest_open_case(session: Session, worker: Worker) -> Case | None:
    cases = open_cases(session, worker)
    return cases[-1] if cases else None


def _factory_code_in(session: Session, text: str, country_code: str) -> Factory | None:
    for factory in session.scalars(select(Factory).where(Factory.country_code == country_code)):
        if factory.code.lower() in text.lower():
            return factory
    return None


def country_factories(session: Session, country_code: str, limit: int = 9) -> list[Factory]:
    return session.scalars(
        select(Factory).where(Factory.country_code == country_code).order_by(Factory.code).limit(limit)
    ).all()


def start_intake(session: Session, *, worker: Worker, message: Message, language: str, now: datetime) -> Conversation:
    """Begin with what the first message already says; ask only for the rest."""
    endpoint = message.endpoint
    data: dict = {"message_ids": [message.id], "anonymous": True, "danger": False}
    named = categories_named(message.body_normalized or message.body)
    if named:
        data["category"] = named[0]
    factory = endpoint.factory or _factory_code_in(session, message.body, endpoint.country_code)
    if factory is not None:
        data["factory_id"] = factory.id
    conversation = Conversation(worker_id=worker.id, kind="intake", step="", data=data, endpoint=endpoint,
                                provider=message.provider, language=language, updated_at=now,
                                expires_at=now + INTAKE_EXPIRY)
    session.add(conversation)
    return conversation


def next_step(conversation: Conversation) -> str | None:
    """The next question, or None when the case can open. A message that already names the
    category (and the factory, when the number is shared) opens it at once, anonymous; once we
    are asking anyway, we also ask about her name and, where it may apply, about danger."""
    data = conversation.data
    if "category" not in data:
        return "category"
    if "factory_id" not in data:
        return "factory"
    if not data.get("in_dialogue"):
        return None
    if "anonymity_asked" not in data:
        return "anonymity"
    if data.get("anonymous") is False and "name" not in data:
        return "name"
    if "danger_asked" not in data and data["category"] in DANGER_MAY_APPLY:
        return "danger"
    return None


def answer(session: Session, conversation: Conversation, message: Message, now: datetime,
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
        factory = _factory_code_in(session, text, message.endpoint.country_code)
        if factory is None and number is not None and 1 <= number <= len(choices):
            factory = choices[number - 1]
        if factory is not None:
            data["factory_id"] = factory.id
        else:
            understood = False
    elif step == "anonymity":
        said, _her_words = leading_answer(text)  # her words stay with the case
        if said is None:
            understood = False
        else:
            data["anonymity_asked"], data["anonymous"] = True, not said
    elif step == "name":
        data["name"] = vault.encrypt(message.shown.strip()[:120])  # in Unicode, as people read it
    elif step == "danger":
        said, _her_words = leading_answer(text)  # her words stay with the case
        if said is None:
            understood = False
        else:
            data["danger_asked"], data["danger"] = True, said
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


def finish(session: Session, conversation: Conversation, worker: Worker, now: datetime) -> Case:
    """Open the case from everything the intake gathered (defaults for anything unanswered)."""
    data = conversation.data
    factory = session.get(Factory, data["factory_id"]) if data.get("factory_id") else None
    case = open_case(session, worker=worker, endpoint=conversation.endpoint, factory=factory,
                     language=conversation.language, now=now, category=data.get("category", "other"),
                     danger=bool(data.get("danger")), anonymous=data.get("anonymous", True),
                     name_encrypted=data.get("name"), message_ids=data.get("message_ids", []))
    session.delete(conversation)
    return case


def open_case(session: Session, *, worker: Worker, endpoint: ChannelEndpoint, factory: Factory | None,
              language: str, now: datetime, category: str, message_ids: list[int], danger: bool = False,
              anonymous: bool = True, name_encrypted: str | None = None) -> Case:
    """A new case with its deadlines; the messages join it."""
    country = endpoint.country
    route = route_for(session, country.code, category, danger, factory is not None)
    for _attempt in range(5):  # a reference collision is rare; try a fresh one
        case = Case(reference=new_reference(country.code), factory_id=factory.id if factory else None,
                    country_code=country.code, worker_id=worker.id, category=category, route=route, status=NEW,
                    language=language, opened_at=now, acknowledge_by=now,
                    anonymous=anonymous, name_encrypted=name_encrypted, danger_now=danger)
        case.factory, case.country = factory, country
        set_deadlines(session, case, now)
        try:
            with session.begin_nested():
                session.add(case)
            break
        except IntegrityError:
            continue
    else:
        raise RuntimeError("could not allocate a unique case reference")
    for message_id in message_ids:
        message = session.get(Message, message_id)
        if message is not None:
            message.case_id = case.id
    record(session, case, "opened", now, category=category, route=route, anonymous=case.anonymous,
           danger_now=danger, language=language, acknowledge_by=case.acknowledge_by.isoformat(),
           resolve_by=case.resolve_by.isoformat())
    return case


def likely_route(session: Session, conversation: Conversation) -> str:
    """The route the case would take with what the intake knows so far."""
    data = conversation.data
    return route_for(session, conversation.endpoint.country_code, data.get("category", "other"),
                     bool(data.get("danger")), data.get("factory_id") is not None)


def acknowledgement_variables(case: Case, language: str) -> dict[str, str]:
    timezone = case.timezone
    return {"reference": case.reference, "date": worker_date(case.acknowledge_by, timezone, language)}


def acknowledgement_purpose(case: Case) -> str:
    """The acknowledgement; its wording for the route and her name is chosen when it is queued."""
    return "acknowledgement"


def grave_category(text: str) -> str | None:
    """The gravest category the text names that only the advisors may see, if any."""
    return next((category for category in categories_named(text) if category in ADVISOR_CATEGORIES), None)


def open_advisor_case(session: Session, worker: Worker) -> Case | None:
    """Her most recent open case on the advisors' route."""
    cases = [case for case in open_cases(session, worker) if case.route == ROUTE_ADVISOR]
    return cases[-1] if cases else None
