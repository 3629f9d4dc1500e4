"""The API's own role × scope matrix (the pages' matrix in tests/access skips the API: it takes
bearer tokens, never a session). What each of the world's people may read and change."""

from __future__ import annotations

import pytest

from sqlalchemy import select

from grievance.access.grants import grant, organisation_for, revoke
from grievance.extensions import db
from grievance.models import AdminEvent, Factory, User
from tests.access import world as worlds

INDONESIA = {"own_committee", "own_committee_named", "own_advisor", "own_advisor_named", "other_factory"}
FACTORY_A = {"own_committee", "own_committee_named", "own_advisor", "own_advisor_named"}
COMMITTEE_A = {"own_committee", "own_committee_named"}
CASES = {
    "picc": COMMITTEE_A,
    "factory_manager": COMMITTEE_A,  # never an advisor case of her factory, not even that it exists
    "advisor_country": INDONESIA,
    "advisor_factory": FACTORY_A,
    "programme_manager": INDONESIA,
    "buyer": set(),
    "admin": INDONESIA | {"other_country"},
}
FACTORIES = {
    "picc": {"IDN-0001"}, "factory_manager": {"IDN-0001"}, "advisor_country": {"IDN-0001", "IDN-0002"},
    "advisor_factory": {"IDN-0001"}, "programme_manager": {"IDN-0001", "IDN-0002"},
    "buyer": {"IDN-0001"},  # the world's factory A grants Acme Brands access
    "admin": {"IDN-0001", "IDN-0002", "KHM-0001"},
}
# (factory, organisation, active): A→Acme (the world's), B→Acme (revoked), C→Other Brand.
GRANTS = {
    "picc": {("IDN-0001", "acme-brands", True)},
    "factory_manager": {("IDN-0001", "acme-brands", True)},
    "advisor_country": {("IDN-0001", "acme-brands", True), ("IDN-0002", "acme-brands", False)},
    "advisor_factory": {("IDN-0001", "acme-brands", True)},
    "programme_manager": {("IDN-0001", "acme-brands", True), ("IDN-0002", "acme-brands", False)},
    "buyer": {("IDN-0001", "acme-brands", True)},
    "admin": {("IDN-0001", "acme-brands", True), ("IDN-0002", "acme-brands", False),
              ("KHM-0001", "other-brand", True)},
}
ROLES = worlds.ROLES


def _more_grants(api) -> None:
    factories = api.world.factories
    acme = organisation_for("Acme Brands")
    grant(factories["B"], acme, by=None)
    revoke(factories["B"], acme, by=None)
    grant(factories["C"], organisation_for("Other Brand"), by=None)
    db.session.commit()


def _all(call, role: str, path: str) -> list[dict]:
    items, after = [], None
    while True:
        response = call(role, "GET", path, query_string={"limit": 2, **({"after": after} if after else {})})
        assert response.status_code == 200, response.get_json()
        items += response.get_json()["items"]
        after = response.get_json()["next"]
        if after is None:
            return items


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_and_opens_exactly_the_cases_she_may_read(call, api, role):
    references = {key: case.reference for key, case in api.world.cases.items()}
    listed = {item["reference"] for item in _all(call, role, "/api/v1/cases")}
    assert listed == {references[key] for key in CASES[role]}
    for key, reference in references.items():
        response = call(role, "GET", f"/api/v1/cases/{reference}")
        assert response.status_code == (200 if key in CASES[role] else 404), (key, response.get_json())
        if response.status_code == 404:
            assert response.get_json()["message"] == "There is nothing here, or the token's owner may not see it."


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_the_factories_whose_summaries_she_may_see(call, api, role):
    assert {item["code"] for item in _all(call, role, "/api/v1/factories")} == FACTORIES[role]
    for code in ("IDN-0001", "IDN-0002", "KHM-0001"):
        expected = 200 if code in FACTORIES[role] else 404
        assert call(role, "GET", f"/api/v1/factories/{code}").status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_each_role_lists_the_grants_of_her_scope(call, api, role):
    _more_grants(api)
    items = _all(call, role, "/api/v1/grants")
    assert {(item["factory"], item["organisation"], item["revoked_at"] is None) for item in items} == GRANTS[role]


def test_a_case_shows_its_status_and_deadlines_and_nothing_she_wrote(call, api):
    case = api.world.cases["own_committee_named"]
    body = call("factory_manager", "GET", f"/api/v1/cases/{case.reference}").get_json()
    assert body == {
        "reference": case.reference, "factory": "IDN-0001", "country": "ID", "category": "wages",
        "route": "picc", "status": "new", "opened_at": body["opened_at"], "acknowledge_by": body["acknowledge_by"],
        "resolve_by": body["resolve_by"], "acknowledged_in_time": None, "resolved_in_time": None,
        "outcome_code": None, "grade": "status"}
    full = call("admin", "GET", f"/api/v1/cases/{case.reference}").get_data(as_text=True)
    assert worlds.WORDS not in full and "Siti" not in full and "W-TEST" not in full
    assert call("picc", "GET", f"/api/v1/cases/{case.reference}").get_json()["grade"] == "full"


def test_cases_filter_by_status_category_and_factory(call, api):
    api.world.cases["other_factory"].status = "acknowledged"
    db.session.commit()
    reference = api.world.cases["other_factory"].reference

    def listed(**query):
        return {item["reference"] for item in call("admin", "GET", "/api/v1/cases", query_string=query)
                .get_json()["items"]}

    assert listed(status="acknowledged") == {reference}
    assert listed(factory="IDN-0002") == {reference}
    assert len(listed(category="wages")) == 6 and listed(category="safety") == set()
    assert listed(factory="NOPE-1") == set()


