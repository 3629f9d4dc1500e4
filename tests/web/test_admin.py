"""The administration's pages as an admin uses them: what a broken form says, what a change
leaves in the log, deactivation, and the one-time password link."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from grievance.extensions import db
from grievance.models import (AdminEvent, ChannelEndpoint, ConsentGrant, Factory, MessageTemplate, Organisation,
                              PasswordReset, User)
from grievance.workflows.templates import reply_templates
from tests import factories
from tests.conftest import csrf_token

ADMIN = "admin@example.org"


@pytest.fixture
def admin(client, sign_in):
    factories.factory()
    factories.user(email=ADMIN, role="admin", name="Admin", language="en")
    assert sign_in(ADMIN, factories.PASSWORD).status_code == 302

    def post(url: str, data: dict, page: str | None = None):
        token = csrf_token(client.get(page or url).get_data(as_text=True))
        return client.post(url, data={**data, "csrf_token": token})

    return post


def _events(area: str | None = None) -> list[AdminEvent]:
    query = select(AdminEvent).order_by(AdminEvent.id)
    if area:
        query = query.where(AdminEvent.area == area)
    return db.session.scalars(query).all()


def _factory_form(**fields) -> dict:
    data = {"code": "IDN-0042", "name": "PT Benang Emas", "country": "ID", "timezone": "Asia/Jakarta",
            "headcount": "1500"} | fields
    return {f"factory-{key}": value for key, value in data.items()}


def test_an_admin_adds_a_factory_and_the_log_says_who_did_it(admin, client):
    response = admin("/admin/factories", _factory_form())
    made = db.session.scalar(select(Factory).where(Factory.code == "IDN-0042"))
    assert response.headers["Location"].endswith(f"/admin/factories/{made.id}")
    assert (made.name, made.timezone, made.headcount) == ("PT Benang Emas", "Asia/Jakarta", 1500)
    [event] = _events("factories")
    assert (event.action, event.subject, event.actor.email) == ("add", "IDN-0042", ADMIN)
    assert "IDN-0042" in client.get("/admin/log").get_data(as_text=True)


def test_an_unknown_time_zone_is_refused_and_what_was_typed_stays(admin):
    response = admin("/admin/factories", _factory_form(timezone="Asia/Jakartaa", name="PT Tetap Di Sini"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Unknown time zone" in page and 'value="PT Tetap Di Sini"' in page and 'value="Asia/Jakartaa"' in page
    assert db.session.scalar(select(Factory).where(Factory.code == "IDN-0042")) is None
    assert _events() == []


def test_a_factory_code_already_taken_is_named(admin):
    response = admin("/admin/factories", _factory_form(code="idn-0001"))
    assert response.status_code == 400
    assert "Another factory already has this code: PT Contoh Garmen." in response.get_data(as_text=True)


def test_a_number_is_added_once_and_the_log_shows_only_its_last_digits(admin):
    factory = db.session.scalar(select(Factory).where(Factory.code == "IDN-0001"))
    url = f"/admin/factories/{factory.id}/numbers"
    response = admin(url, {"number-channel": "whatsapp", "number-number": "+62 21 5000 0777"},
                     page=f"/admin/factories/{factory.id}")
    assert response.status_code == 302
    assert db.session.scalar(select(ChannelEndpoint).where(ChannelEndpoint.channel == "whatsapp")).address \
        == "+622150000777"
    [event] = _events("numbers")
    assert event.data == {"channel": "whatsapp", "number": "•••777"}
    assert "5000" not in str(event.data) and "+62" not in event.subject


def test_a_bad_number_and_a_number_used_elsewhere_are_refused_with_the_problem_named(admin):
    factories.factory(code="IDN-0002", name="PT Lain", number="+622150000002")
    factory = db.session.scalar(select(Factory).where(Factory.code == "IDN-0001"))
    page, url = f"/admin/factories/{factory.id}", f"/admin/factories/{factory.id}/numbers"

    bad = admin(url, {"number-channel": "sms", "number-number": "0812 nope"}, page=page)
    assert bad.status_code == 400 and "Not a valid phone number" in bad.get_data(as_text=True)
    assert 'value="0812 nope"' in bad.get_data(as_text=True)

    taken = admin(url, {"number-channel": "sms", "number-number": "+622150000002"}, page=page)
    assert taken.status_code == 400
    assert "This number is already used by IDN-0002." in taken.get_data(as_text=True)

    own = admin(url, {"number-channel": "sms", "number-number": "+622150000001"}, page=page)
    assert own.status_code == 400 and "This factory already has this number." in own.get_data(as_text=True)
    assert _events("numbers") == []


def test_removing_a_number_asks_first(admin):
    factory = db.session.scalar(select(Factory).where(Factory.code == "IDN-0001"))
    endpoint_id = factory.endpoints[0].id
    url = f"/admin/factories/{factory.id}/numbers/{endpoint_id}/remove"
    asked = admin(url, {}, page=f"/admin/factories/{factory.id}")
    assert asked.status_code == 200 and "Remove this number?" in asked.get_data(as_text=True)
    assert db.session.get(ChannelEndpoint, endpoint_id) is not None
    done = admin(url, {"confirm": "yes"}, page=f"/admin/factories/{factory.id}")
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(ChannelEndpoint, endpoint_id) is None
    assert _events("numbers")[0].data["number"] == "•••001"


def test_a_second_person_with_the_same_email_is_refused(admin):
    response = admin("/admin/people", {"person-email": "ADMIN@example.org", "person-name": "Twin",
                                       "person-language": "en"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Someone already signs in with this email." in page and 'value="Twin"' in page


def test_a_role_without_the_scope_it_needs_is_refused(admin):
    person = factories.user(email="sari@example.org", role="admin", name="Sari")
    response = admin(f"/admin/people/{person.id}/memberships", {
        "membership-role": "picc", "membership-factory": "", "membership-country": "ID",
        "membership-organisation": ""}, page=f"/admin/people/{person.id}")
    assert response.status_code == 400 and "This role needs a factory." in response.get_data(as_text=True)


def _link(page: str) -> str:
    return re.search(r'value="(http[^"]+/password/reset/[^"]+)"', page).group(1).replace("http://localhost", "")


def test_a_new_person_sets_her_password_through_a_link_that_works_once(admin, app, sign_in):
    added = admin("/admin/people", {"person-email": "Sari@Example.org", "person-name": "Sari",
                                    "person-language": "id"})
    assert added.status_code == 200
    link = _link(added.get_data(as_text=True))
    raw = link.rsplit("/", 1)[1]
    stored = db.session.scalar(select(PasswordReset))
    assert stored.token_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str([e.data for e in _events()]) and raw not in stored.token_hash

    visitor = app.test_client()
    assert visitor.get(link).headers["Location"] == "/password/reset"
    form = visitor.get("/password/reset").get_data(as_text=True)
    assert "sari@example.org" in form
    short = visitor.post("/password/reset", data={"password": "short", "again": "short",
                                                  "csrf_token": csrf_token(form)})
    assert short.status_code == 400 and "At least 10 characters" in short.get_data(as_text=True)
    done = visitor.post("/password/reset", data={"password": "kain batik biru", "again": "kain batik biru",
                                                 "csrf_token": csrf_token(form)})
    assert done.headers["Location"].endswith("/login")
    assert sign_in("sari@example.org", "kain batik biru", http=app.test_client()).status_code == 302

    again = app.test_client()
    again.get(link)
    used = again.get("/password/reset")
    assert used.status_code == 410 and "This link was already used." in used.get_data(as_text=True)


def test_a_password_link_expires(admin, app):
    person = factories.user(email="sari@example.org", role="admin", name="Sari")
    page = admin(f"/admin/people/{person.id}/reset", {}, page=f"/admin/people/{person.id}").get_data(as_text=True)
    link = _link(page)
    reset = db.session.scalar(select(PasswordReset))
    reset.expires_at = reset.created_at - timedelta(days=1)  # as if issued two days ago
    db.session.commit()
    visitor = app.test_client()
    visitor.get(link)
    expired = visitor.get("/password/reset")
    assert expired.status_code == 410 and "This link has expired." in expired.get_data(as_text=True)
    assert [e.action for e in _events("people")] == ["reset_link"]


def test_a_new_link_ends_the_one_before(admin, app):
    person = factories.user(email="sari@example.org", role="admin", name="Sari")
    url, page = f"/admin/people/{person.id}/reset", f"/admin/people/{person.id}"
    first = _link(admin(url, {}, page=page).get_data(as_text=True))
    admin(url, {}, page=page)
    visitor = app.test_client()
    visitor.get(first)
    assert visitor.get("/password/reset").status_code == 410


def test_deactivation_asks_first_then_ends_her_signed_in_session(admin, app, sign_in):
    person = factories.picc_member(email="ani@example.org")
    her = app.test_client()
    assert sign_in("ani@example.org", factories.PASSWORD, http=her).status_code == 302
    assert her.get("/queue").status_code == 200

    url = f"/admin/people/{person.id}/deactivate"
    asked = admin(url, {}, page=f"/admin/people/{person.id}")
    assert asked.status_code == 200 and "Deactivate Ani?" in asked.get_data(as_text=True)
    assert her.get("/queue").status_code == 200
    assert admin(url, {"confirm": "yes"}, page=f"/admin/people/{person.id}").status_code == 302

    assert "/login" in her.get("/queue").headers["Location"]
    assert sign_in("ani@example.org", factories.PASSWORD, http=app.test_client()).status_code == 400
    assert [e.action for e in _events("people")] == ["deactivate"]


def test_an_admin_cannot_deactivate_herself(admin):
    me = db.session.scalar(select(User).where(User.email == ADMIN))
    admin(f"/admin/people/{me.id}/deactivate", {"confirm": "yes"}, page=f"/admin/people/{me.id}")
    db.session.expire_all()
    assert db.session.get(User, me.id).active


def test_a_grant_is_recorded_only_with_the_reference_of_the_factory_request(admin):
    factory = db.session.scalar(select(Factory).where(Factory.code == "IDN-0001"))
    assert admin("/admin/organisations", {"organisation-name": "Acme Brands"}).status_code == 302
    organisation = db.session.scalar(select(Organisation).where(Organisation.code == "acme-brands"))
    url, page = f"/admin/organisations/{organisation.id}/grants", f"/admin/organisations/{organisation.id}"
    missing = admin(url, {"grant-factory": str(factory.id), "grant-note": ""}, page=page)
    assert missing.status_code == 400 and db.session.scalar(select(ConsentGrant)) is None
    assert admin(url, {"grant-factory": str(factory.id), "grant-note": "Letter 2026/14"}, page=page).status_code == 302
    grant = db.session.scalar(select(ConsentGrant))
    assert grant.revoked_at is None
    assert _events("grants")[0].data == {"note": "Letter 2026/14"}

    revoke = f"/admin/organisations/{organisation.id}/grants/{grant.id}/revoke"
    asked = admin(revoke, {f"revoke{grant.id}-note": "Letter 2026/20"}, page=page)
    assert asked.status_code == 200 and "End this access?" in asked.get_data(as_text=True)
    assert admin(revoke, {f"revoke{grant.id}-note": "Letter 2026/20", "confirm": "yes"}, page=page).status_code == 302
    db.session.expire_all()
    assert db.session.get(ConsentGrant, grant.id).revoked_at is not None
    assert [e.action for e in _events("grants")] == ["add", "revoke"]


def test_reply_templates_show_their_cost_and_reach_the_case_page_function(admin, client):
    khmer = "យើងកំពុងពិនិត្យករណីរបស់អ្នក"
    assert admin("/admin/templates", {"template-key": "checking", "template-language": "km",
                                      "template-text": khmer, "template-active": "y"}).status_code == 302
    admin("/admin/templates", {"template-key": "hidden", "template-language": "km", "template-text": "x"})
    page = client.get("/admin/templates").get_data(as_text=True)
    assert "UCS-2 · 1 segment" in page
    assert "followup_more_info" in page  # the built-in ones with their cost, read-only
    assert reply_templates(db.session, "km") == [("checking", khmer)]
    duplicate = admin("/admin/templates", {"template-key": "checking", "template-language": "km",
                                           "template-text": "again"})
    assert duplicate.status_code == 400
    assert "already has a template of this name" in duplicate.get_data(as_text=True)
    assert [e.data["encoding"] for e in _events("templates")] == ["UCS-2", "GSM-7"]


def test_a_whatsapp_template_is_set_per_language_and_shown(admin, client):
    bad = admin("/admin/whatsapp", {"whatsapp-purpose": "acknowledgement", "whatsapp-language": "id",
                                    "whatsapp-content_sid": "HX123"})
    assert bad.status_code == 400 and "HX and 32 hexadecimal" in bad.get_data(as_text=True)
    sid = "HX" + "0123456789abcdef" * 2
    assert admin("/admin/whatsapp", {"whatsapp-purpose": "acknowledgement", "whatsapp-language": "id",
                                     "whatsapp-content_sid": sid, "whatsapp-variables": "reference, date"}
                 ).status_code == 302
    assert f'title="{sid}"' in client.get("/admin/whatsapp").get_data(as_text=True)
    template = db.session.scalar(select(MessageTemplate))
    assert (template.language, template.variable_names) == ("id", ["reference", "date"])


def test_country_changes_are_logged_too(admin):
    response = admin("/admin/countries/ID/holidays", {"holiday-date": "2026-12-24", "holiday-every_year": "no",
                                                      "holiday-name": "Factory closure"},
                     page="/admin/countries/ID")
    assert response.status_code == 302
    [event] = _events("countries")
    assert (event.action, event.subject, event.data["name"]) == ("holiday_add", "ID", "Factory closure")


def test_the_log_pages_by_keyset(admin, client):
    from grievance.models.base import utcnow

    db.session.add_all([AdminEvent(at=utcnow(), area="factories", action="edit", subject=f"F-{n:03d}", data={})
                        for n in range(60)])
    db.session.commit()
    first = client.get("/admin/log").get_data(as_text=True)
    assert "F-059" in first and "F-009" not in first
    older = re.search(r'href="(/admin/log\?before=\d+)"', first).group(1)
    second = client.get(older).get_data(as_text=True)
    assert "F-009" in second and "F-059" not in second and "F-000" in second


def test_a_password_link_can_be_mailed_in_her_language(admin, monkeypatch):
    sent = []

    class Mailer:
        def send(self, to, subject, body, language):
            sent.append((to, subject, body, language))

    monkeypatch.setattr("grievance.web.admin.people.mailer", lambda: Mailer())
    person = factories.user(email="sari@example.org", role="admin", name="Sari", language="id")
    page = admin(f"/admin/people/{person.id}/reset", {"reset-mail": "y"}, page=f"/admin/people/{person.id}")
    link = _link(page.get_data(as_text=True))
    [(to, subject, body, language)] = sent
    assert (to, language, subject) == ("sari@example.org", "id", "Buat kata sandi Anda")
    assert link.rsplit("/", 1)[1] in body
    assert "The link was sent to sari@example.org." in page.get_data(as_text=True)


def test_a_new_time_zone_counts_the_factorys_figures_again_at_its_own_midnight(admin):
    from datetime import datetime, timezone

    from grievance.summaries import facts
    from grievance.summaries.periods import Period

    # 23:30 on 31 January in Jakarta is 01:30 on 1 February in Tokyo.
    factories.case(now=datetime(2026, 1, 31, 16, 30, tzinfo=timezone.utc))
    found = db.session.scalar(select(Factory).where(Factory.code == "IDN-0001"))
    facts.rebuild(db.session, datetime(2026, 3, 1, tzinfo=timezone.utc))
    months = [Period.parse("2026-01"), Period.parse("2026-02")]

    def workers() -> dict[str, int]:
        loaded = facts.load(db.session, [found.id], months)
        return {month.key: loaded.get((found.id, month.key, "picc")).workers if (found.id, month.key, "picc") in loaded
                else 0 for month in months}

    assert workers() == {"2026-01": 1, "2026-02": 0}
    response = admin(f"/admin/factories/{found.id}", _factory_form(code="IDN-0001", name=found.name,
                                                                    timezone="Asia/Tokyo"))
    assert response.status_code == 302
    db.session.expire_all()
    assert workers() == {"2026-01": 0, "2026-02": 1}
