"""Which queue a case goes to. Management sits on the PICC, so cases where a worker could be
hurt for speaking go to the programme's advisors for the country, never to the factory."""

from __future__ import annotations

from grievance.models.case import ROUTE_ADVISOR, ROUTE_PICC

# Child or forced labour, violence and sexual harassment, and anything about worker
# representatives (where retaliation is the danger) go to the advisors.
ADVISOR_CATEGORIES = frozenset({"child_labour", "forced_labour", "harassment_violence", "union_representatives"})


def route_for(category: str, danger_now: bool, factory_known: bool) -> str:
    if category in ADVISOR_CATEGORIES or danger_now or not factory_known:
        return ROUTE_ADVISOR
    return ROUTE_PICC
