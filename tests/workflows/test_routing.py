"""Which queue a case goes to: the routing rules of its country, under the rules no admin can change."""

from __future__ import annotations

import pytest

from grievance.models import RoutingRule
from grievance.workflows.routing import ADVISOR_CATEGORIES, route_for


@pytest.mark.parametrize("category", sorted(ADVISOR_CATEGORIES))
def test_a_grave_category_goes_to_the_advisors_even_where_a_rule_says_the_committee(session, category):
    session.merge(RoutingRule(country_code="ID", category=category, route="picc"))
    session.flush()
    assert route_for(session, "ID", category, False, True) == "advisor"


def test_danger_now_and_an_unknown_factory_go_to_the_advisors(session):
    assert route_for(session, "ID", "wages", False, True) == "picc"
    assert route_for(session, "ID", "wages", True, True) == "advisor"
    assert route_for(session, "ID", "wages", False, False) == "advisor"


def test_an_admin_may_send_a_category_to_the_advisors_in_one_country_only(session):
    session.merge(RoutingRule(country_code="ID", category="discrimination", route="advisor"))
    session.flush()
    assert route_for(session, "ID", "discrimination", False, True) == "advisor"
    assert route_for(session, "KH", "discrimination", False, True) == "picc"
