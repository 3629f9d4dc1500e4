"""The simulator: a phone of its own, which tells nobody whether a real number has texted."""

from __future__ import annotations

import re

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Message
from tests import factories
from tests.conftest import csrf_token, inbound_params

REAL_WORKER = "+6281298765432"
NEVER_TEXTED = "+6281377778888"


def _without_token(html: str) -> str:
    return re.sub(r'value="[^"]*"', 'value=""', html)


def _text(http, body: str, phone: str | None = None):
    token = csrf_token(http.get("/simulator").get_data(as_text=True))
    data = {"endpoint": 1, "body": body, "csrf_token": token}
    if phone is not None:
        data["phone"] = phone
    return http.post("/simulator", data=data)


def test_the_answer_is_the_same_whether_or_not_a_number_has_texted(app, post_twilio, run_jobs):
    factories.factory()
    post_twilio(inbound_params("Mandor saya melecehkan saya", sender=REAL_WORKER))
    run_jobs()

    answers = []
    for number in (REAL_WORKER, NEVER_TEXTED):
        http = app.test_client()
        response = _text(http, "Halo", phone=number)
        answers.append((response.status_code, response.headers.get("Location"),
                        _without_token(response.get_data(as_text=True))))
    assert answers[0] == answers[1]
    assert "real worker" not in answers[0][2]


def test_the_simulated_phone_never_joins_the_conversation_of_a_real_number(app, post_twilio, run_jobs):
    """Even a number that texts for real only after the simulator used it stays apart."""
    factories.factory()
    http = app.test_client()
    _text(http, "Upah saya dipotong", phone=NEVER_TEXTED)
    run_jobs()
    post_twilio(inbound_params("Mandor saya melecehkan saya", sender=NEVER_TEXTED))
    run_jobs()
    _text(http, "STATUS")
    run_jobs()

    db.session.expire_all()
    simulated = {m.worker_id for m in db.session.scalars(select(Message).where(Message.provider == "simulator"))}
    real = {m.worker_id for m in db.session.scalars(select(Message).where(Message.provider == "twilio"))}
    assert simulated and real and simulated.isdisjoint(real)
    thread = http.get("/simulator/thread").get_json()["messages"]
    assert thread and not any("Mandor" in m["body"] for m in thread)
    assert "Mandor" not in http.get("/simulator").get_data(as_text=True)


def test_each_browser_has_its_own_phone_and_a_new_phone_starts_afresh(app, run_jobs):
    factories.factory()
    first, second = app.test_client(), app.test_client()
    _text(first, "Upah saya dipotong")
    run_jobs()
    assert any("Upah saya dipotong" in m["body"] for m in first.get("/simulator/thread").get_json()["messages"])
    assert second.get("/simulator/thread").get_json()["messages"] == []

    token = csrf_token(first.get("/simulator").get_data(as_text=True))
    assert first.post("/simulator/new-phone", data={"csrf_token": token}).status_code == 302
    assert first.get("/simulator/thread").get_json()["messages"] == []
