"""The case page's actions, as the people working a case notice them."""

from __future__ import annotations

import re

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Case, CaseView, Message
from tests import factories
from tests.conftest import csrf_token

NOTE = "NOTE-MARKER-7731 manager Budi threatened her"


def _signed_in(app, email):
    http = app.test_client()
    page = http.get("/login").get_data(as_text=True)
    http.post("/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": csrf_token(page)})
    return http


def _page(http, case):
    html = http.get(f"/cases/{case.reference}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', html).group(1)
    seen = re.search(r'name="seen_message" value="(\d+)"', html).group(1)
    return html, {"csrf_token": csrf_token(html), "version": version, "seen_message": seen}


def _world():
    factories.factory()
    factories.picc_member(email="ani@example.org")
    factories.advisor(email="adv@example.org")
    return factories.case()


def test_both_a_ready_reply_and_her_own_text_are_refused_and_nothing_is_sent(app):
    case = _world()
    http = _signed_in(app, "ani@example.org")
    _, form = _page(http, case)
    response = http.post(f"/cases/{case.reference}/reply", data={
        **form, "reply-template": "followup_looking", "reply-text": "Kami cek besok"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "not both" in html and "Kami cek besok" in html  # what she typed is kept
    assert db.session.scalar(select(Message).where(Message.direction == "outbound",
                                                   Message.purpose == "committee_text")) is None


def test_a_reply_too_long_to_send_is_refused_with_the_limit_named(app):
    case = _world()
    http = _signed_in(app, "ani@example.org")
    _, form = _page(http, case)
    response = http.post(f"/cases/{case.reference}/reply", data={**form, "reply-text": "a" * 1001})
    assert response.status_code == 400
    assert "At most 1000 characters can be sent; this text has 1001" in response.get_data(as_text=True)
    assert db.session.scalar(select(Message).where(Message.purpose == "committee_text")) is None


def test_a_page_older_than_the_case_sends_nothing_and_says_she_wrote_again(app):
    case = _world()
    http = _signed_in(app, "ani@example.org")
    _, form = _page(http, case)
    first = db.session.scalars(select(Message).where(Message.case_id == case.id)).first()
    db.session.add(Message(direction="inbound", provider="twilio", channel="sms", endpoint_id=first.endpoint_id,
                           worker_id=first.worker_id, case_id=case.id, body="Tambahan", status="processed"))
    db.session.commit()
    response = http.post(f"/cases/{case.reference}/reply", data={**form, "reply-text": "Kami cek"})
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "She wrote again." in html and "Kami cek" in html
    assert db.session.scalar(select(Message).where(Message.purpose == "committee_text")) is None


def test_resolve_shows_what_she_will_receive_before_sending_then_reopen(app):
    case = _world()
    http = _signed_in(app, "ani@example.org")
    _, form = _page(http, case)
    data = {**form, "resolve-outcome_code": "remedied", "resolve-outcome": "Lembur sudah dibayar."}
    first = http.post(f"/cases/{case.reference}/resolve", data=data)
    assert first.status_code == 200 and "She will receive this text:" in first.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).status != "resolved"
    done = http.post(f"/cases/{case.reference}/resolve", data={**data, "resolve-confirm": "y"})
    assert done.status_code == 302 and done.headers["Location"].endswith("#outcome")
    db.session.expire_all()
    resolved = db.session.get(Case, case.id)
    assert (resolved.status, resolved.outcome_code) == ("resolved", "remedied")
    _, form = _page(http, case)
    assert http.post(f"/cases/{case.reference}/reopen", data=form).status_code == 302
    db.session.expire_all()
    reopened = db.session.get(Case, case.id)
    assert reopened.status == "reopened" and reopened.resolved_at is None
    assert reopened.acknowledge_by > resolved.opened_at
    assert "Reopened" in http.get(f"/cases/{case.reference}").get_data(as_text=True)


def test_an_advisor_moves_a_case_to_forced_labour_and_the_committee_loses_it(app):
    case = _world()
    picc = _signed_in(app, "ani@example.org")
    assert case.reference in picc.get("/queue").get_data(as_text=True)
    advisor = _signed_in(app, "adv@example.org")
    _, form = _page(advisor, case)
    assert advisor.post(f"/cases/{case.reference}/category",
                        data={**form, "category-category": "forced_labour"}).status_code == 302
    db.session.expire_all()
    moved = db.session.get(Case, case.id)
    assert (moved.category, moved.route) == ("forced_labour", "advisor")
    assert picc.get(f"/cases/{case.reference}").status_code == 404
    assert case.reference not in picc.get("/queue").get_data(as_text=True)
    assert advisor.get(f"/cases/{case.reference}").status_code == 200
    assert [e.data["to"] for e in moved.events if e.kind == "category_changed"] == ["forced_labour"]


def test_who_read_her_words_is_written_on_every_view_and_shown_to_advisors_only(app, monkeypatch):
    from grievance.channels.twilio.media import Media

    monkeypatch.setattr("grievance.web.queue.case.fetch_media", lambda url: Media(b"\xff\xd8", "image/jpeg"))
    case = _world()
    first = db.session.scalars(select(Message).where(Message.case_id == case.id)).first()
    first.media = [{"url": "https://api.twilio.com/x/Media/ME1", "content_type": "image/jpeg"}]
    db.session.commit()
    picc = _signed_in(app, "ani@example.org")
    html = picc.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Who read her words" not in html
    assert picc.get(f"/cases/{case.reference}/media/{first.id}/0").status_code == 200
    advisor = _signed_in(app, "adv@example.org")
    html = advisor.get(f"/cases/{case.reference}").get_data(as_text=True)
    views = db.session.scalars(select(CaseView).where(CaseView.case_id == case.id).order_by(CaseView.id)).all()
    assert [view.what for view in views] == ["messages", "media", "messages"]
    assert "Who read her words" in html and html.count("Ani ·") >= 2


def test_an_internal_note_never_leaves(app, run_jobs, post_twilio):
    """A note with a marker, then every outbound path: replies, resolve, status, sweep, mail,
    simulator, every CSV/JSON route; the marker is in none of what leaves."""
    case = _world()
    http = _signed_in(app, "ani@example.org")
    _, form = _page(http, case)
    assert http.post(f"/cases/{case.reference}/note", data={**form, "note-body": NOTE}).status_code == 302
    assert NOTE in http.get(f"/cases/{case.reference}").get_data(as_text=True)
    _, form = _page(http, case)
    http.post(f"/cases/{case.reference}/reply", data={**form, "reply-template": "followup_looking"})
    _, form = _page(http, case)
    http.post(f"/cases/{case.reference}/resolve", data={**form, "resolve-outcome_code": "remedied",
                                                        "resolve-confirm": "y", "resolve-outcome": "Dibayar."})
    run_jobs()
    from grievance.workflows.deadlines import sweep
    from grievance.models.base import utcnow
    from datetime import timedelta

    sweep(db.session, utcnow() + timedelta(days=60))
    db.session.commit()
    run_jobs()
    seen = []
    for message in db.session.scalars(select(Message)):
        seen.append(message.body or "")
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments and not rule.endpoint.startswith("static"):
            for client in (http, _signed_in(app, "adv@example.org"), app.test_client()):
                seen.append(client.get(rule.rule).get_data(as_text=True) if rule.endpoint != "queue.case" else "")
    assert len(seen) > 3 and not [text for text in seen if "NOTE-MARKER-7731" in text]
