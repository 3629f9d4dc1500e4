"""Her answers to a run: one row per run, question and worker, and her delivery's progress.

Randomized response: a yes/no question with a ``randomized_share`` has that share of its
answers replaced, before anything is stored, by a random yes or no (half each), so that no
stored "yes" is hers for sure; the results correct for the known share. Every answer that
went through the draw is marked ``randomized``, replaced or not: a mark on the replaced ones
only would tell which of the others are true. Her own reply is not kept either (the message's
text is emptied, and the answer does not point to it).
"""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from grievance.models import Message, SurveyAnswer, SurveyDelivery, SurveyQuestion
from grievance.models.survey import ANSWERED, NO_ANSWER, PENDING, SENT, SKIPPED_ANSWER, UNANSWERED, YES_NO

# The operating system's randomness: a seeded generator's draws could be replayed.
_draw = secrets.SystemRandom()
NOT_ANSWERS = (NO_ANSWER, SKIPPED_ANSWER)


def record_answer(session: Session, *, run_id: int, question: SurveyQuestion, worker_id: int, value: str,
                  text: str | None, message_id: int | None, now: datetime) -> SurveyAnswer:
    """Store her answer (or "unanswered" / "skipped") to one question of the run; a second one
    replaces the first. Her delivery is answered from her first real answer on."""
    randomized = question.kind == YES_NO and bool(question.randomized_share) and value in ("yes", "no")
    if randomized:
        if _draw.random() < question.randomized_share:
            value = _draw.choice(("yes", "no"))
        _forget_reply(session, message_id)
        text, message_id = None, None
    row = session.scalar(select(SurveyAnswer).where(SurveyAnswer.run_id == run_id,
                                                    SurveyAnswer.question_id == question.id,
                                                    SurveyAnswer.worker_id == worker_id))
    if row is None:
        row = SurveyAnswer(run_id=run_id, question_id=question.id, worker_id=worker_id)
        session.add(row)
    row.value, row.text, row.randomized, row.message_id, row.answered_at = value, text, randomized, message_id, now
    if value not in NOT_ANSWERS:
        delivery = _delivery(session, run_id, worker_id)
        if delivery is not None:
            delivery.status = ANSWERED
            delivery.answered_at = delivery.answered_at or now
    session.flush()
    return row


def _forget_reply(session: Session, message_id: int | None) -> None:
    message = session.get(Message, message_id) if message_id is not None else None
    if message is not None:
        message.body, message.body_normalized, message.body_readable = "", None, None


def _delivery(session: Session, run_id: int, worker_id: int) -> SurveyDelivery | None:
    return session.scalar(select(SurveyDelivery).where(SurveyDelivery.run_id == run_id,
                                                       SurveyDelivery.worker_id == worker_id))


def answered_positions(session: Session, run_id: int, worker_id: int) -> set[int]:
    """The questions of the run that already have a row of hers (an answer, or none given)."""
    return set(session.scalars(select(SurveyQuestion.position).join(
        SurveyAnswer, SurveyAnswer.question_id == SurveyQuestion.id).where(
        SurveyAnswer.run_id == run_id, SurveyAnswer.worker_id == worker_id)))


def close_delivery(session: Session, *, run_id: int, questions: list[SurveyQuestion], worker_id: int,
                   now: datetime, reason: str | None = None) -> None:
    """Her survey is over (finished, left unanswered, or she stopped it): each question without a
    row is recorded unanswered, and a delivery with no answer at all is marked unanswered."""
    recorded = answered_positions(session, run_id, worker_id)
    for question in questions:
        if question.position not in recorded:
            record_answer(session, run_id=run_id, question=question, worker_id=worker_id, value=NO_ANSWER,
                          text=None, message_id=None, now=now)
    delivery = _delivery(session, run_id, worker_id)
    if delivery is None:
        return
    if delivery.status in (PENDING, SENT):  # nothing answered (an answered one stays so)
        delivery.status = UNANSWERED
    if reason is not None:
        delivery.reason = reason
    session.flush()