def test_a_factory_manager_grants_and_revokes_and_the_buyer_loses_access_at_once(call, api):
    organisation_for("Other Brand")
    db.session.commit()
    made = call("factory_manager", "POST", "/api/v1/factories/IDN-0001/grants", json={"organisation": "other-brand"})
    assert made.status_code == 201
    assert made.get_json()["organisation"] == "other-brand"
    assert made.get_json()["granted_by"] == "factory_manager"
    again = call("factory_manager", "POST", "/api/v1/factories/IDN-0001/grants", json={"organisation": "Other Brand"})
    assert again.status_code == 200 and again.get_json()["id"] == made.get_json()["id"]

    assert call("buyer", "GET", "/api/v1/factories/IDN-0001").status_code == 200
    assert call("factory_manager", "DELETE", "/api/v1/factories/IDN-0001/grants/acme-brands").status_code == 204
    assert call("buyer", "GET", "/api/v1/factories/IDN-0001").status_code == 404
    assert call("buyer", "GET", "/api/v1/factories").get_json()["items"] == []
    assert call("buyer", "GET", "/api/v1/grants").get_json()["items"] == []
    history = call("factory_manager", "GET", "/api/v1/grants").get_json()["items"]
    revoked = next(item for item in history if item["organisation"] == "acme-brands")
    assert revoked["revoked_at"] is not None and revoked["revoked_by"] == "factory_manager"
    # Revoking again: there is no active grant left.
    assert call("factory_manager", "DELETE", "/api/v1/factories/IDN-0001/grants/acme-brands").status_code == 404


@pytest.mark.parametrize("role, factory, expected", [
    ("factory_manager", "IDN-0002", 404),   # not her factory: as absent as one that does not exist
    ("factory_manager", "NOPE-0001", 404),
    ("picc", "IDN-0001", 403),              # she sees the factory; its managers decide its buyers
    ("advisor_country", "IDN-0001", 403),
    ("buyer", "IDN-0001", 403),
    ("buyer", "IDN-0002", 404),
    ("advisor_country", "KHM-0001", 404),
    ("admin", "KHM-0001", 201),
])
def test_only_the_factorys_managers_and_admins_grant(call, api, role, factory, expected):
    organisation_for("Other Brand")
    db.session.commit()
    response = call(role, "POST", f"/api/v1/factories/{factory}/grants", json={"organisation": "other-brand"})
    assert response.status_code == expected, response.get_json()
    assert response.is_json
    revoked = call(role, "DELETE", f"/api/v1/factories/{factory}/grants/acme-brands")
    assert revoked.status_code == {201: 404, 403: 403, 404: 404}[expected]  # admin: C never granted Acme


def test_a_buyer_never_sees_who_at_the_factory_granted(call, api):
    call("factory_manager", "POST", "/api/v1/factories/IDN-0001/grants", json={"organisation": "acme-brands"})
    call("factory_manager", "DELETE", "/api/v1/factories/IDN-0001/grants/acme-brands")
    call("factory_manager", "POST", "/api/v1/factories/IDN-0001/grants", json={"organisation": "acme-brands"})
    [seen] = call("buyer", "GET", "/api/v1/grants").get_json()["items"]
    assert seen["granted_by"] is None and seen["revoked_by"] is None
    manager_view = call("factory_manager", "GET", "/api/v1/grants").get_json()["items"]
    assert any(item["granted_by"] == "factory_manager" for item in manager_view)


def test_an_unknown_organisation_is_a_field_error(call, api):
    response = call("factory_manager", "POST", "/api/v1/factories/IDN-0001/grants", json={"organisation": "nobody"})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"json": {"organisation": ["No organisation has this code or name."]}}


def test_grants_and_revocations_made_through_the_api_are_in_the_admin_log(call, api):
    organisation_for("Other Brand")
    db.session.commit()
    manager = db.session.scalar(select(User).where(User.email == api.world.emails["factory_manager"]))
    assert call("factory_manager", "POST", "/api/v1/factories/IDN-0001/grants",
                json={"organisation": "other-brand"}).status_code == 201
    assert call("factory_manager", "POST", "/api/v1/factories/IDN-0001/grants",
                json={"organisation": "other-brand"}).status_code == 200  # nothing new to log
    assert call("factory_manager", "DELETE", "/api/v1/factories/IDN-0001/grants/acme-brands").status_code == 204
    logged = db.session.scalars(select(AdminEvent).where(AdminEvent.area == "grants")
                                .order_by(AdminEvent.id)).all()
    assert [(event.action, event.subject, event.actor_user_id) for event in logged] == [
        ("add", "IDN-0001 → other-brand", manager.id), ("revoke", "IDN-0001 → acme-brands", manager.id)]


def test_the_grants_list_loads_organisations_and_people_in_a_fixed_number_of_queries(call, api, app):
    from sqlalchemy import event as sql_event

    def statements() -> int:
        seen: list[str] = []

        def count(*args):
            seen.append(args[2])

        sql_event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert call("admin", "GET", "/api/v1/grants").status_code == 200
        finally:
            sql_event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    factory = db.session.scalar(select(Factory).where(Factory.code == "IDN-0001"))

    def more(names: range) -> None:
        for n in names:
            grant(factory, organisation_for(f"Brand {n}"), by=api.user("factory_manager"))
            revoke(factory, organisation_for(f"Brand {n}"), by=api.user("admin"))
        db.session.commit()

    more(range(1))
    few = statements()
    more(range(1, 7))
    assert statements() == few
