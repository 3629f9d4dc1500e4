"""The worker's number: nowhere in plain text, not in any column, not in the logs."""

from __future__ import annotations

import logging

import pytest

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Case
from tests import factories
from tests.conftest import csrf_token, inbound_params

PHONE = "+6281298765432"
FORMS = (PHONE, PHONE[1:], "081298765432", "81298765432", "812-9876-5432", "0812 9876 5432")


def test_no_column_of_any_table_holds_the_number_and_no_log_line_either(app, client, post_twilio, run_jobs,
                                                                           sign_in, caplog):
    caplog.set_level(logging.DEBUG)
    factories.factory()
    factories.picc_member()
    # A full run: two messages by Twilio, one by the simulator, replies, a committee member's visit.
    post_twilio(inbound_params("Saya belum menerima upah lembur bulan ini", sender=PHONE))
    run_jobs()  # her case opens first; the second message joins it (two job threads: else either order)
    post_twilio(inbound_params("Nomor saya 0812 9876 5432 kalau perlu", sender="+62 812 9876 5432"))
    page = client.get("/simulator").get_data(as_text=True)
    client.post("/simulator", data={"endpoint": 1, "phone": PHONE, "body": "Tolong", "csrf_token": csrf_token(page)})
    run_jobs()
    client.get("/simulator/thread")
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/simulator").get_data(as_text=True))})
    sign_in("ani@example.org", factories.PASSWORD)
    case = db.session.scalar(select(Case))
    client.get(f"/cases/{case.reference}")

    found = []
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                for column, value in row._mapping.items():
                    text = str(value)
                    # The worker herself wrote her number in a message body: that is her words, kept as sent.
                    if table.name == "messages" and column in ("body", "body_normalized"):
                        continue
                    found += [(table.name, column) for form in FORMS if form in text]
    assert found == []
    assert case.messages, "the run produced messages"
    for form in FORMS:
        assert form not in caplog.text


def test_no_page_spool_or_export_shows_the_number(app, post_twilio, run_jobs, tmp_path, monkeypatch):
    """A whole scenario, then every page a person can open (as each role that works or follows
    cases, and the admin), the spool and the dead-letter file: her number in no format anywhere
    but encrypted."""
    from pathlib import Path

    from grievance.channels.base import InboundMessage
    from grievance.channels.ingest import spool

    monkeypatch.setitem(app.config, "SPOOL_DIR", str(tmp_path / "spool"))  # its own: others replay theirs
    factories.factory()
    factories.picc_member(email="ani@example.org", language="en")
    factories.advisor(email="adv@example.org", language="en")
    factories.user(email="fm@example.org", role="factory_manager", factory_code="IDN-0001", language="en")
    factories.user(email="admin@example.org", role="admin", language="en")
    for body in ("Saya belum menerima upah lembur bulan ini", "Mandor mengambil paspor saya"):
        post_twilio(inbound_params(body, sender=PHONE))
        run_jobs()
    with app.test_request_context():
        spool(InboundMessage(provider="twilio", provider_id="SM" + "1" * 32, channel="sms", from_address=PHONE,
                             to_address="+622150000001", body="Tolong"))
    spooled = Path(app.config["SPOOL_DIR"])
    (spooled / "dead-letter.jsonl").write_bytes((spooled / "inbound.jsonl").read_bytes())

    texts = {str(path): path.read_text(errors="replace") for path in spooled.glob("*.jsonl")}
    assert texts, "the spool was written"
    cases = db.session.scalars(select(Case)).all()
    assert len(cases) == 2  # a committee case and an advisor case
    for email in ("ani@example.org", "adv@example.org", "fm@example.org", "admin@example.org"):
        http = app.test_client()
        page = http.get("/login").get_data(as_text=True)
        http.post("/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": csrf_token(page)})
        urls = [rule.rule for rule in app.url_map.iter_rules()
                if "GET" in rule.methods and not rule.arguments and not rule.rule.startswith("/webhooks")]
        urls += [f"/cases/{c.reference}" for c in cases] + [f"/factory/cases/{c.reference}" for c in cases]
        urls += ["/admin/people", "/admin/factories", "/admin/log"]
        for url in urls:
            response = http.get(url)
            texts[f"GET {url} as {email} ({response.status_code})"] = response.get_data(as_text=True)
    shown = [where for where, text in texts.items() for form in FORMS if form in text]
    assert shown == []
    assert sum(1 for where in texts if "(200)" in where) > 20  # the pages were really read


def test_the_simulator_never_shows_a_real_workers_conversation(app, client, post_twilio, run_jobs):
    factories.factory()
    post_twilio(inbound_params("Mandor saya melecehkan saya", sender=PHONE))
    run_jobs()

    page = client.get("/simulator").get_data(as_text=True)
    response = client.post("/simulator", data={"endpoint": 1, "phone": PHONE, "body": "?",
                                               "csrf_token": csrf_token(page)})
    run_jobs()
    thread = client.get("/simulator/thread").get_json()["messages"]

    assert response.status_code == 302  # a number typed in is ignored: the simulated phone has its own
    assert thread and thread[0]["body"] == "?"
    assert not any("Mandor" in m["body"] for m in thread)
    assert "Mandor" not in client.get("/simulator").get_data(as_text=True)
    cookie = client.get_cookie("session")
    assert cookie is None or "81298765432" not in cookie.value


NUMBER_FORMS = (
    "+6281298765432", "6281298765432", "081298765432", "0812-9876-5432", "0812 9876 5432", "0812.9876.5432",
    "62 812 9876 5432", "+62 812-9876-5432", "(+62) 812 9876 5432", "+62 (0)812 9876 5432", "(021) 5000 0001",
    "%2B6281298765432", "whatsapp%3A%2B6281298765432", "%2B62%20812%209876%205432", "tel:081298765432",
    "whatsapp:+6281298765432", "0062 812 9876 5432", "+855 12 345 678", "012 345 678", "+880 1712-345678",
    "01712-345678", "+962 7 9123 4567", "+509 3712 3456", "+266 5012 3456", "+505 8123 4567", "+95 9 123 456 789",
    "+84 91 234 56 78", "០៨១២៩៨៧៦៥៤៣២",
)


def _logged(caplog, line: str) -> str:
    caplog.clear()
    logging.getLogger("grievance.test").warning("%s", line)
    return caplog.records[-1].getMessage()


@pytest.mark.parametrize("number", NUMBER_FORMS)
def test_every_way_of_writing_a_number_is_redacted_in_the_logs(app, caplog, number):
    caplog.set_level(logging.INFO)
    for line in (f"from {number} to the committee", f"From={number}&Body=x", f"call {number}."):
        logged = _logged(caplog, line)
        digits = "".join(ch for ch in number if ch.isdigit())
        assert "[redacted]" in logged, line
        assert digits[-6:] not in "".join(ch for ch in logged if ch.isdigit()), logged


def test_ids_times_and_durations_stay_readable_in_the_logs(app, caplog):
    caplog.set_level(logging.INFO)
    readable = (
        "message SM0123456789abcdef0123456789abcdef (id 123456) sent in 0.412 s",
        "at 2026-11-23 00:24:00,047 and 2026-11-23T00:24:00.047574+00:00, took 1234 ms",
        "job 3f1c2b7e-1d2a-4c3b-9a8e-426614174000 from 127.0.0.1:5000 on 192.168.100.200",
        "case ID-7Q4K2M: 3 of 20 reminders, 5242880 bytes, port 5432, 12:30:45.123456",
    )
    for line in readable:
        assert _logged(caplog, line) == line
