"""Her message goes on one of her cases: the one way every inbound message joins a case.

The "worker replied" marker (``Case.worker_replied_at``) is set whenever her words join a case
after its opening message, whatever the case's status: each such message asks someone to read
it, whether or not the committee had answered yet. It is cleared when someone writes to her
(``followup.committee_reply``) or resolves the case. When the marker goes from empty to set,
the people responsible for the case get one in-app notification (and so the digest mail): the
assignee if someone took the case, else those at the case's level and, for a committee case,
the committee. Further messages before anyone answers add no notification: the marker says it.

Not marked: the messages that open a case (the intake's), a bare rating (1 or 2: the rating
itself moves the case), a rating question asked again, messages held with another, and
messages over the flood limit (kept on the case, flagged).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from grievance.access import Viewer
from grievance.access.people import People
from grievance.models import Case, Message, Notification
from grievance.workflows.deadlines import worker_replied
from grievance.workflows.events import record
from grievance.workflows.notifications import level_role

REPLIED = "replied"


def attach(session: Session, case: Case, message: Message | None, now: datetime, *, words: bool = True,
           event: str | None = "worker_message") -> None:
    """Put ``message`` on ``case``. With ``words``, they are hers for the people working it: the
    case log says so, a clock waiting for her runs again, and the case is marked as answered."""
    if message is not None:
        message.case_id = case.id
    if not words:
        return
    if event:
        record(session, case, event, now, message_id=message.id if message is not None else None)
    worker_replied(session, case, now)
    if case.worker_replied_at is None:
        _notify(session, case, now)
    case.worker_replied_at = now


def responsible(session: Session, case: Case) -> set[int]:
    """Who is told she wrote: the person who took the case, else its level and its committee."""
    if case.assignee is not None and Viewer.for_user(case.assignee).may_act(case):
        return {case.assignee_id}
    # Nobody took it, or she who did may no longer work it (deactivated, her role removed, the
    # case moved to the advisors): those responsible for it now are told.
    people = People(session)
    return people.for_level(case, level_role(case)) | people.committee(case)


def _notify(session: Session, case: Case, now: datetime) -> None:
    session.add_all(Notification(user_id=user_id, case_id=case.id, kind=REPLIED, deadline="", created_at=now,
                                 data={}) for user_id in sorted(responsible(session, case)))
