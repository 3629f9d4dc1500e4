"""A run's plan, before anything is sent: who it reaches per language and channel, what the
first message costs, how long sending takes at each sender's real rate, which WhatsApp
recipients need a template (and whether one is approved), and who is skipped and why."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from math import ceil

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from grievance.channels.segments import segment_info
from grievance.models import ChannelEndpoint, Country, Factory, MessageTemplate, Survey, SurveyRun, User
from grievance.models.survey import ANNOUNCEMENT, PLANNED
from grievance.workflows.conversations.survey import INVITE_PURPOSE, text_in
from grievance.workflows.surveys.audience import Audience, DispatchSettings, audience
from grievance.workflows.surveys.definition import MissingText, messages_each, missing_texts

ANNOUNCEMENT_PURPOSE = "announcement"


class DispatchRefused(Exception):
    """The run cannot be planned or started: why, and the texts still missing, if that is why."""

    def __init__(self, reason, missing: list[MissingText] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.missing = list(missing or [])


@dataclass
class _Language:
    sms: int = 0
    whatsapp: int = 0
    outside_window: int = 0
    senders: dict = field(default_factory=lambda: defaultdict(int))


def first_message(survey: Survey, language: str) -> str:
    """What she is sent first: the announcement, or the introduction with the first question."""
    intro = text_in(survey.intro, language)
    if survey.kind == ANNOUNCEMENT or not survey.questions:
        return intro
    return f"{intro}\n{text_in(survey.questions[0].text, language)}"


def template_purpose(survey: Survey) -> str:
    return ANNOUNCEMENT_PURPOSE if survey.kind == ANNOUNCEMENT else INVITE_PURPOSE


def check_sendable(survey: Survey, country: Country, factory: Factory | None) -> None:
    """Raises DispatchRefused when the survey cannot be sent there."""
    if survey.country_code != country.code:
        raise DispatchRefused(_l("The survey is written for another country."))
    if factory is None and survey.kind != ANNOUNCEMENT:
        raise DispatchRefused(_l("Only an announcement goes to a whole country; pick a factory."))
    if survey.kind != ANNOUNCEMENT and not survey.questions:
        raise DispatchRefused(_l("The survey has no question yet."))
    missing = missing_texts(survey, list(country.languages))
    if missing:
        raise DispatchRefused(_l("Texts are missing."), missing)


def plan_run(session: Session, *, survey: Survey, factory: Factory | None = None, country_code: str | None = None,
             actor: User | None, now: datetime, settings: DispatchSettings | None = None) -> SurveyRun:
    """A planned run (nothing sent yet) whose plan says what sending it would take; refuses
    (DispatchRefused) a survey that misses texts, naming them, or has no question."""
    settings = settings or DispatchSettings.from_app()
    country = factory.country if factory is not None else session.get(Country, country_code or "")
    if country is None:
        raise DispatchRefused(_l("Pick a factory, or a country for an announcement."))
    check_sendable(survey, country, factory)
    found = audience(session, country=country, factory=factory, now=now, messages_each=messages_each(survey),
                     settings=settings)
    run = SurveyRun(survey_id=survey.id, factory_id=factory.id if factory is not None else None,
                    country_code=country.code, status=PLANNED, created_by_id=actor.id if actor is not None else None,
                    created_at=now, plan=build_plan(session, survey, found, settings))
    session.add(run)
    session.flush()
    return run


def build_plan(session: Session, survey: Survey, found: Audience, settings: DispatchSettings) -> dict:
    languages: dict[str, _Language] = defaultdict(_Language)
    per_sender: dict[int, int] = defaultdict(int)
    for recipient in found.sendable:
        entry = languages[recipient.language]
        if recipient.channel == "whatsapp":
            entry.whatsapp += 1
            entry.outside_window += not recipient.window_open
        else:
            entry.sms += 1
        per_sender[recipient.endpoint_id] += 1
    purpose = template_purpose(survey)
    approved = set(session.scalars(select(MessageTemplate.language).where(MessageTemplate.purpose == purpose)))
    by_language, total = {}, 0.0
    for language, entry in sorted(languages.items()):
        info = segment_info(first_message(survey, language))
        cost = (entry.sms * info.segments * settings.sms_segment_price
                + entry.whatsapp * settings.whatsapp_message_price)
        total += cost
        by_language[language] = {"sms": entry.sms, "whatsapp": entry.whatsapp, "segments": info.segments,
                                 "encoding": info.encoding, "cost": round(cost, 4),
                                 "outside_window": entry.outside_window, "template": language in approved}
    senders = _senders(session, per_sender, settings)
    return {"kind": survey.kind, "recipients": len(found.sendable), "messages_each": messages_each(survey),
            "languages": by_language, "cost": round(total, 4), "currency": settings.currency,
            "senders": senders, "duration_seconds": max((s["seconds"] for s in senders), default=0),
            "template_purpose": purpose, "skipped": dict(sorted(found.skipped().items()))}


def _senders(session: Session, per_sender: dict[int, int], settings: DispatchSettings) -> list[dict]:
    """Each sender number sends its share at its own rate; they send side by side."""
    endpoints = {endpoint.id: endpoint for endpoint in session.scalars(
        select(ChannelEndpoint).where(ChannelEndpoint.id.in_(list(per_sender))))} if per_sender else {}
    rows = []
    for endpoint_id, count in sorted(per_sender.items()):
        endpoint = endpoints[endpoint_id]
        rate = settings.rate(endpoint.channel)
        rows.append({"channel": endpoint.channel, "address": endpoint.address, "recipients": count, "rate": rate,
                     "seconds": ceil(count / rate) if rate > 0 else 0})
    return rows
