"""Adding and removing the memberships that hold a role (the command line and the admin pages)."""

from __future__ import annotations

from grievance.access.roles import keeps_country
from grievance.models import Factory, Membership, Organisation, User


def add_membership(session, user: User, role: str, *, factory: Factory | None = None,
                   country_code: str | None = None, organisation: Organisation | None = None) -> Membership | None:
    """One more membership of ``user`` (the caller has checked ``scope_problem``); None if she
    holds it already. A factory's people record no country; the country roles take the
    factory's when none is given."""
    country = (country_code or (factory.country_code if factory else None) or "").upper() or None
    membership = Membership(user_id=user.id, role=role, factory_id=factory.id if factory else None,
                            country_code=country if keeps_country(role) else None,
                            organisation_id=organisation.id if organisation else None)
    key = (membership.role, membership.factory_id, membership.country_code, membership.organisation_id)
    if any((m.role, m.factory_id, m.country_code, m.organisation_id) == key for m in user.memberships):
        return None
    session.add(membership)
    user.memberships.append(membership)
    return membership
