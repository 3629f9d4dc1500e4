"""The Viewer's answers for each role: grades of committee and advisor cases, anonymous and
named; rows that agree with grades; summaries for buyers under a grant; landings; tokens."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grievance.access import FULL, NONE, STATUS, Viewer
from grievance.access.grants import grant, organisation_for, revoke
from grievance.access.tokens import create_token
from grievance.extensions import db
from grievance.models import ApiToken, Case, Factory, User
from tests.access import world as worlds

# role → {case: grade}; "*_named": she gave her name (the others are anonymous).
CASES = ("own_committee", "own_committee_named", "own_advisor", "own_advisor_named", "other_factory",
         "other_country")
GRADES = {
    "picc": {"own_committee": FULL, "own_committee_named": FULL, "own_advisor": NONE, "own_advisor_named": NONE,
             "other_factory": NONE, "other_country": NONE},
    "factory_manager": {"own_committee": STATUS, "own_committee_named": STATUS, "own_advisor": NONE,
                        "own_advisor_named": NONE, "other_factory": NONE, "other_country": NONE},
    "advisor_country": {"own_committee": FULL, "own_committee_named": FULL, "own_advisor": FULL,
                        "own_advisor_named": FULL, "other_factory": FULL, "other_country": NONE},
    "advisor_factory": {"own_committee": FULL, "own_committee_named": FULL, "own_advisor": FULL,
                        "own_advisor_named": FULL, "other_factory": NONE, "other_country": NONE},
    "programme_manager": {"own_committee": FULL, "own_committee_named": FULL, "own_advisor": FULL,
                          "own_advisor_named": FULL, "other_factory": FULL, "other_country": NONE},
    "buyer": {case: NONE for case in CASES},
    "admin": {case: FULL for case in CASES},
}


@pytest.fixture
def world(app):
    return worlds.build()


def viewer_of(world, role: str) -> Viewer:
    return Viewer.for_user(db.session.scalar(select(User).where(User.email == world.emails[role])))


@pytest.mark.parametrize("role", sorted(GRADES))
def test_grades_and_rows_of_each_role(world, role):
    viewer = viewer_of(world, role)
    grades = {name: viewer.case_grade(case) for name, case in world.cases.items()}
    assert grades == GRADES[role]
    # The SQL rows say the same as the grades, case by case.
    seen = set(db.session.scalars(select(Case.reference).where(viewer.case_rows())))
    worked = set(db.session.scalars(select(Case.reference).where(viewer.case_rows(FULL))))
    assert seen == {world.cases[name].reference for name, grade in grades.items() if grade != NONE}
    assert worked == {world.cases[name].reference for name, grade in grades.items() if grade == FULL}
    assert all(viewer.may_act(world.cases[name]) == (grade == FULL) for name, grade in grades.items())


def test_a_factory_manager_reads_her_words_only_where_she_gave_her_name(world):
    manager = viewer_of(world, "factory_manager")
    assert not manager.shows_words(world.cases["own_committee"])
    assert manager.shows_words(world.cases["own_committee_named"])
    assert not manager.shows_words(world.cases["own_advisor"])
    assert not manager.shows_words(world.cases["own_advisor_named"])  # her name or not, never advisor cases
    assert not manager.may_act(world.cases["own_committee_named"])
    assert viewer_of(world, "picc").shows_words(world.cases["own_committee"])


def test_signed_out_and_deactivated_people_see_nothing(world):
    nobody = Viewer.for_user(None)
    assert not nobody.is_authenticated and nobody.case_grade(world.cases["own_committee"]) == NONE
    picc = db.session.scalar(select(User).where(User.email == world.emails["picc"]))
    picc.active = False
    assert Viewer.for_user(picc).case_grade(world.cases["own_committee"]) == NONE


def _factory_codes(viewer: Viewer) -> set[str]:
    return set(db.session.scalars(select(Factory.code).where(viewer.summary_factories())))


def test_summaries_by_scope(world):
    assert _factory_codes(viewer_of(world, "picc")) == {"IDN-0001"}
    assert _factory_codes(viewer_of(world, "factory_manager")) == {"IDN-0001"}
    assert _factory_codes(viewer_of(world, "advisor_factory")) == {"IDN-0001"}
    assert _factory_codes(viewer_of(world, "advisor_country")) == {"IDN-0001", "IDN-0002"}
    assert _factory_codes(viewer_of(world, "admin")) == {"IDN-0001", "IDN-0002", "KHM-0001"}


def test_a_buyer_sees_the_factories_granting_access_now(world, client, sign_in):
    buyer = viewer_of(world, "buyer")
    assert _factory_codes(buyer) == {"IDN-0001"}
    acme = organisation_for("acme-brands")
    assert acme.name == "Acme Brands"  # by name or by code, one organisation
    grant(world.factories["B"], acme, by=None)
    db.session.commit()
    assert _factory_codes(buyer) == {"IDN-0001", "IDN-0002"}
    assert revoke(world.factories["A"], acme, by=None)
    db.session.commit()
    assert _factory_codes(buyer) == {"IDN-0002"}
    sign_in(world.emails["buyer"], worlds.PASSWORD)
    page = client.get("/buyers").get_data(as_text=True)
    assert "PT Lain Tekstil" in page and "PT Contoh Garmen" not in page
    assert worlds.WORDS not in page
    # Granting again after a revocation is a new grant; the old one stays as history.
    grant(world.factories["A"], acme, by=None)
    db.session.commit()
    assert _factory_codes(buyer) == {"IDN-0001", "IDN-0002"}


def test_landings(world):
    assert viewer_of(world, "picc").landing_endpoint() == "queue.index"
    assert viewer_of(world, "admin").landing_endpoint() == "queue.index"
    assert viewer_of(world, "factory_manager").landing_endpoint() == "factory.index"
    assert viewer_of(world, "buyer").landing_endpoint() == "buyers.index"


def test_the_factory_page_names_her_factory_and_its_committee_cases_only(world, client, sign_in):
    response = sign_in(world.emails["factory_manager"], worlds.PASSWORD)
    assert response.headers["Location"].endswith("/factory")
    page = client.get("/factory").get_data(as_text=True)
    assert "PT Contoh Garmen" in page and "PT Lain Tekstil" not in page
    assert world.cases["own_committee"].reference in page and world.cases["own_committee_named"].reference in page
    for hidden in ("own_advisor", "own_advisor_named", "other_factory", "other_country"):
        assert world.cases[hidden].reference not in page
    assert worlds.WORDS not in page  # the list shows no words; a named case's page does
    assert ">Queue<" not in page and "/admin" not in page


def test_a_token_stands_for_its_user_until_revoked(world):
    picc = db.session.scalar(select(User).where(User.email == world.emails["picc"]))
    token, raw = create_token(picc, "reports")
    db.session.commit()
    stored = db.session.get(ApiToken, token.id)
    assert raw not in (stored.token_hash, stored.prefix) and raw.startswith(stored.prefix)
    viewer = Viewer.for_token(raw)
    assert viewer.case_grade(world.cases["own_committee"]) == FULL and stored.last_used_at is not None
    altered = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    assert Viewer.for_token(altered).case_grade(world.cases["own_committee"]) == NONE
    stored.revoked_at = stored.created_at
    db.session.commit()
    assert not Viewer.for_token(raw).is_authenticated


def test_one_active_grant_per_factory_and_organisation(world):
    from sqlalchemy.exc import IntegrityError

    from grievance.models import ConsentGrant

    acme = organisation_for("Acme Brands")
    db.session.add(ConsentGrant(factory_id=world.factories["A"].id, organisation_id=acme.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


# role → how factory A's, B's (same country) and C's (another country) summaries are worded for her.
AUDIENCES = {
    "picc": ("factory", None, None),
    "factory_manager": ("factory", None, None),
    "advisor_country": ("programme", "programme", None),
    "advisor_factory": ("programme", None, None),
    "programme_manager": ("programme", "programme", None),
    "buyer": ("buyer", None, None),  # factory A grants Acme Brands access
    "admin": ("programme", "programme", "programme"),
}


@pytest.mark.parametrize("role", sorted(AUDIENCES))
def test_summary_audience_of_each_role(world, role):
    viewer = viewer_of(world, role)
    assert tuple(viewer.summary_audience(world.factories[name]) for name in "ABC") == AUDIENCES[role]
    # The audience agrees with which factories' summaries she may read.
    readable = _factory_codes(viewer)
    assert {world.factories[name].code for name, audience in zip("ABC", AUDIENCES[role]) if audience} == readable


def test_a_buyers_audience_ends_with_the_grant(world):
    buyer = viewer_of(world, "buyer")
    assert revoke(world.factories["A"], organisation_for("Acme Brands"), by=None)
    db.session.commit()
    assert buyer.summary_audience(world.factories["A"]) is None


def test_country_views_are_the_programmes(world):
    seeing = {role for role in worlds.ROLES if viewer_of(world, role).sees_programme}
    assert seeing == {"advisor_country", "programme_manager", "admin"}  # one factory's advisor: not the country
    assert viewer_of(world, "advisor_country").summary_countries() == {"ID"}
    assert viewer_of(world, "programme_manager").summary_countries() == {"ID"}
    assert viewer_of(world, "advisor_factory").summary_countries() == set()  # one factory, not its country
    assert viewer_of(world, "admin").summary_countries() is None
    assert Viewer(None).summary_audience(world.factories["A"]) is None


@pytest.mark.parametrize("role, sent_to, edits", [
    ("advisor_country", (), True), ("advisor_country", ("A", "B"), True), ("advisor_country", (None,), True),
    ("advisor_factory", (), True), ("advisor_factory", ("A",), True), ("advisor_factory", ("A", "B"), False),
    ("advisor_factory", (None,), False), ("programme_manager", ("B",), True), ("admin", ("B",), True),
])
def test_who_may_change_a_survey_depends_on_where_it_went(world, role, sent_to, edits):
    """An advisor of factory A changes a survey of her country only while it went nowhere but A
    (a country-wide announcement is not hers either); she sees only A's runs."""
    from grievance.models import Survey, SurveyRun
    from grievance.models.base import utcnow

    now = utcnow()
    survey = Survey(kind="survey", title="Pay", country_code="ID", intro={}, thanks={}, created_at=now, updated_at=now)
    runs = [SurveyRun(survey=survey, factory_id=world.factories[name].id if name else None, country_code="ID",
                      created_at=now) for name in sent_to]
    db.session.add_all([survey, *runs])
    db.session.flush()
    viewer = viewer_of(world, role)
    assert viewer.may_edit_survey(survey, runs) == edits
    seen = {name for name, run in zip(sent_to, runs) if viewer.may_dispatch_run(run)}
    assert seen == (set(sent_to) & {"A"} if role == "advisor_factory" else set(sent_to))
