"""/queue and /cases/<reference>: signed in, scoped to the user's factories, no phone anywhere."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Case
from tests import factories
from tests.conftest import case_form, csrf_token, inbound_params

WORKER_PHONE = "+6281298765432"


@pytest.fixture
def two_factories(app, post_twilio, run_jobs):
    factories.factory(code="IDN-0001", name="PT Contoh Garmen", number="+622150000001")
    factories.factory(code="IDN-0002", name="PT Lain Tekstil", number="+622150000002")
    factories.picc_member(email="ani@example.org", factory_code="IDN-0001")
    factories.picc_member(email="budi@example.org", factory_code="IDN-0002")
    post_twilio(inbound_params("Pintu darurat dikunci saat shift malam", sender=WORKER_PHONE, to="+622150000001"))
    post_twilio(inbound_params("Upah lembur tidak dibayar", sender="+6281311112222", to="+622150000002"))
    run_jobs()
    post_twilio(inbound_params("2", sender=WORKER_PHONE, to="+622150000001"))  # nobody in danger right now
    run_jobs()
    db.session.expire_all()
    cases = {c.factory.code: c for c in db.session.scalars(select(Case))}
    return cases["IDN-0001"], cases["IDN-0002"]


def test_pages_ask_for_a_sign_in(client):
    response = client.get("/queue")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_wrong_password_re_renders_the_form_with_the_problem_named(app, client, sign_in):
    factories.factory()
    factories.picc_member()
    response = sign_in("ani@example.org", "wrong password")
    assert response.status_code == 400
    assert "Wrong email or password." in response.get_data(as_text=True)


def test_a_form_without_its_csrf_token_is_refused(app, client):
    factories.factory()
    factories.picc_member()
    response = client.post("/login", data={"email": "ani@example.org", "password": factories.PASSWORD})
    assert response.status_code == 400
    assert client.get("/queue").status_code == 302


def test_picc_member_sees_her_factory_case_with_deadline_and_message_but_no_phone(two_factories, client, sign_in):
    own, other = two_factories
    assert sign_in("ani@example.org", factories.PASSWORD).status_code == 302

    queue = client.get("/queue").get_data(as_text=True)
    page = client.get(f"/cases/{own.reference}").get_data(as_text=True)

    assert own.reference in queue and other.reference not in queue
    assert "PT Lain Tekstil" not in queue
    assert "Pintu darurat dikunci saat shift malam" in page
    assert own.worker.pseudonym in page
    for form in (WORKER_PHONE, WORKER_PHONE[1:], "081298765432", "812-9876-5432"):
        assert form not in page and form not in queue


def test_picc_member_gets_404_for_another_factorys_case(two_factories, client, sign_in):
    own, other = two_factories
    sign_in("ani@example.org", factories.PASSWORD)
    assert client.get(f"/cases/{other.reference}").status_code == 404
    page = client.get(f"/cases/{own.reference}")
    assert page.status_code == 200
    token = case_form(page.get_data(as_text=True))
    assert client.post(f"/cases/{other.reference}/acknowledge", data={**token}).status_code == 404


def test_acknowledging_a_case_is_recorded_in_its_history(two_factories, client, sign_in):
    own, _ = two_factories
    sign_in("ani@example.org", factories.PASSWORD)
    token = case_form(client.get(f"/cases/{own.reference}").get_data(as_text=True))
    response = client.post(f"/cases/{own.reference}/acknowledge", data={**token}, follow_redirects=True)

    db.session.expire_all()
    case = db.session.get(Case, own.id)
    assert case.status == "acknowledged"
    assert [e.kind for e in case.events][-1] == "acknowledged"
    assert "Dikonfirmasi oleh komite" in response.get_data(as_text=True)  # her country's language


def test_the_queue_speaks_the_members_language(two_factories, client, sign_in):
    from grievance.models import User

    user = db.session.scalar(select(User).where(User.email == "ani@example.org"))
    user.language = "id"
    db.session.commit()
    sign_in("ani@example.org", factories.PASSWORD)
    page = client.get("/queue").get_data(as_text=True)
    assert "Kasus terbuka" in page and 'lang="id"' in page


def test_advisor_sees_every_factory_of_her_country(two_factories, client, sign_in):
    own, other = two_factories
    factories.advisor(email="adv@example.org", country="ID")
    sign_in("adv@example.org", factories.PASSWORD)
    queue = client.get("/queue").get_data(as_text=True)
    assert own.reference in queue and other.reference in queue


def test_time_left_reads_in_the_page_language(app):
    from datetime import timedelta

    import time_machine
    from flask_babel import force_locale

    from grievance.models.base import utcnow
    from grievance.web import time_left

    with time_machine.travel(utcnow(), tick=False):
        now = utcnow()
        with app.test_request_context():
            assert time_left(now + timedelta(days=2, hours=17))["text"] == "2 days 17 hr left"
            late = time_left(now - timedelta(hours=3, minutes=10))
            assert late == {"overdue": True, "text": "overdue by 3 hr"}
            with force_locale("km"):
                assert time_left(now + timedelta(days=2, hours=17))["text"] == "នៅសល់ 2 ថ្ងៃ 17 ម៉ោង"


def test_sign_in_attempts_on_one_account_are_limited(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        factories.factory()
        factories.picc_member()
        http = app.test_client()
        from tests.conftest import csrf_token

        token = csrf_token(http.get("/login").get_data(as_text=True))
        codes = [http.post("/login", data={"email": "ani@example.org", "password": f"guess {i}",
                                           "csrf_token": token}).status_code for i in range(7)]
    assert codes[:5] == [400] * 5
    assert codes[5:] == [429, 429]


def test_page_language_follows_choice_then_browser_then_country(app, client):
    factories.factory()
    assert 'lang="id"' in client.get("/login", headers={"Accept-Language": "id-ID,id;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in client.get("/login").get_data(as_text=True)
    token = csrf_token(client.get("/login").get_data(as_text=True))
    client.post("/language", data={"language": "km", "csrf_token": token, "next": "/login"})
    page = client.get("/login", headers={"Accept-Language": "id"}).get_data(as_text=True)
    assert 'lang="km"' in page and "ចូល" in page


def test_a_signed_in_member_without_a_choice_or_browser_language_gets_her_countrys(app, client, sign_in):
    factories.factory(code="KHM-0001", name="Angkor Apparel", country="KH", number="+85523900001")
    factories.picc_member(email="sophea@example.org", factory_code="KHM-0001")
    sign_in("sophea@example.org", factories.PASSWORD)
    assert 'lang="km"' in client.get("/queue").get_data(as_text=True)
