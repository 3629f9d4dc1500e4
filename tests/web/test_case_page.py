"""The case page's actions, as the people working a case notice them."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import time_machine

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Case, CaseView, Message
from tests import factories
from tests.conftest import case_form, csrf_token, inbound_params

NOTE = "NOTE-MARKER-7731 manager Budi threatened her"


def _signed_in(app, email):
    http = app.test_client()
    page = http.get("/login").get_data(as_text=True)
    http.post("/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": csrf_token(page)})
    return http


def _page(http, case):
    html = http.get(f"/cases/{case.reference}").get_data(as_text=True)
    return html, case_form(html)


def _world():
    factories.factory()
    factories.picc_member(email="ani@example.org", language="en")  # the pages read in English here
    factories.advisor(email="adv@example.org", language="en")
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


def test_a_reply_template_the_admins_wrote_in_her_language_is_offered_and_sent_as_written(app):
    from grievance.models import ReplyTemplate

    case = _world()
    db.session.add_all([
        ReplyTemplate(key="payslip", language="id", text="Kami sudah memeriksa slip gaji Anda."),
        ReplyTemplate(key="payslip", language="km", text="យើងបានពិនិត្យប័ណ្ណបើកប្រាក់ខែរបស់អ្នក។"),
        ReplyTemplate(key="old", language="id", text="Tidak dipakai lagi.", active=False)])
    db.session.commit()
    http = _signed_in(app, "ani@example.org")
    html, form = _page(http, case)
    assert "Kami sudah memeriksa slip gaji Anda." in html  # hers is Indonesian: offered
    assert "យើងបាន" not in html and "Tidak dipakai lagi." not in html  # other languages, retired ones: not
    response = http.post(f"/cases/{case.reference}/reply", data={**form, "reply-template": "written:payslip"})
    assert response.status_code == 302
    sent = db.session.scalar(select(Message).where(Message.direction == "outbound",
                                                   Message.purpose == "committee_text"))
    assert sent.body.startswith("Kami sudah memeriksa slip gaji Anda.")


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


def test_an_action_without_the_case_version_is_refused_like_a_stale_page(app):
    case = _world()
    http = _signed_in(app, "ani@example.org")
    html, _ = _page(http, case)
    response = http.post(f"/cases/{case.reference}/reply", data={"csrf_token": csrf_token(html),
                                                                 "reply-text": "Kami cek"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "did not say which version of the case it showed" in page and "Kami cek" in page
    assert db.session.scalar(select(Message).where(Message.purpose == "committee_text")) is None
    for action in ("acknowledge", "take", "note", "resolve", "category"):
        assert http.post(f"/cases/{case.reference}/{action}", data={
            "csrf_token": csrf_token(html), "note-body": "x", "category-category": "forced_labour",
            "resolve-outcome_code": "remedied", "resolve-outcome": "x", "resolve-confirm": "y"}).status_code == 409
    db.session.expire_all()
    unchanged = db.session.get(Case, case.id)
    assert (unchanged.status, unchanged.category, unchanged.assignee_id) == ("new", "wages", None)


def test_only_people_who_may_work_the_case_are_offered_to_assign(app):
    case = _world()
    factories.picc_member(email="budi@example.org", name="Budi")
    factories.factory(code="IDN-0002", name="PT Lain", number="+622150000002")
    factories.picc_member(email="other@example.org", factory_code="IDN-0002", name="Citra")
    factories.advisor(email="kh@example.org", country="KH", name="Sokha")
    factories.user(email="fm@example.org", role="factory_manager", name="Manager Dedi", factory_code="IDN-0001")
    factories.user(email="admin@example.org", role="admin", name="Admin Eka")
    http = _signed_in(app, "ani@example.org")
    html, _ = _page(http, case)
    offered = re.search(r'<select[^>]*name="assign-member".*?</select>', html, re.S).group(0)
    assert {"Ani", "Budi", "Advisor"} <= set(re.findall(r">([^<]+)</option>", offered))
    for nobody in ("Citra", "Sokha", "Manager Dedi", "Admin Eka"):
        assert nobody not in offered


def test_an_internal_note_never_leaves(app, client, run_jobs, post_twilio, twilio_requests, monkeypatch):
    """A note with a marker on two cases (one texted by SMS, one from the simulator phone), then
    every outbound path: she writes again and asks STATUS and her reference, the deadline sweep
    escalates, the digest mails, the committee replies and resolves. The marker is in no message
    of any case, no request to Twilio, no mail, no simulator page, no page of any role but the
    case page of those who work it."""
    from grievance import mail
    from grievance.channels.twilio.media import Media
    from grievance.tasks.rounds import email_notifications, sweep_deadlines

    marker = "NOTE-MARKER-7731"
    monkeypatch.setattr("grievance.web.queue.case.fetch_media", lambda url: Media(b"\xff\xd8", "image/jpeg"))
    outbox = io.StringIO()
    monkeypatch.setattr("grievance.tasks.rounds.mailer", lambda: mail.ConsoleMailer(outbox))  # as MAIL_BACKEND=console
    case = _world()
    factories.user(email="fm@example.org", role="factory_manager", name="Manager", factory_code="IDN-0001")
    factories.user(email="admin@example.org", role="admin", name="Admin")
    factories.user(email="buyer@example.org", role="buyer", name="Buyer", buyer="Acme Brands")
    phone = app.test_client()  # the simulator's phone
    page = phone.get("/simulator").get_data(as_text=True)
    assert phone.post("/simulator", data={"endpoint": 1, "csrf_token": csrf_token(page),
                                          "body": "Upah lembur saya belum dibayar"}).status_code == 302
    run_jobs()
    db.session.expire_all()
    simulated = db.session.scalars(select(Case).where(Case.id != case.id)).one()
    late = factories.case(phone="+6281311112222", body="Gaji dipotong tanpa alasan")
    picc = _signed_in(app, "ani@example.org")
    for each in (case, simulated, late):
        _, form = _page(picc, each)
        assert picc.post(f"/cases/{each.reference}/note",
                         data={**form, "note-body": f"{marker} manager Budi threatened her"}).status_code == 302

    for body in ("Mandor bilang jangan lapor", "STATUS", case.reference):  # she writes again, asks how it is
        post_twilio(inbound_params(body, sender=factories.WORKER_PHONE))
        run_jobs()
    for each, reply in ((case, {"reply-template": "followup_looking"}), (simulated, {"reply-text": "Kami cek."})):
        _, form = _page(picc, each)
        assert picc.post(f"/cases/{each.reference}/reply", data={**form, **reply}).status_code == 302
        run_jobs()
        _, form = _page(picc, each)
        outcome = {**form, "resolve-outcome_code": "remedied", "resolve-outcome": "Lembur sudah dibayar."}
        assert picc.post(f"/cases/{each.reference}/resolve", data=outcome).status_code == 200  # what she gets
        assert picc.post(f"/cases/{each.reference}/resolve", data={**outcome, "resolve-confirm": "y"}
                         ).status_code == 302
        run_jobs()
    # Last, as the clock moves on: a third case nobody acknowledged escalates (a text to her,
    # notifications, the digest mail the sweep queues).
    db.session.expire_all()
    with time_machine.travel(db.session.get(Case, late.id).acknowledge_by + timedelta(hours=1), tick=False):
        sweep_deadlines()
        run_jobs()
        email_notifications()

    db.session.expire_all()
    outbound = db.session.scalars(select(Message).where(Message.direction == "outbound")).all()
    purposes = {message.purpose.split("_programme")[0] for message in outbound}
    assert {"followup_looking", "committee_text", "outcome", "escalated"} <= purposes, purposes
    assert any(message.purpose.startswith("status") for message in outbound), purposes
    assert db.session.get(Case, late.id).escalation_level >= 1
    left = {f"message {m.id} ({m.purpose})": (m.body or "") + repr(m.media or "") for m in
            db.session.scalars(select(Message))}
    assert twilio_requests, "nothing went towards Twilio: the SMS path was not driven"
    left |= {f"twilio {method} {url}": repr(data) for method, url, data in twilio_requests}
    assert "--- mail to" in outbox.getvalue(), "no digest was mailed"
    left["mail"] = outbox.getvalue()
    left["simulator"] = phone.get("/simulator").get_data(as_text=True)
    left["simulator thread"] = phone.get("/simulator/thread").get_data(as_text=True)
    assert "Kami cek." in left["simulator thread"]  # the thread shows what she was sent

    readers = {role: _signed_in(app, email) for role, email in (
        ("picc", "ani@example.org"), ("advisor", "adv@example.org"), ("factory_manager", "fm@example.org"),
        ("admin", "admin@example.org"), ("buyer", "buyer@example.org"))} | {"signed out": app.test_client()}
    first = db.session.scalars(select(Message).where(Message.case_id == case.id).order_by(Message.id)).first()
    from grievance.models import Organisation, User

    organisation = db.session.scalars(select(Organisation.id)).first() or 1
    fill = {"reference": case.reference, "code": "ID", "message_id": first.id, "index": 0,
            "factory_id": case.factory_id, "organisation_id": organisation, "template_id": 1, "token": "unknown",
            "user_id": db.session.scalar(select(User.id).where(User.email == "ani@example.org")),
            "organisation": "acme-brands", "country_code": "ID", "survey_id": 1, "run_id": 1, "question_id": 1}
    # The API with each reader's own token (a session never authenticates it).
    from grievance.access.tokens import create_token

    bearer = {role: {"Authorization": "Bearer " + create_token(
        db.session.scalar(select(User).where(User.email == email)), "tests")[1]}
        for role, email in (("picc", "ani@example.org"), ("advisor", "adv@example.org"),
                            ("factory_manager", "fm@example.org"), ("admin", "admin@example.org"),
                            ("buyer", "buyer@example.org"))}
    db.session.commit()
    full_case_pages = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":  # files of the code, not of any case
            continue
        assert rule.arguments <= set(fill), f"{rule.rule}: say how to fill its arguments here"
        url = rule.build({name: fill[name] for name in rule.arguments}, append_unknown=False)[1]
        if rule.rule.startswith("/api/") and "code" in rule.arguments:
            url = url.replace("/ID", "/IDN-0001", 1)  # a factory's code there, not a country's
        for role, http in readers.items():
            response = http.get(url, headers=bearer.get(role, {}) if url.startswith("/api/") else {})
            text = response.get_data(as_text=True)
            if rule.endpoint == "queue.case" and role in ("picc", "advisor", "admin"):
                assert marker in text, f"{role} works the case and sees its notes"
                full_case_pages.add(role)
            else:
                left[f"GET {url} as {role} ({response.status_code})"] = text
    assert full_case_pages == {"picc", "advisor", "admin"}
    assert len(left) > 20
    assert [where for where, text in left.items() if marker in text] == []


def test_an_admins_template_too_long_once_signed_is_refused_and_not_sent(app):
    from grievance.models import ReplyTemplate

    case = _world()
    db.session.add(ReplyTemplate(key="long", language="id", text="a" * 1600))  # written before the limit
    db.session.commit()
    http = _signed_in(app, "ani@example.org")
    _, form = _page(http, case)
    response = http.post(f"/cases/{case.reference}/reply", data={**form, "reply-template": "written:long"})
    assert response.status_code == 400
    assert "at most 1600 characters can be sent" in response.get_data(as_text=True)
    assert db.session.scalar(select(Message).where(Message.purpose == "committee_text")) is None


def test_resolving_while_her_message_is_processed_waits_for_it_and_says_she_wrote_again(app, processing_held):
    """Her message is being processed (her row locked, the case not yet written) when Ani
    confirms the outcome: the action waits for it, then sees it, and the two never wait for each
    other (on PostgreSQL they did: the action held the case and wanted her row, her message held
    her row and wanted the case, until the database cancelled one)."""
    from grievance.models.message import INBOUND, RECEIVED
    from grievance.privacy import vault

    case = _world()
    http = _signed_in(app, "ani@example.org")
    _, form = _page(http, case)
    first = db.session.scalars(select(Message).where(Message.case_id == case.id)).first()
    stored = Message(direction=INBOUND, provider="twilio", channel="sms", endpoint_id=first.endpoint_id,
                     address_encrypted=vault().encrypt(factories.WORKER_PHONE), body="Mandor marah lagi hari ini",
                     status=RECEIVED)
    db.session.add(stored)
    db.session.commit()
    processing_held.start(stored.id)
    data = {**form, "resolve-outcome_code": "remedied", "resolve-outcome": "Mandor sudah ditegur.",
            "resolve-confirm": "y"}
    response = http.post(f"/cases/{case.reference}/resolve", data=data)
    assert processing_held.finish() == []
    assert response.status_code == 409 and "She wrote again." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).status != "resolved"  # nothing was sent on the old page
    assert db.session.get(Message, stored.id).case_id == case.id  # her words are on the case
    assert db.session.scalar(select(Message).where(Message.purpose.like("outcome%"))) is None
