"""The worker's number: nowhere in plain text, not in any column, not in the logs."""

from __future__ import annotations

import logging

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
