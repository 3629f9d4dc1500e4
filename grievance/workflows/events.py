"""The append-only case log: who did what, when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from grievance.models import Case, CaseEvent


def record(session: Session, case: Case, kind: str, now: datetime, actor_user_id: int | None = None,
           **data: Any) -> CaseEvent:
    event = CaseEvent(case_id=case.id, kind=kind, at=now, actor_user_id=actor_user_id, data=data)
    session.add(event)
    return event
