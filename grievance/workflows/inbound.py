"""What happens to a stored inbound message: who sent it, which language, which case, which reply."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grievance.language.detect import detect_language
from grievance.language.keywords import (
    HELP, OPT_IN, OPT_OUT, SURVEYS_OFF, SURVEYS_ON, keyword_for, language_keyword, match_keyword,
    match_language_request,
)
from grievance.language.normalize import normalize, readable
from grievance.i18n.pages import LANGUAGE_NAMES
from grievance.models import Message, Worker
from grievance.models.message import FLAGGED, INBOUND
from grievance.models.survey import TEXTED
from grievance.privacy import PhoneVault
from grievance.workflows.attaching import attach
from grievance.workflows.workers import find_or_create_worker
from grievance.workflows.events import record
from grievance.workflows.conversations import converse, survey
from grievance.workflows.conversations.registry import Reply, Turn, known
from grievance.workflows.intake import grave_category, latest_open_case, open_advisor_case
from grievance.workflows.outbox import queue_reply
from grievance.workflows.surveys import consent

# One phone may not flood a queue: past this many messages an hour, the rest are kept and
# flagged for the committee, but open no case and get no reply.
INBOUND_PER_WORKER_PER_HOUR = 20


RECENT = timedelta(hours=1)


def recent_inbound(session: Session, worker_ids: list[int], now: datetime) -> dict[int, int]:
    """How many messages each of these workers sent in the last hour (those attached to her so
    far), in one statement; for ``handle_inbound``'s ``recent``."""
    counts = dict.fromkeys(worker_ids, 0)
    counts.update(session.execute(
        select(Message.worker_id, func.count()).where(
            Message.worker_id.in_(worker_ids), Message.direction == INBOUND, Message.created_at >= now - RECENT,
        ).group_by(Message.worker_id)).tuples().all())
    return counts


def _recent_inbound(session: Session, worker: Worker, message: Message, now: datetime,
                    recent: dict[int, int] | None) -> int:
    """Her messages of the last hour, this one included. ``recent``, counted for a batch before
    its first message was attached, is kept up as each of hers is."""
    if recent is None or worker.id not in recent:
        return session.scalar(
            select(func.count()).select_from(Message).where(
                Message.worker_id == worker.id,
                Message.direction == INBOUND,
                Message.created_at >= now - RECENT,
            )
        )
    if message.created_at >= now - RECENT:
        recent[worker.id] += 1
    return recent[worker.id]


