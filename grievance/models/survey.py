"""Surveys and announcements by text: what is asked, who may be asked, each run, each answer.

A ``Survey`` is a definition (an announcement is one with only its ``intro``); its texts are
per language (``{"km": "…", "en": "…"}``). Workers who may be asked are ``SurveySubscriber``
rows (she texted the factory and said yes to surveys, or a roster named her). A ``SurveyRun``
sends a survey to a factory's (or, for an announcement, a country's) subscribers; each
recipient is a ``SurveyDelivery``; each answer a ``SurveyAnswer``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.models.base import Base, UTCDateTime

SURVEY, ANNOUNCEMENT = "survey", "announcement"
# Question kinds: a scale 1..N, yes/no, one of a numbered list, a short free text.
SCALE, YES_NO, CHOICE, FREE_TEXT = "scale", "yes_no", "choice", "text"
QUESTION_KINDS = (SCALE, YES_NO, CHOICE, FREE_TEXT)

# Where a subscriber came from.
TEXTED, ROSTER = "texted", "roster"

# A run's life: a plan first, then sending (which may pause), then over.
PLANNED, RUNNING, PAUSED, CANCELLED, FINISHED = "planned", "running", "paused", "cancelled", "finished"
# A delivery's life: waiting to be sent, sent (the first message queued), then answered or
# not; skipped (opted out, over the monthly cap) and cancelled ones were never sent.
PENDING, SENT, ANSWERED, UNANSWERED, SKIPPED = "pending", "sent", "answered", "unanswered", "skipped"
DELIVERY_CANCELLED = "cancelled"
# An answer's value when she gave none that fits (after one hint), or the question was skipped.
NO_ANSWER, SKIPPED_ANSWER = "unanswered", "skipped"


class Survey(Base):
    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default=SURVEY)  # "survey" or "announcement"
    title: Mapped[str] = mapped_column(String(120))  # for staff; workers never see it
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"), index=True)
    # Per language: the introduction (an announcement's whole text) and the thank-you.
    intro: Mapped[dict] = mapped_column(JSON, default=dict)
    thanks: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    questions = relationship("SurveyQuestion", order_by="SurveyQuestion.position", cascade="all, delete-orphan",
                             back_populates="survey")
    country = relationship("Country")


class SurveyQuestion(Base):
    __tablename__ = "survey_questions"
    __table_args__ = (UniqueConstraint("survey_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    position: Mapped[int] = mapped_column()  # 1, 2, 3 … in the order asked
    kind: Mapped[str] = mapped_column(String(8))  # scale, yes_no, choice, text
    # Per language: the question as sent (a choice question lists its numbered choices in it).
    text: Mapped[dict] = mapped_column(JSON, default=dict)
    # Per choice (1..n), per language: what the choice says, for results and word answers.
    choices: Mapped[list] = mapped_column(JSON, default=list)
    scale_max: Mapped[int | None] = mapped_column()  # a scale's top (2..10), its bottom is 1
    # One optional skip rule: when her answer is ``skip_if`` ("yes", "no", "3" …), the next
    # question asked is ``skip_to`` (a position), or none (0: the survey ends).
    skip_if: Mapped[str | None] = mapped_column(String(16))
    skip_to: Mapped[int | None] = mapped_column()
    # Randomized response (yes/no only): this share of answers is replaced at random (half
    # yes, half no) before it is stored, so no single stored "yes" is hers for sure.
    randomized_share: Mapped[float | None] = mapped_column(Float)

    survey = relationship("Survey", back_populates="questions")


class SurveySubscriber(Base):
    """A worker who may be sent a factory's surveys and announcements."""

    __tablename__ = "survey_subscribers"
    __table_args__ = (UniqueConstraint("worker_id", "factory_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    factory_id: Mapped[int] = mapped_column(ForeignKey("factories.id"), index=True)
    source: Mapped[str] = mapped_column(String(8))  # "texted" or "roster"
    language: Mapped[str | None] = mapped_column(String(8))  # a roster's; else her own
    channel: Mapped[str] = mapped_column(String(16), default="sms")  # where she is asked
    # Where and when she agreed (a roster's columns; for "texted", the message that said yes).
    consent_where: Mapped[str | None] = mapped_column(String(120))
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # She said no to surveys (keyword): kept, never asked again until she says yes.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SurveyRun(Base):
    """A survey or announcement sent to a factory's subscribers (or a country's, for an
    announcement): a plan first, then sending within the sender's rate."""

    __tablename__ = "survey_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    factory_id: Mapped[int | None] = mapped_column(ForeignKey("factories.id"), index=True)
    country_code: Mapped[str] = mapped_column(ForeignKey("countries.code"))
    status: Mapped[str] = mapped_column(String(12), default=PLANNED)
    # What the plan found: recipients, messages, segments and cost per language, duration,
    # WhatsApp templates needed (written when planned, shown on its page).
    plan: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    survey = relationship("Survey")
    factory = relationship("Factory")


class SurveyDelivery(Base):
    """One recipient of a run."""

    __tablename__ = "survey_deliveries"
    __table_args__ = (
        UniqueConstraint("run_id", "worker_id"),
        # The dispatcher's work list: the run's next pending recipients.
        Index("ix_survey_deliveries_run_status", "run_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("survey_runs.id"))
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"), index=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("channel_endpoints.id"))
    language: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(12), default=PENDING)
    # The first message sent to her for this run (its delivery status is the run's progress).
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    reason: Mapped[str | None] = mapped_column(String(64))  # why skipped
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # her first answer

    run = relationship("SurveyRun")


class SurveyAnswer(Base):
    """Her answer to one question of one run (one per worker and question)."""

    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("run_id", "question_id", "worker_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("survey_runs.id"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id"), index=True)
    worker_id: Mapped[int] = mapped_column(ForeignKey("workers.id"))
    # "yes"/"no", "1".."N" (scale, choice), "text", or "unanswered" / "skipped".
    value: Mapped[str] = mapped_column(String(16))
    text: Mapped[str | None] = mapped_column(Text)  # a free-text answer, as she wrote it
    # The stored yes/no may be a random one (randomized response): never hers for sure.
    randomized: Mapped[bool] = mapped_column(Boolean, default=False)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
