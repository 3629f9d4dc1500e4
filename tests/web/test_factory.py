"""A factory manager's page: her factory's committee cases, never a trace of an advisor case."""

from __future__ import annotations

import re

from tests import factories
from tests.conftest import csrf_token

MANAGER = "manager@example.org"


def _manager(app):
    factories.factory()
    factories.factory(code="IDN-0002", name="PT Lain Tekstil", number="+622150000002")
    factories.user(email=MANAGER, role="factory_manager", factory_code="IDN-0001", language="en")
    http = app.test_client()
    token = csrf_token(http.get("/login").get_data(as_text=True))
    assert http.post("/login", data={"email": MANAGER, "password": factories.PASSWORD,
                                     "csrf_token": token}).status_code == 302
    return http


def _page(http, url="/factory") -> str:
    response = http.get(url)
    assert response.status_code == 200
    # The CSRF token of the language form is signed with the time: the only part that may differ.
    return re.sub(r'name="csrf_token" value="[^"]+"', "", response.get_data(as_text=True))


def test_an_advisor_case_leaves_no_row_no_count_and_no_hint(app):
    http = _manager(app)
    committee = factories.case(body="Upah lembur tidak dibayar")
    before = _page(http)
    assert committee.reference in before

    grave = factories.case(category="harassment_violence", phone="+6281200000002", body="Mandor memukul saya")
    assert grave.route == "advisor"
    after = _page(http)

    assert after == before
    assert grave.reference not in after and "Mandor" not in after
    assert http.get(f"/factory/cases/{grave.reference}").status_code == 404


def test_her_words_only_where_she_gave_her_name_and_never_her_number(app):
    http = _manager(app)
    anonymous = factories.case(body="Upah lembur tidak dibayar")
    named = factories.case(body="Gaji saya dipotong", phone="+6281200000003", anonymous=False)

    page = _page(http, f"/factory/cases/{anonymous.reference}")
    assert "Upah lembur" not in page
    assert "did not agree to give her name" in page
    assert "Case opened from a worker" in page  # the safe history
    assert "Acknowledge by" in page and "Resolve by" in page

    page = _page(http, f"/factory/cases/{named.reference}")
    assert "Gaji saya dipotong" in page
    assert "8120000000" not in page and "6281200000003" not in page
    assert "/media/" not in page


def test_another_factorys_case_is_a_404_like_one_that_does_not_exist(app):
    http = _manager(app)
    other = factories.case(factory_code="IDN-0002", to="+622150000002")
    missing = http.get("/factory/cases/ID-ZZZZZZ")
    theirs = http.get(f"/factory/cases/{other.reference}")
    assert missing.status_code == theirs.status_code == 404
    assert other.reference not in _page(http)


def test_a_late_case_reads_late_and_the_list_pages_by_opening_time(app, monkeypatch):
    monkeypatch.setattr("grievance.web.factory.pages.PAGE_SIZE", 2)
    http = _manager(app)
    from datetime import timedelta

    from grievance.models.base import utcnow

    cases = [factories.case(phone=f"+62812000001{n}", now=utcnow() - timedelta(days=10 - n)) for n in range(3)]
    first = _page(http)
    newest, middle, oldest = cases[2], cases[1], cases[0]
    assert newest.reference in first and middle.reference in first and oldest.reference not in first
    assert "overdue by" in first  # ten and nine days old, not acknowledged
    more = re.search(r'href="(/factory\?after=\d+)"', first).group(1)
    second = _page(http, more)
    assert oldest.reference in second and newest.reference not in second
    assert "Older cases" not in second
    assert http.get("/factory?after=abc").status_code == 404