def handle_inbound(session: Session, message: Message, now: datetime, vault: PhoneVault,
                   per_hour: int = INBOUND_PER_WORKER_PER_HOUR,
                   workers: dict[str, Worker] | None = None, recent: dict[int, int] | None = None) -> list[Message]:
    """Attach the message to its worker and case; return the replies it calls for (queued rows).
    ``workers``: the known senders of a batch, read and locked together (``lock_workers``);
    ``recent``: their messages of the last hour before the batch (``recent_inbound``)."""
    endpoint = message.endpoint
    worker = find_or_create_worker(session, vault.decrypt(message.address_encrypted), vault,
                                   endpoint.country_code, now, known=workers)
    message.worker_id = worker.id
    message.address_encrypted = None  # the worker row is now the only place the number lives
    if message.channel == "whatsapp":
        worker.whatsapp_last_inbound_at = now
    languages = endpoint.country.languages

    def reply(purpose: str, language: str, case=None, body=None, **variables: str) -> list[Message]:
        return [queue_reply(session, worker=worker, endpoint=endpoint, provider=message.provider,
                            purpose=purpose, language=language, now=now, case=case, body=body, **variables)]

    text = message.body_normalized = normalize(message.body)
    shown = readable(message.body)
    message.body_readable = shown if shown != message.body else None
    keyword = match_keyword(text)
    if keyword is not None and survey.keyword_answers(
            Turn(session=session, worker=worker, now=now, reply=reply, vault=vault), text):
        keyword = None  # "Baja" to "1 alta 2 media 3 baja" answers the question, and opts nobody out
    if keyword is not None:
        current = worker.chosen_language or worker.language
        language = current if current in keyword.languages else keyword.languages[0]
        message.language = worker.language = language
        if keyword.kind == OPT_OUT:
            worker.set_opted_out(message.channel, True)
            # Her surveys on this channel end (what she answered kept); her cases stay open.
            survey.stop(Turn(session=session, worker=worker, now=now, reply=reply, vault=vault),
                        channel=message.channel)
            return reply(OPT_OUT, language, keyword=keyword_for(OPT_IN, language))
        if keyword.kind in (SURVEYS_ON, SURVEYS_OFF):
            return _surveys_keyword(session, worker, message, keyword.kind, language, now, vault, reply)
        if keyword.kind == OPT_IN:
            worker.set_opted_out(message.channel, False)
            return reply(OPT_IN, language)
        if keyword.kind == HELP:
            return reply(HELP, language, keyword=keyword_for(OPT_OUT, language))

    request = match_language_request(text)
    if request is not None:
        return _choose_language(worker, request, languages, reply)

    language = detect_language(text, languages, worker.chosen_language, worker.language)
    message.language = worker.language = language
    if _recent_inbound(session, worker, message, now, recent) > per_hour:
        message.status = FLAGGED
        # Kept on her latest case; a grave one only on a case of the advisors, never the committee's.
        case = (open_advisor_case(session, worker) if grave_category(text) else latest_open_case(session, worker))
        if case is not None:
            # Kept and logged, not marked: a flood must not notify the committee at every message.
            attach(session, case, message, now, words=False)
            record(session, case, "flagged_message", now, message_id=message.id)
        return []
    with known(session, worker):
        return converse(session, worker=worker, message=message, language=language, now=now, vault=vault,
                        reply=reply)


def _surveys_keyword(session: Session, worker: Worker, message: Message, kind: str, language: str,
                     now: datetime, vault: PhoneVault, reply: Reply) -> list[Message]:
    """Yes or no to surveys, by text. Yes counts for the factory whose number she texted; a
    number several factories share names no factory, so she is told to text her own factory's
    number and nothing is recorded. No withdraws every consent of hers and ends her surveys."""
    if kind == SURVEYS_OFF:
        consent.withdraw(session, worker=worker, now=now)
        survey.stop(Turn(session=session, worker=worker, now=now, reply=reply, vault=vault))
        return reply("survey_unsubscribed", language, keyword=keyword_for(SURVEYS_ON, language))
    factory = message.endpoint.factory
    if factory is None:
        return reply("survey_own_number", language, keyword=keyword_for(SURVEYS_ON, language))
    consent.subscribe(session, worker=worker, factory_id=factory.id, source=TEXTED, channel=message.channel,
                      language=language, consent_where=f"text message {message.id}", consent_at=now, now=now)
    return reply("survey_subscribed", language, keyword=keyword_for(SURVEYS_OFF, language))


def language_choices(country_languages: list[str]) -> list[str]:
    return list(dict.fromkeys([*country_languages, "en"]))


def _choose_language(worker: Worker, request, country_languages: list[str], reply) -> list[Message]:
    """'LANG' answers with a numbered menu; 'LANG 2' or 'LANG km' sets the language for good."""
    choices = language_choices(country_languages)
    choice = request.choice
    picked = None
    if choice.isdigit() and 1 <= int(choice) <= len(choices):
        picked = choices[int(choice) - 1]
    elif choice in LANGUAGE_NAMES:
        picked = choice
    if picked is None:
        language = worker.chosen_language or request.language
        menu = ", ".join(f"{i} {LANGUAGE_NAMES[code]}" for i, code in enumerate(choices, start=1))
        return reply("language_menu", language, keyword=language_keyword(language), choices=menu)
    worker.chosen_language = worker.language = picked
    return reply("language_set", picked, language_name=LANGUAGE_NAMES[picked])
