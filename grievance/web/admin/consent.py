"""Recording a factory's grant (or its end) of a buyer organisation's access to its summaries,
shared by the admins' pages, the factory manager's page (grievance.web.factory.access) and the
API (grievance.api.factories): the ConsentGrant row holds who and when, and the admin log gets
the same line whoever did it, wherever."""

from __future__ import annotations

from flask_login import current_user

from grievance.access.grants import active_grant, grant, revoke
from grievance.models import ConsentGrant, Factory, Organisation, User
from grievance.web.admin.audit import record


def _logged(action: str, factory: Factory, organisation: Organisation, note: str | None, by: User) -> None:
    event = record("grants", action, f"{factory.code} → {organisation.code}", note=note)
    event.actor_user_id = by.id  # an API call has a token's owner, not a signed-in user


def record_grant(factory: Factory, organisation: Organisation, note: str | None = None,
                 by: User | None = None) -> ConsentGrant | None:
    """The factory grants access now, by ``by`` (the signed-in user unless told); None if it
    already did (a second press changes nothing)."""
    if active_grant(factory, organisation) is not None:
        return None
    by = by or current_user
    made = grant(factory, organisation, by=by)
    _logged("add", factory, organisation, note, by)
    return made


def record_revoke(factory: Factory, organisation: Organisation, note: str | None = None,
                  by: User | None = None) -> bool:
    """Access ends now (the organisation's people lose it at their next page, CSV or API call);
    False if there was none to end."""
    by = by or current_user
    if not revoke(factory, organisation, by=by):
        return False
    _logged("revoke", factory, organisation, note, by)
    return True
