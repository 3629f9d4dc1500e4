"""Which queue a case goes to. Management sits on the PICC, so cases where a worker could be
hurt for speaking go to the programme's advisors for the country, never to the factory.

The route of each category is data per country (``routing_rules``, edited at /admin). An
admin may send more categories to the advisors, never fewer: the grave categories, a danger
to someone right now and an unknown factory go to the advisors whatever a rule says.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from grievance.models import RoutingRule
from grievance.models.case import ROUTE_ADVISOR, ROUTE_PICC
from grievance.workflows.rules_cache import cached

# Child or forced labour, violence and sexual harassment, and anything about worker
# representatives (where retaliation is the danger) go to the advisors.
ADVISOR_CATEGORIES = frozenset({"child_labour", "forced_labour", "harassment_violence", "union_representatives"})


def route_for(session: Session, country_code: str, category: str, danger_now: bool, factory_known: bool) -> str:
    if category in ADVISOR_CATEGORIES or danger_now or not factory_known:
        return ROUTE_ADVISOR
    route = country_routes(session, country_code).get(category)
    return route if route in (ROUTE_PICC, ROUTE_ADVISOR) else ROUTE_PICC


def country_routes(session: Session, country_code: str) -> dict[str, str]:
    """The country's rules, category → route (read once every few seconds: rules_cache)."""
    return cached(session, ("routes", country_code), lambda: dict(session.execute(
        select(RoutingRule.category, RoutingRule.route).where(RoutingRule.country_code == country_code)).all()))
