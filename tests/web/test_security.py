"""Pages with a worker's words are never cached, malformed requests are 4xx, scopes hold."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Case, Message, Notification
from grievance.models.base import utcnow
from tests import factories
from tests.conftest import csrf_token, inbound_params, new_sid

THIRTY_DIGITS = "1" * 30


@pytest.fixture
def two_cases(app, post_twilio, run_jobs):
    """A wages case at IDN-0001, and a forced-labour case at IDN-0002 on the advisors' route."""
    factories.factory(code="IDN-0001", name="PT Contoh Garmen", number="+622150000001")
    factories.factory(code="IDN-0002", name="PT Lain Tekstil", number="+622150000002")
    post_twilio(inbound_params("Upah lembur tidak dibayar", sender="+6281298765432", to="+622150000001"))
    post_twilio(inbound_params("Paspor kami ditahan oleh perusahaan", sender="+6281311112222", to="+622150000002"))
    run_jobs()
    db.session.expire_all()
    cases = {c.factory.code: c for c in db.session.scalars(select(Case))}
    other = cases["IDN-0002"]
    other.route, other.category = "advisor", "forced_labour"
    db.session.commit()
    return cases["IDN-0001"], other


def _signed_in(app, email):
    http = app.test_client()
    token = csrf_token(http.get("/login").get_data(as_text=True))
    response = http.post("/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return http


def _user(email, role, factory_code=None, country=None):
    user = factories.user(email=email, role=role, name=email.split("@")[0], factory_code=factory_code, country=country)
    db.session.commit()
    return user


# Cache-Control


def test_every_page_with_a_workers_words_says_no_store(app, two_cases):
    own, _ = two_cases
    factories.picc_member(email="ani@example.org", factory_code="IDN-0001")
    http = _signed_in(app, "ani@example.org")
    for path in ("/queue", f"/cases/{own.reference}", "/notifications"):
        response = http.get(path)
        assert response.status_code == 200, path
        assert "no-store" in response.headers.get("Cache-Control", ""), path
    phone = app.test_client()
    for path in ("/simulator", "/simulator/thread", "/login"):
        assert "no-store" in phone.get(path).headers.get("Cache-Control", ""), path


# 500s that are the request's fault


@pytest.mark.parametrize("target", ["/queue\r\nSet-Cookie: stolen=1", "/queue\nX", "/\\evil.example/", "/\t/evil"])
def test_a_malformed_or_foreign_next_after_sign_in_lands_on_the_queue(app, target):
    factories.factory()
    factories.picc_member()
    http = app.test_client()
    token = csrf_token(http.get("/login").get_data(as_text=True))
    response = http.post("/login", query_string={"next": target},
                         data={"email": "ani@example.org", "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] in ("/queue", "http://localhost/queue")
    assert "stolen" not in str(response.headers)


def test_an_id_too_large_for_the_database_is_not_found(app, two_cases):
    own, _ = two_cases
    factories.picc_member(email="ani@example.org", factory_code="IDN-0001")
    http = _signed_in(app, "ani@example.org")
    for path in (f"/cases/{own.reference}/media/{THIRTY_DIGITS}/0", f"/cases/{own.reference}/media/1/{THIRTY_DIGITS}",
                 f"/cases/{own.reference}/media/{2**31}/0"):
        assert http.get(path).status_code == 404, path


def test_an_admin_route_id_too_large_for_the_database_is_not_found(app):
    factories.factory()
    _user("root@example.org", "admin")
    http = _signed_in(app, "root@example.org")
    token = csrf_token(http.get("/admin/countries/ID").get_data(as_text=True))
    for kind in ("policies", "holidays"):
        response = http.post(f"/admin/countries/ID/{kind}/{THIRTY_DIGITS}/delete", data={"csrf_token": token})
        assert response.status_code == 404, kind


def test_a_status_callback_with_an_overlong_error_code_is_recorded_within_its_column(app, post_twilio):
    factories.factory()
    sid = new_sid()
    db.session.add(Message(direction="outbound", provider="twilio", provider_id=sid, channel="sms", endpoint_id=1,
                           status="sent", body="Pengaduan Anda sudah kami terima", created_at=utcnow()))
    db.session.commit()
    response = post_twilio({"MessageSid": sid, "MessageStatus": "failed", "ErrorCode": "3" * 300},
                           path="/webhooks/twilio/status")
    db.session.expire_all()
    message = db.session.scalar(select(Message).where(Message.provider_id == sid))
    assert response.status_code == 204  # a 5xx would make Twilio try again, forever the same
    assert message.status == "failed"
    assert message.error.startswith("twilio error 333") and len(message.error) <= 255


# An advisor scoped to one factory


def test_an_advisor_of_one_factory_sees_that_factory_only(app, two_cases):
    own, other = two_cases
    advisor = _user("adv@example.org", "advisor", "IDN-0001")
    db.session.add_all([Notification(user_id=advisor.id, case_id=case.id, kind="escalated", deadline="acknowledge",
                                     created_at=utcnow(), data={"to": "advisor"}) for case in (own, other)])
    db.session.commit()
    http = _signed_in(app, "adv@example.org")

    assert http.get(f"/cases/{other.reference}").status_code == 404
    assert other.reference not in http.get("/queue").get_data(as_text=True)
    assert other.reference not in http.get("/notifications").get_data(as_text=True)
    assert http.get(f"/cases/{own.reference}").status_code == 200
    assert own.reference in http.get("/queue").get_data(as_text=True)
    assert own.reference in http.get("/notifications").get_data(as_text=True)


def test_a_factorys_advisor_sees_its_advisor_cases_and_a_country_advisor_sees_every_factory(app, two_cases):
    _, other = two_cases
    _user("adv2@example.org", "advisor", "IDN-0002")
    _user("country@example.org", "advisor", country="ID")
    for email in ("adv2@example.org", "country@example.org"):
        assert _signed_in(app, email).get(f"/cases/{other.reference}").status_code == 200, email


def test_the_escalation_mail_goes_to_the_factorys_own_programme_manager_only_if_she_may_see_it(app, two_cases):
    from grievance.access.people import People
    from grievance.workflows.notifications import PROGRAMME_MANAGER

    own, other = two_cases
    elsewhere = _user("pm2@example.org", "programme_manager", "IDN-0002")
    country = _user("pm@example.org", "programme_manager", country="ID")
    people = People(db.session)
    assert people.for_level(own, PROGRAMME_MANAGER) == {country.id}
    assert people.for_level(other, PROGRAMME_MANAGER) == {country.id, elsewhere.id}


def test_the_longest_name_intake_keeps_fits_its_column_in_every_script(app):
    from grievance.privacy import vault

    longest = max(len(vault().encrypt(letter * 120)) for letter in ("a", "ম", "ក", "ဆ", "😀"))
    assert longest <= Case.name_encrypted.type.length
