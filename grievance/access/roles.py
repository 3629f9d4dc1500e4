"""The roles, what each is scoped to, and the memberships that hold them.

Only this package knows what a role string means; everything else asks a Viewer (viewer.py)
or, to find who holds a role for a case, ``people.People``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grievance.models.user import ROLES

PICC, FACTORY_MANAGER, ADVISOR, PROGRAMME_MANAGER, BUYER, ADMIN = ROLES
# Those who work cases: acknowledge, write to the worker, resolve.
CASE_WORKERS = frozenset({PICC, ADVISOR, PROGRAMME_MANAGER, ADMIN})
# Scoped to one factory, always.
FACTORY_ROLES = frozenset({PICC, FACTORY_MANAGER})
# Scoped to a country, or to one factory.
COUNTRY_ROLES = frozenset({ADVISOR, PROGRAMME_MANAGER})


@dataclass(frozen=True)
class Scope:
    """One membership, as the access rules read it."""

    role: str
    factory_id: int | None = None
    country_code: str | None = None
    organisation_id: int | None = None


def scope_problem(role: str, *, factory: bool, country: bool, organisation: bool) -> str | None:
    """Why a membership of this role with this scope cannot be made (None: it can)."""
    if role not in ROLES:
        return f"unknown role {role!r}"
    if role in FACTORY_ROLES and not factory:
        return f"role {role} needs --factory"
    if role in COUNTRY_ROLES and not (country or factory):
        return f"role {role} needs --country"
    if role == BUYER and not organisation:
        return "role buyer needs --buyer"
    return None


def keeps_country(role: str) -> bool:
    """Whether the membership records a country: the roles scoped by country (and admin, for
    whom it is a note of where she works), never a factory's own people."""
    return role in COUNTRY_ROLES or role == ADMIN


def organisation_code(name: str) -> str:
    """The code an organisation gets from its name: lower case, dashes ("H&M Group" → "h-m-group")."""
    return re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")[:64] or "organisation"
