"""A factory manager grants and ends a buyer organisation's access from her factory's page;
the buyer's people see, then stop seeing, the factory at once."""

from __future__ import annotations

from sqlalchemy import select

from grievance.access.grants import organisation_for
from grievance.extensions import db
from grievance.models import AdminEvent, ConsentGrant, User
from tests import factories
from tests.conftest import csrf_token

MANAGER, OTHER_MANAGER, BUYER = "mira@example.org", "omar@example.org", "bea@example.org"


def _signed_in(app, email):
    http = app.test_client()
    page = http.get("/login").get_data(as_text=True)
    assert http.post("/login", data={"email": email, "password": factories.PASSWORD,
                                     "csrf_token": csrf_token(page)}).status_code == 302
    return http


def _world(app):
    factories.factory()
    factories.factory(code="IDN-0002", name="PT Lain Tekstil", number="+622150000002")
    factories.user(email=MANAGER, role="factory_manager", name="Mira", factory_code="IDN-0001", language="en")
    factories.user(email=OTHER_MANAGER, role="factory_manager", name="Omar", factory_code="IDN-0002", language="en")
    factories.user(email=BUYER, role="buyer", name="Bea", buyer="Acme Brands", language="en")
    acme = organisation_for("Acme Brands")
    db.session.commit()
    return acme.id, _signed_in(app, MANAGER), _signed_in(app, BUYER)


def _grant(http, organisation_id, code="IDN-0001"):
    token = csrf_token(http.get("/factory").get_data(as_text=True))
    return http.post(f"/factory/{code}/access", data={"access-organisation": str(organisation_id),
                                                      "csrf_token": token})


def _active():
    return db.session.scalars(select(ConsentGrant).where(ConsentGrant.revoked_at.is_(None))).all()


def test_the_manager_grants_access_and_the_buyer_sees_the_factory_then_loses_it_at_once(app):
    acme, manager, buyer = _world(app)
    page = manager.get("/factory").get_data(as_text=True)
    assert "No buyer organisation sees your factory" in page and "Acme Brands" in page  # offered in the list
    assert "PT Contoh Garmen" not in buyer.get("/buyers").get_data(as_text=True)

    assert _grant(manager, acme).status_code == 302
    mira = db.session.scalar(select(User).where(User.email == MANAGER))
    [made] = _active()
    assert made.granted_by_id == mira.id and made.granted_at is not None
    page = manager.get("/factory").get_data(as_text=True)
    assert "granted by Mira" in page and "Access granted" in page
    assert "PT Contoh Garmen" in buyer.get("/buyers").get_data(as_text=True)

    # Ending it asks first, saying what happens; nothing changes until she confirms.
    url = f"/factory/IDN-0001/access/{made.id}/revoke"
    token = csrf_token(page)
    asked = manager.post(url, data={"csrf_token": token})
    assert asked.status_code == 200
    assert "stop seeing your factory's figures at once" in asked.get_data(as_text=True)
    assert len(_active()) == 1
    assert manager.post(url, data={"csrf_token": token, "confirm": "yes"}).status_code == 302

    db.session.expire_all()
    assert _active() == [] and made.revoked_by_id == mira.id and made.revoked_at is not None
    assert "PT Contoh Garmen" not in buyer.get("/buyers").get_data(as_text=True)  # her very next page
    assert buyer.get("/buyers/factories/IDN-0001/followup?period=2025-Q1").status_code == 404
    page = manager.get("/factory").get_data(as_text=True)
    assert "Access ended" in page and "Access granted" in page and "No buyer organisation sees" in page
    logged = db.session.scalars(select(AdminEvent).where(AdminEvent.area == "grants").order_by(AdminEvent.id)).all()
    assert [(event.action, event.actor_user_id) for event in logged] == [("add", mira.id), ("revoke", mira.id)]


