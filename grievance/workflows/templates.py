"""Reply templates the admins write, per language, for the people working a case to pick."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from grievance.models import ReplyTemplate


def reply_templates(session: Session, language: str) -> list[tuple[str, str]]:
    """The active templates in ``language``, as (key, text), by key."""
    rows = session.execute(select(ReplyTemplate.key, ReplyTemplate.text).where(
        ReplyTemplate.language == language, ReplyTemplate.active.is_(True)).order_by(ReplyTemplate.key))
    return [(key, text) for key, text in rows]
