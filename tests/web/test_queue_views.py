"""/queue: views with counts in each person's scope, filters, going to a reference, keyset pages,
the "worker replied" marker and her latest words on each card."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Case, Message, User
from grievance.models.base import utcnow
from grievance.models.case import RESOLVED
from tests import factories
from tests.conftest import csrf_token

OTHER_PHONE = "+6281311112222"


def counts(html: str) -> dict[str, int]:
    return {view: int(count) for view, count in
            re.findall(r'href="/queue\?view=(\w+)[^"]*"[^>]*>[^<]*<span class="count">(\d+)</span>', html)}


def references(html: str) -> list[str]:
    return re.findall(r'<bdi class="ref">([A-Z]{2}-[0-9A-Z]{6})</bdi>', html)


@pytest.fixture
def world(app):
    """Two factories of Indonesia; a committee case of each sort at the first, an advisors' case
    there, a committee case at the second."""
    factories.factory(code="IDN-0001", name="PT Contoh Garmen", number="+622150000001")
    factories.factory(code="IDN-0002", name="PT Lain Tekstil", number="+622150000002")
    ani = factories.picc_member(email="ani@example.org", factory_code="IDN-0001", language="en")
    factories.picc_member(email="budi@example.org", name="Budi", factory_code="IDN-0001", language="en")
    factories.picc_member(email="citra@example.org", name="Citra", factory_code="IDN-0002", language="en")
    factories.advisor(email="adv@example.org", language="en")
    now = utcnow()
    made = {
        "new": factories.case(now=now - timedelta(hours=1)),
        "overdue": factories.case(now=now - timedelta(days=30), category="hours_leave"),
        "waiting": factories.case(now=now - timedelta(days=2)),
        "replied": factories.case(now=now - timedelta(days=3), category="safety_health"),
        "resolved": factories.case(now=now - timedelta(days=40)),
        "advisor": factories.case(now=now - timedelta(hours=2), category="child_labour"),
        "elsewhere": factories.case(now=now - timedelta(hours=3), to="+622150000002", phone=OTHER_PHONE,
                                    factory_code="IDN-0002"),
    }
    made["overdue"].status, made["overdue"].escalation_level = "acknowledged", 1
    made["overdue"].due_at = now - timedelta(days=2)
    made["waiting"].status, made["waiting"].waiting_since, made["waiting"].due_at = "in_progress", now, None
    made["replied"].status, made["replied"].worker_replied_at = "acknowledged", now - timedelta(minutes=5)
    made["replied"].assignee_id, made["replied"].due_at = ani.id, now + timedelta(days=2)
    made["resolved"].status, made["resolved"].resolved_at, made["resolved"].due_at = RESOLVED, now, None
    db.session.commit()
    assert made["advisor"].route == "advisor" and made["new"].route == "picc"
    return made


def test_a_picc_member_counts_only_her_committees_cases(world, client, sign_in):
    sign_in("ani@example.org", factories.PASSWORD)
    html = client.get("/queue").get_data(as_text=True)
    assert counts(html) == {"open": 4, "new": 1, "mine": 1, "overdue": 1, "waiting": 1, "replied": 1,
                            "escalated": 1, "resolved": 1, "closed": 0}
    shown = references(html)
    assert world["advisor"].reference not in shown and world["elsewhere"].reference not in shown
    assert shown[0] == world["overdue"].reference  # most urgent first
    assert shown[-1] == world["waiting"].reference  # its clock is stopped: no deadline, last
    assert "4 cases in this view." in html


def test_an_advisor_counts_her_whole_country_on_both_routes(world, client, sign_in):
    sign_in("adv@example.org", factories.PASSWORD)
    html = client.get("/queue").get_data(as_text=True)
    assert counts(html)["open"] == 6 and counts(html)["new"] == 3
    assert {world["advisor"].reference, world["elsewhere"].reference} <= set(references(html))


@pytest.mark.parametrize("view, expected", [
    ("new", "new"), ("mine", "replied"), ("overdue", "overdue"), ("waiting", "waiting"), ("replied", "replied"),
    ("escalated", "overdue"), ("resolved", "resolved"),
])
def test_each_view_lists_its_cases(world, client, sign_in, view, expected):
    sign_in("ani@example.org", factories.PASSWORD)
    html = client.get(f"/queue?view={view}").get_data(as_text=True)
    assert references(html) == [world[expected].reference]


def test_the_worker_replied_marker_is_on_her_card(world, client, sign_in):
    sign_in("ani@example.org", factories.PASSWORD)
    html = client.get("/queue").get_data(as_text=True)
    cards = dict(zip(references(html), html.split('<bdi class="ref">')[1:]))
    assert "Worker replied</span>" in cards[world["replied"].reference]
    assert "Worker replied</span>" not in cards[world["new"].reference]
    assert "Taken by Ani" in cards[world["replied"].reference]


def test_filters_by_category_assignee_and_for_an_advisor_factory(world, client, sign_in):
    sign_in("ani@example.org", factories.PASSWORD)
    assert references(client.get("/queue?category=hours_leave").get_data(as_text=True)) == [
        world["overdue"].reference]
    assert references(client.get("/queue?assignee=me").get_data(as_text=True)) == [world["replied"].reference]
    assert world["replied"].reference not in references(client.get("/queue?assignee=nobody").get_data(as_text=True))
    page = client.get("/queue?category=hours_leave").get_data(as_text=True)
    assert counts(page)["open"] == 1 and counts(page)["overdue"] == 1  # counts follow the filter
    assert 'name="factory"' not in page  # one factory: nothing to choose
    client.post("/logout", data={"csrf_token": csrf_token(page)})

    sign_in("adv@example.org", factories.PASSWORD)
    page = client.get("/queue?factory=IDN-0002").get_data(as_text=True)
    assert references(page) == [world["elsewhere"].reference]
    assert 'name="factory"' in page


def test_a_colleague_filter_and_unknown_values_are_named_never_a_500(world, client, sign_in):
    sign_in("ani@example.org", factories.PASSWORD)
    budi = db.session.scalar(select(User).where(User.email == "budi@example.org"))
    citra = db.session.scalar(select(User).where(User.email == "citra@example.org"))
    assert client.get(f"/queue?assignee={budi.id}").status_code == 200
    for query, named in [("category=nonsense", "no such category"), ("factory=IDN-0002", "not among yours"),
                         (f"assignee={citra.id}", "not filtered by person"), ("assignee=x'--", "by person"),
                         ("view=everything", "no such view"), ("after=abc.def", "page link is damaged"),
                         ("after=99999999999999999999999.1", "page link is damaged")]:
        response = client.get(f"/queue?{query}")
        assert response.status_code == 400, query
        assert named in response.get_data(as_text=True), query
    # The other factory's case stays out whatever was asked.
    assert world["elsewhere"].reference not in client.get("/queue?factory=IDN-0002").get_data(as_text=True)


@pytest.mark.parametrize("typed", ["{ref}", "{lower}", "{nodash}", "{code}", "{confusable}", " {lower_spaced} "])
def test_going_to_a_reference_as_typed_opens_the_case(world, client, sign_in, typed):
    reference = world["new"].reference
    code = reference[3:]
    confusable = reference[:3].lower() + code.replace("0", "o").replace("1", "l").lower()
    forms = {"ref": reference, "lower": reference.lower(), "nodash": reference.replace("-", ""), "code": code,
             "confusable": confusable, "lower_spaced": " ".join(reference.lower())}
    sign_in("ani@example.org", factories.PASSWORD)
    token = csrf_token(client.get("/queue").get_data(as_text=True))
    response = client.post("/queue/find", data={"csrf_token": token, "find-reference": typed.format(**forms)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{reference}")


def test_a_confusable_letter_reaches_a_reference_with_zero_and_one(world, client, sign_in):
    case = world["new"]
    case.reference = "ID-0A1B01"
    db.session.commit()
    sign_in("ani@example.org", factories.PASSWORD)
    token = csrf_token(client.get("/queue").get_data(as_text=True))
    for typed in ("id-oaibol", "IDOA1BOL", "oalbo1"):
        response = client.post("/queue/find", data={"csrf_token": token, "find-reference": typed})
        assert response.headers.get("Location", "").endswith("/cases/ID-0A1B01"), typed


def test_a_reference_outside_her_scope_is_not_found_exactly_like_none(world, client, sign_in):
    sign_in("ani@example.org", factories.PASSWORD)
    token = csrf_token(client.get("/queue").get_data(as_text=True))
    answers = []
    for typed in (world["elsewhere"].reference, world["advisor"].reference, "ID-ZZZZZZ"):
        response = client.post("/queue/find", data={"csrf_token": token, "find-reference": typed})
        page = response.get_data(as_text=True)
        answers.append((response.status_code, "No case with that reference is in your queue." in page))
        assert f'value="{typed}"' in page  # what she typed is kept
    assert answers == [(404, True)] * 3
    response = client.post("/queue/find", data={"csrf_token": token, "find-reference": "upah lembur"})
    assert response.status_code == 400 and "two letters, a dash and six" in response.get_data(as_text=True)
    assert client.post("/queue/find", data={"find-reference": world["new"].reference}).status_code == 400


def test_keyset_pages_hold_every_case_once_with_equal_deadlines(app, client, sign_in, monkeypatch):
    monkeypatch.setattr("grievance.web.queue.listing.PAGE_SIZE", 4)
    factories.factory()
    factories.picc_member(language="en")
    now = utcnow()
    made = [factories.case(now=now - timedelta(minutes=index)) for index in range(11)]
    same = now + timedelta(days=1)
    for index, case in enumerate(made):
        case.due_at = same if index % 3 else (None if index % 2 else now + timedelta(hours=index))
    db.session.commit()
    expected = [case.reference for case in sorted(made, key=lambda c: (c.due_at is None, c.due_at or now, c.id))]
    sign_in("ani@example.org", factories.PASSWORD)
    seen, url, pages = [], "/queue", 0
    while url:
        html = client.get(url).get_data(as_text=True)
        assert "11 cases in this view." in html
        seen += references(html)
        found = re.search(r'<a class="more" href="([^"]+)"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
        assert url is None or "offset" not in url
        pages += 1
    assert pages == 3 and seen == expected


def test_resolved_cases_are_found_again_most_recent_first(app, client, sign_in, monkeypatch):
    monkeypatch.setattr("grievance.web.queue.listing.PAGE_SIZE", 2)
    factories.factory()
    factories.picc_member(language="en")
    now = utcnow()
    made = [factories.case(now=now - timedelta(days=10)) for _ in range(5)]
    for index, case in enumerate(made):
        case.status, case.resolved_at, case.due_at = RESOLVED, now - timedelta(hours=index // 2), None
    db.session.commit()
    sign_in("ani@example.org", factories.PASSWORD)
    seen, url = [], "/queue?view=resolved"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += references(html)
        found = re.search(r'<a class="more" href="([^"]+)"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    expected = [c.reference for c in sorted(made, key=lambda c: (-c.resolved_at.timestamp(), -c.id))]
    assert seen == expected


def test_her_latest_words_show_truncated_only_where_they_may_be_read(world, client, sign_in, monkeypatch):
    case = world["replied"]
    long_words = "Pintu darurat di lantai dua masih dikunci setiap malam dan mandor bilang itu perintah dari atas " * 2
    db.session.add(Message(direction="inbound", provider="twilio", channel="sms", endpoint_id=case.messages[0].endpoint_id,
                           worker_id=case.worker_id, case_id=case.id, body=long_words, language="id",
                           status="processed"))
    db.session.commit()
    sign_in("ani@example.org", factories.PASSWORD)
    html = client.get("/queue").get_data(as_text=True)
    card = html.split(f'<bdi class="ref">{case.reference}</bdi>')[1].split("</a>")[0]
    shown = re.search(r'<span class="words" dir="auto" lang="id">([^<]*)</span>', card)
    assert shown and shown.group(1).endswith("…") and len(shown.group(1)) <= 80
    assert shown.group(1).startswith("Pintu darurat di lantai dua")
    assert "Upah lembur bulan Juli tidak dibayar" in html  # the others' opening words

    monkeypatch.setattr("grievance.access.viewer.Viewer.shows_words", lambda self, case: False)
    html = client.get("/queue").get_data(as_text=True)
    assert 'class="words"' not in html and "Pintu darurat" not in html and "Upah lembur" not in html


def test_past_the_cap_the_resolved_count_says_more_than(app, client, sign_in, monkeypatch):
    monkeypatch.setattr("grievance.web.queue.listing.COUNT_CAP", 2)
    factories.factory()
    factories.picc_member(language="en")
    now = utcnow()
    for _ in range(3):
        case = factories.case(now=now - timedelta(days=10))
        case.status, case.resolved_at, case.due_at = RESOLVED, now, None
    db.session.commit()
    sign_in("ani@example.org", factories.PASSWORD)
    html = client.get("/queue?view=resolved").get_data(as_text=True)
    assert "More than 2 cases in this view." in html
    assert re.search(r'view=resolved[^>]*>[^<]*<span class="count">2\+</span>', html)
    assert len(references(html)) == 3  # the list itself is never cut by the cap


def test_a_cursor_beyond_any_row_or_moment_is_a_400_not_a_500(app, client, sign_in):
    factories.factory()
    factories.picc_member(email="ani@example.org")
    sign_in("ani@example.org", factories.PASSWORD)
    for cursor in ("1.99999999999999999999999", "n.99999999999999999999", "99999999999999999999999.1", "-5.3"):
        for view in ("", "&view=resolved"):
            assert client.get(f"/queue?after={cursor}{view}").status_code == 400, cursor
