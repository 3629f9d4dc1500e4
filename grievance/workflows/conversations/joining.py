"""Her message joins one of her cases: the committee sees it, and a clock waiting for her runs again."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from grievance.language.lexicon import find_reference
from grievance.models import Case, Message, Worker
from grievance.models.message import OUTBOUND
from grievance.workflows.attaching import attach
from grievance.workflows.conversations.registry import Reply

RECENT_THREAD = timedelta(hours=24)


def join(session: Session, case: Case, message: Message, language: str, now: datetime,
         reply: Reply) -> list[Message]:
    """Her message goes on the case, and she is told which."""
    attach(session, case, message, now)
    return reply("added_to_case", language, case=case, reference=case.reference)


def recently_written_case(session: Session, worker: Worker, now: datetime) -> Case | None:
    """The case we last wrote to her about, within a day: what an unaddressed message is likely about."""
    last = session.scalar(
        select(Message).where(Message.worker_id == worker.id, Message.direction == OUTBOUND,
                              Message.case_id.is_not(None), Message.created_at >= now - RECENT_THREAD)
        .order_by(Message.id.desc()).limit(1)
    )
    return session.get(Case, last.case_id) if last is not None else None


def named_case(session: Session, worker: Worker, text: str) -> Case | None:
    """Her case whose reference the text names, if any (another worker's reference names none)."""
    reference = find_reference(text)
    if reference is None:
        return None
    return session.scalar(select(Case).where(Case.worker_id == worker.id, Case.reference == reference))