def test_pressing_grant_or_end_twice_changes_nothing_the_second_time(app):
    acme, manager, _ = _world(app)
    assert _grant(manager, acme).status_code == 302
    again = _grant(manager, acme)  # the old page, pressed again
    assert again.status_code == 302
    assert "already sees" in manager.get("/factory").get_data(as_text=True)
    [made] = _active()
    assert len(db.session.scalars(select(ConsentGrant)).all()) == 1

    token = csrf_token(manager.get("/factory").get_data(as_text=True))
    url = f"/factory/IDN-0001/access/{made.id}/revoke"
    assert manager.post(url, data={"csrf_token": token, "confirm": "yes"}).status_code == 302
    assert manager.post(url, data={"csrf_token": token, "confirm": "yes"}).status_code == 302
    assert len(db.session.scalars(select(AdminEvent).where(AdminEvent.action == "revoke")).all()) == 1


def test_a_manager_of_another_factory_gets_404_and_changes_nothing(app):
    acme, manager, _ = _world(app)
    _grant(manager, acme)
    [made] = _active()
    other = _signed_in(app, OTHER_MANAGER)
    assert _grant(other, acme, code="IDN-0001").status_code == 404
    token = csrf_token(other.get("/factory").get_data(as_text=True))
    assert other.post(f"/factory/IDN-0001/access/{made.id}/revoke",
                      data={"csrf_token": token, "confirm": "yes"}).status_code == 404
    # Her own factory's address with the other factory's grant: not found either.
    assert other.post(f"/factory/IDN-0002/access/{made.id}/revoke",
                      data={"csrf_token": token, "confirm": "yes"}).status_code == 404
    assert _active() == [made]
    assert "Acme Brands" not in other.get("/factory").get_data(as_text=True).split('id="access"')[1].split("<h3")[0]


def test_a_grant_without_a_csrf_token_or_an_organisation_is_refused(app):
    acme, manager, _ = _world(app)
    assert manager.post("/factory/IDN-0001/access", data={"access-organisation": str(acme)}).status_code == 400
    token = csrf_token(manager.get("/factory").get_data(as_text=True))
    refused = manager.post("/factory/IDN-0001/access", data={"access-organisation": "", "csrf_token": token})
    assert refused.status_code == 400 and "Choose an organisation." in refused.get_data(as_text=True)
    assert _active() == []


def test_the_manager_is_told_whom_to_ask_for_an_organisation_not_in_the_list(app):
    _, manager, _ = _world(app)
    page = manager.get("/factory").get_data(as_text=True)
    assert "Ask the programme's administrators to add it" in page
    assert "/admin/organisations" not in page  # she cannot make one herself


def test_the_access_panel_loads_its_grants_in_a_fixed_number_of_queries(app):
    from sqlalchemy import event as sql_event

    from grievance.access.grants import grant, revoke
    from grievance.models import Factory
    from grievance.web.factory.panel import access_panel

    _world(app)
    factory = db.session.scalar(select(Factory).where(Factory.code == "IDN-0001"))
    manager = db.session.scalar(select(User).where(User.email == MANAGER))

    def statements() -> int:
        seen: list[str] = []

        def count(*args):
            seen.append(args[2])

        db.session.expire_all()  # as a fresh request finds them: nothing loaded yet
        sql_event.listen(db.engine, "before_cursor_execute", count)
        try:
            with app.test_request_context("/factory"):
                panel = access_panel(db.session.get(Factory, factory.id))
                assert [step.organisation for step in panel.history]  # every name read, as the page does
        finally:
            sql_event.remove(db.engine, "before_cursor_execute", count)
        return len(seen)

    grant(factory, organisation_for("Brand 0"), by=manager)
    db.session.commit()
    few = statements()
    for n in range(1, 6):
        grant(factory, organisation_for(f"Brand {n}"), by=manager)
        revoke(factory, organisation_for(f"Brand {n}"), by=manager)
    db.session.commit()
    assert statements() == few
