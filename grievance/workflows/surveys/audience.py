"""Who a run reaches: a factory's subscribers (or, for an announcement, a country's), one per
worker, each with her language, the number she is written from, the provider that sends it and
whether she may be sent anything more this month.

Read in a handful of queries whatever the audience's size (a country may hold tens of
thousands): her subscriptions, her worker row, the provider of her last message on the number
and her survey messages of the last 30 days are each one query for everyone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grievance.channels.base import channels, inside_whatsapp_window
from grievance.models import ChannelEndpoint, Country, Factory, Message, Survey, SurveyDelivery, SurveyRun
from grievance.models import SurveySubscriber, Worker
from grievance.models.message import CANCELLED, OUTBOUND
from grievance.models.survey import ANSWERED, SENT, UNANSWERED
from grievance.workflows.surveys.definition import messages_each

# Why a subscriber is not sent anything.
OPTED_OUT, MONTHLY_CAP, NO_NUMBER, NO_CHANNEL, WITHDRAWN = (
    "opted_out", "monthly_cap", "no_number", "no_channel", "withdrawn")
CAP_WINDOW = timedelta(days=30)
REACHED = (SENT, ANSWERED, UNANSWERED)  # a delivery whose first message went


@dataclass(frozen=True)
class DispatchSettings:
    """What dispatch reads of the configuration (the rate of each kind of sender, the monthly
    cap, the prices, the batch length)."""

    sms_rate: float = 1.0
    whatsapp_rate: float = 20.0
    messages_per_month: int = 30
    sms_segment_price: float = 0.05
    whatsapp_message_price: float = 0.03
    currency: str = "USD"
    batch_seconds: float = 10.0

    @classmethod
    def from_app(cls) -> "DispatchSettings":
        config = current_app.config
        return cls(sms_rate=config["SEND_RATE_SMS"], whatsapp_rate=config["SEND_RATE_WHATSAPP"],
                   messages_per_month=config["SURVEY_MESSAGES_PER_MONTH"],
                   sms_segment_price=config["SMS_SEGMENT_PRICE"],
                   whatsapp_message_price=config["WHATSAPP_MESSAGE_PRICE"], currency=config["PRICE_CURRENCY"],
                   batch_seconds=config["SURVEY_BATCH_SECONDS"])

    def rate(self, channel: str) -> float:
        return self.whatsapp_rate if channel == "whatsapp" else self.sms_rate


@dataclass(frozen=True)
class Recipient:
    worker_id: int
    endpoint_id: int
    channel: str
    language: str
    provider: str
    skipped: str | None = None  # why she is not sent anything (opted out, over the cap)
    # WhatsApp's 24-hour window is open now: free text may go; else a template must open it.
    window_open: bool = False


@dataclass
class Audience:
    recipients: list[Recipient] = field(default_factory=list)  # those skipped included, with why
    # Subscribers who cannot even be counted as recipients (no number, no channel to send by).
    unreachable: Counter = field(default_factory=Counter)

    @property
    def sendable(self) -> list[Recipient]:
        return [recipient for recipient in self.recipients if recipient.skipped is None]

    def skipped(self) -> Counter:
        counts = Counter(recipient.skipped for recipient in self.recipients if recipient.skipped)
        return counts + self.unreachable


def audience(session: Session, *, country: Country, factory: Factory | None, now: datetime, messages_each: int,
             settings: DispatchSettings) -> Audience:
    """Who a run for ``factory`` (or, with None, every factory of ``country``) reaches; each one
    is sent ``messages_each`` messages, counted against her monthly cap."""
    factory_ids = ([factory.id] if factory is not None else
                   list(session.scalars(select(Factory.id).where(Factory.country_code == country.code))))
    subscribers = _subscribers(session, factory_ids)
    endpoints = _endpoints(session, factory_ids)
    workers = _workers(session, [row.worker_id for row in subscribers])
    used = survey_messages_used(session, list(workers), now)
    chosen: list[tuple[SurveySubscriber, ChannelEndpoint]] = []
    found = Audience()
    for row in subscribers:
        endpoint = endpoints.get((row.factory_id, row.channel)) or endpoints.get((row.factory_id, "sms"))
        if endpoint is None:
            found.unreachable[NO_NUMBER] += 1
        else:
            chosen.append((row, endpoint))
    senders = providers(session, [(row.worker_id, endpoint.id, endpoint.channel) for row, endpoint in chosen])
    for row, endpoint in chosen:
        worker = workers[row.worker_id]
        provider = senders[(worker.id, endpoint.id)]
        if provider is None:
            found.unreachable[NO_CHANNEL] += 1
            continue
        language = worker.chosen_language or row.language or worker.language or country.default_language
        skipped = (OPTED_OUT if worker.opted_out(endpoint.channel) else
                   MONTHLY_CAP if used.get(worker.id, 0) + messages_each > settings.messages_per_month else None)
        window_open = inside_whatsapp_window(worker.whatsapp_last_inbound_at, now)
        found.recipients.append(Recipient(worker.id, endpoint.id, endpoint.channel, language, provider, skipped,
                                          window_open))
    return found


def _subscribers(session: Session, factory_ids: list[int]) -> list[SurveySubscriber]:
    """One subscription per worker (her latest consent, if she agreed at several factories)."""
    if not factory_ids:
        return []
    rows = session.scalars(select(SurveySubscriber).where(
        SurveySubscriber.factory_id.in_(factory_ids), SurveySubscriber.withdrawn_at.is_(None))
        .order_by(SurveySubscriber.worker_id, SurveySubscriber.consent_at.desc(), SurveySubscriber.id.desc())).all()
    first: dict[int, SurveySubscriber] = {}
    for row in rows:
        first.setdefault(row.worker_id, row)
    return list(first.values())


def _endpoints(session: Session, factory_ids: list[int]) -> dict[tuple[int, str], ChannelEndpoint]:
    found: dict[tuple[int, str], ChannelEndpoint] = {}
    for endpoint in session.scalars(select(ChannelEndpoint).where(ChannelEndpoint.factory_id.in_(factory_ids))
                                    .order_by(ChannelEndpoint.id)):
        found.setdefault((endpoint.factory_id, endpoint.channel), endpoint)
    return found


def _workers(session: Session, ids: list[int]) -> dict[int, Worker]:
    found: dict[int, Worker] = {}
    for chunk in _chunks(ids):
        found.update((worker.id, worker) for worker in session.scalars(select(Worker).where(Worker.id.in_(chunk))))
    return found


def providers(session: Session, pairs: list[tuple[int, int, str]]) -> dict[tuple[int, int], str | None]:
    """Who sends to each (worker, endpoint, channel): the provider of her last message there, else
    the first configured channel of its kind (None: nothing can send it)."""
    last = _last_providers(session, [(worker_id, endpoint_id) for worker_id, endpoint_id, _channel in pairs])
    defaults = {channel: default_provider(channel) for _worker, _endpoint, channel in pairs}
    return {(worker_id, endpoint_id): last.get((worker_id, endpoint_id)) or defaults[channel]
            for worker_id, endpoint_id, channel in pairs}


def _last_providers(session: Session, pairs: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    """The provider of each worker's last message (either way) on each endpoint."""
    endpoint_ids = sorted({endpoint_id for _worker, endpoint_id in pairs})
    found: dict[tuple[int, int], str] = {}
    for chunk in _chunks(sorted({worker_id for worker_id, _endpoint in pairs})):
        latest = (select(func.max(Message.id)).where(Message.worker_id.in_(chunk),
                                                     Message.endpoint_id.in_(endpoint_ids))
                  .group_by(Message.worker_id, Message.endpoint_id))
        found.update(((worker_id, endpoint_id), provider) for worker_id, endpoint_id, provider in session.execute(
            select(Message.worker_id, Message.endpoint_id, Message.provider)
            .where(Message.id.in_(latest.scalar_subquery()))))
    return found


