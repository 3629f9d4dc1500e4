"""Recording a factory's grant (or its end) of a buyer organisation's access to its summaries,
shared by the admins' pages and the factory manager's page (grievance.web.factory.access): the ConsentGrant row holds who and
when, and the admin log gets the same line whoever did it."""

from __future__ import annotations

from flask_login import current_user

from grievance.access.grants import active_grant, grant, revoke
from grievance.models import ConsentGrant, Factory, Organisation
from grievance.web.admin.audit import record


def record_grant(factory: Factory, organisation: Organisation, note: str | None = None) -> ConsentGrant | None:
    """The factory grants access now; None if it already did (a second press changes nothing)."""
    if active_grant(factory, organisation) is not None:
        return None
    made = grant(factory, organisation, by=current_user)
    record("grants", "add", f"{factory.code} → {organisation.code}", note=note)
    return made


def record_revoke(factory: Factory, organisation: Organisation, note: str | None = None) -> bool:
    """Access ends now (the organisation's people lose it at their next page, CSV or API call);
    False if there was none to end."""
    if not revoke(factory, organisation, by=current_user):
        return False
    record("grants", "revoke", f"{factory.code} → {organisation.code}", note=note)
    return True
