"""What a person may see, decided in one place from their memberships."""

from __future__ import annotations

from sqlalchemy import Select, and_, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from grievance.extensions import db
from grievance.models import Case, User
from grievance.models.case import ROUTE_PICC


def case_scope(user: User) -> ColumnElement[bool]:
    """The cases a user works on: a PICC member sees her factory's PICC queue only; an advisor
    or programme manager added for one factory sees that factory's cases, of both routes (she is
    the one its late committee cases escalate to); one added for a country sees every case of
    the country; an admin sees all. Every list, page, notification, mail and attachment asks this."""
    conditions: list[ColumnElement[bool]] = []
    for membership in user.memberships:
        if membership.role == "admin":
            return true()
        if membership.role == "picc" and membership.factory_id is not None:
            conditions.append(and_(Case.factory_id == membership.factory_id, Case.route == ROUTE_PICC))
        elif membership.role in ("advisor", "programme_manager") and membership.factory_id is not None:
            conditions.append(Case.factory_id == membership.factory_id)
        elif membership.role in ("advisor", "programme_manager") and membership.country_code:
            conditions.append(Case.country_code == membership.country_code)
    return or_(*conditions) if conditions else false()


def visible_cases(user: User) -> Select:
    return select(Case).where(case_scope(user))


def visible_case(user: User, reference: str) -> Case | None:
    return db.session.scalar(visible_cases(user).where(Case.reference == reference.upper()))


def can_work_queue(user: User) -> bool:
    return any(m.role in {"picc", "advisor", "programme_manager", "admin"} for m in user.memberships)