def default_provider(channel: str) -> str | None:
    """The first configured channel that sends this kind of message."""
    for candidate in channels():
        if candidate.channel in (channel, "*") and candidate.available():
            return candidate.provider
    return None


def survey_messages_used(session: Session, worker_ids: list[int], now: datetime) -> dict[int, int]:
    """Survey and announcement messages each worker was sent, or has been set aside for, in 30
    days: each run that reached her counts every message it may still send her (its questions
    and thanks), so runs that overlap cannot add up past the cap between them; what was really
    sent counts when it is more."""
    used: dict[int, int] = {}
    each: dict[int, int] = {}
    for chunk in _chunks(worker_ids):
        sent = dict(session.execute(
            select(Message.worker_id, func.count()).where(
                Message.worker_id.in_(chunk), Message.direction == OUTBOUND, Message.run_id.is_not(None),
                Message.status != CANCELLED, Message.created_at > now - CAP_WINDOW)
            .group_by(Message.worker_id)).all())
        reserved: dict[int, int] = {}
        for worker_id, survey_id in session.execute(
                select(SurveyDelivery.worker_id, SurveyRun.survey_id)
                .join(SurveyRun, SurveyRun.id == SurveyDelivery.run_id)
                .where(SurveyDelivery.worker_id.in_(chunk), SurveyDelivery.status.in_(REACHED),
                       SurveyDelivery.sent_at > now - CAP_WINDOW)):
            if survey_id not in each:
                each[survey_id] = messages_each(session.get(Survey, survey_id))
            reserved[worker_id] = reserved.get(worker_id, 0) + each[survey_id]
        for worker_id in sent.keys() | reserved.keys():
            used[worker_id] = max(sent.get(worker_id, 0), reserved.get(worker_id, 0))
    return used


def _chunks(ids: list[int], size: int = 5000):
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
