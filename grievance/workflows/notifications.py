"""Who is told about a case, and the mail that tells them.

A case climbs a chain of people as its deadlines are missed. A factory's committee (PICC)
hands over to the factory's advisor (or the country's advisors when the factory has none of
its own), and the advisors to the country's programme manager. A case routed to the advisors
starts at the advisors, and the factory's people are never told of it.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from grievance.access import FULL, Viewer
from grievance.access.roles import ADVISOR, PICC, PROGRAMME_MANAGER
from grievance.models import Case, Notification, User
from grievance.models.case import ROUTE_ADVISOR, ROUTE_PICC

CHAINS = {ROUTE_PICC: (PICC, ADVISOR, PROGRAMME_MANAGER), ROUTE_ADVISOR: (ADVISOR, PROGRAMME_MANAGER)}
# A digest mail lists at most this many notifications, then says how many more there are.
DIGEST_ITEMS = 20


def escalation_chain(route: str) -> tuple[str, ...]:
    return CHAINS.get(route, CHAINS[ROUTE_ADVISOR])


def level_role(case: Case) -> str:
    chain = escalation_chain(case.route)
    return chain[min(case.escalation_level, len(chain) - 1)]


def visible_notifications(user: User):
    """A person's notifications about cases they may still see (memberships change)."""
    return (select(Notification).join(Case, Case.id == Notification.case_id)
            .where(Notification.user_id == user.id, Viewer.for_user(user).case_rows(FULL)))


def unread_count(session: Session, user: User) -> int:
    unread = visible_notifications(user).where(Notification.read_at.is_(None)).with_only_columns(
        func.count(Notification.id))
    return session.scalar(unread) or 0


def mark_read(session: Session, user: User, now: datetime) -> int:
    return session.execute(
        update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now)
    ).rowcount


def pending_digests(session: Session) -> dict[int, list[int]]:
    """Notification ids not yet mailed, by user."""
    rows = session.execute(
        select(Notification.user_id, Notification.id).where(Notification.emailed_at.is_(None))
        .order_by(Notification.user_id, Notification.id)
    )
    by_user: dict[int, list[int]] = defaultdict(list)
    for user_id, notification_id in rows:
        by_user[user_id].append(notification_id)
    return by_user


def claim_digest(session: Session, ids: list[int], now: datetime) -> list[int]:
    """Mark them mailed; the ids this mailer claimed. A second mailer running at the same time
    claims none of them: it waits on the row locks, then finds them mailed."""
    claimed: list[int] = []
    for start in range(0, len(ids), 500):
        claimed += session.scalars(
            update(Notification).where(Notification.id.in_(ids[start:start + 500]),
                                       Notification.emailed_at.is_(None))
            .values(emailed_at=now).returning(Notification.id).execution_options(synchronize_session=False)
        ).all()
    return sorted(claimed)


def release_digest(session: Session, ids: list[int]) -> None:
    """The mail could not be sent: the next round tries again."""
    for start in range(0, len(ids), 500):
        session.execute(update(Notification).where(Notification.id.in_(ids[start:start + 500]))
                        .values(emailed_at=None).execution_options(synchronize_session=False))


def digest_items(session: Session, user: User, ids: list[int]) -> tuple[list[Notification], int]:
    """What the mail lists (the first DIGEST_ITEMS the person may still see) and how many in all."""
    visible = session.scalars(visible_notifications(user).where(Notification.id.in_(ids))
                              .order_by(Notification.id)).all()
    return list(visible[:DIGEST_ITEMS]), len(visible)
