"""Who holds a role for a case: the people a deadline notification goes to.

A case climbs a chain of roles as its deadlines are missed (workflows/notifications.py names
the chain); this finds the active people holding each role in the case's scope.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from grievance.access.roles import ADVISOR, PICC, PROGRAMME_MANAGER
from grievance.models import Case, Membership, User
from grievance.models.case import ROUTE_PICC


class People:
    """Active users by role and scope, looked up once per sweep."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._cache: dict[tuple, frozenset[int]] = {}

    def _members(self, role: str, *, factory_id: int | None = None, country_code: str | None = None,
                 country_wide: bool = False) -> frozenset[int]:
        key = (role, factory_id, country_code, country_wide)
        if key not in self._cache:
            query = (select(Membership.user_id).join(User, User.id == Membership.user_id)
                     .where(Membership.role == role, User.active.is_(True)))
            if factory_id is not None:
                query = query.where(Membership.factory_id == factory_id)
            if country_code is not None:
                query = query.where(Membership.country_code == country_code)
            if country_wide:
                query = query.where(Membership.factory_id.is_(None))
            self._cache[key] = frozenset(self.session.scalars(query))
        return self._cache[key]

    def for_level(self, case: Case, role: str) -> set[int]:
        if role == PICC:
            return set(self._members(PICC, factory_id=case.factory_id)) if case.factory_id else set()
        if role == ADVISOR:
            own = self._members(ADVISOR, factory_id=case.factory_id) if case.factory_id else frozenset()
            return set(own or self._members(ADVISOR, country_code=case.country_code, country_wide=True))
        # The country's programme managers, and the factory's own if it has one: never one
        # added for another factory, who may not see the case (Viewer.case_rows).
        own = self._members(PROGRAMME_MANAGER, factory_id=case.factory_id) if case.factory_id else frozenset()
        return set(own | self._members(PROGRAMME_MANAGER, country_code=case.country_code, country_wide=True))

    def committee(self, case: Case) -> set[int]:
        """The factory's committee stays informed of its own cases, never of the advisors'."""
        return self.for_level(case, PICC) if case.route == ROUTE_PICC else set()
