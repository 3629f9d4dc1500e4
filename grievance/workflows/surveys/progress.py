"""How far a run has come, from its deliveries and the status of each recipient's first message
of the run: two GROUP BY queries, whatever the run's size. Counts only, nothing of any worker."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from grievance.models import Conversation, Message, SurveyDelivery, SurveyRun
from grievance.models.message import DELIVERED, FAILED, OUTBOUND
from grievance.models.survey import (ANNOUNCEMENT, ANSWERED, CANCELLED, DELIVERY_CANCELLED, FINISHED, PENDING, SENT,
                                     SKIPPED, UNANSWERED)
from grievance.workflows.conversations.survey import SURVEY, SURVEY_EXPIRY


@dataclass(frozen=True)
class Progress:
    total: int  # every recipient, those skipped and cancelled included
    sent: int  # her first message queued to go
    delivered: int  # …and the provider says it reached her phone
    answered: int
    failed: int  # the first message could not be delivered
    left: int  # not sent yet
    cancelled: int  # never sent: the run was cancelled
    skipped: int  # never sent: opted out, consent withdrawn, over the monthly cap

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def progress(session: Session, run: SurveyRun) -> Progress:
    counts: dict[str, int] = {}
    answered = 0
    for status, count, with_answer in session.execute(
            select(SurveyDelivery.status, func.count(), func.count(SurveyDelivery.answered_at))
            .where(SurveyDelivery.run_id == run.id).group_by(SurveyDelivery.status)):
        counts[status] = count
        answered += with_answer
    if not counts:  # planned: nobody has a delivery yet
        planned = int((run.plan or {}).get("recipients", 0))
        return Progress(total=planned, sent=0, delivered=0, answered=0, failed=0, left=planned, cancelled=0, skipped=0)
    # Her first message of the run: what the delivery recorded, or, for a worker who was asked
    # only after the conversation she was in, the first one the run sent her since.
    firsts = (select(func.min(Message.id)).where(Message.run_id == run.id, Message.direction == OUTBOUND)
              .group_by(Message.worker_id))
    first = dict(session.execute(select(Message.status, func.count()).where(Message.id.in_(firsts.scalar_subquery()))
                                 .group_by(Message.status)).all())
    return Progress(
        total=sum(counts.values()),
        sent=counts.get(SENT, 0) + counts.get(ANSWERED, 0) + counts.get(UNANSWERED, 0),
        delivered=first.get(DELIVERED, 0) + first.get("read", 0),
        answered=max(answered, counts.get(ANSWERED, 0)),
        failed=first.get(FAILED, 0),
        left=counts.get(PENDING, 0),
        cancelled=counts.get(DELIVERY_CANCELLED, 0),
        skipped=counts.get(SKIPPED, 0),
    )


def of_run(run_id: int):
    """The survey conversations of a run (``data`` names its run), for a WHERE clause."""
    return (Conversation.kind == SURVEY) & (Conversation.data["run_id"].as_integer() == run_id)


def open_conversations(session: Session, run: SurveyRun) -> int:
    """How many workers are still in the middle of the run's survey (asked, or waiting to be)."""
    return session.scalar(select(func.count()).select_from(Conversation).where(of_run(run.id))) or 0


def answers_over(session: Session, run: SurveyRun, now: datetime) -> bool:
    """No answer of the run can come any more: every invitation went (or the run was cancelled)
    and no survey conversation of it is open, or each question's expiry has passed since the
    last invitation went, so figures read now are the final ones."""
    if run.status == CANCELLED:
        return True
    if run.status != FINISHED:
        return False
    if run.survey.kind == ANNOUNCEMENT:
        return True
    questions = len(run.survey.questions)
    if run.finished_at is not None and now >= run.finished_at + SURVEY_EXPIRY * max(questions, 1):
        return True
    return open_conversations(session, run) == 0
