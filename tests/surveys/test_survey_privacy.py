"""A survey from start to end — her yes by text, a roster naming her and a neighbour (one in
Khmer-script digits, one row bad), a run sent and answered — then every page, CSV file, JSON
answer, log line and column: her number in no format anywhere but encrypted."""

from __future__ import annotations

import logging
from io import BytesIO

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import SurveyRun
from grievance.models.base import utcnow
from tests import factories
from tests.conftest import csrf_token
from tests.surveys import builders
from tests.surveys.apps import simulator_app  # noqa: F401  (the app: the simulator its only channel)

PHONE = "+6281298765432"
NEIGHBOUR = "+6281311112222"
FORMS = [form for number in (PHONE, NEIGHBOUR) for form in
         (number, number[1:], "0" + number[3:], number[3:], f"{number[3:6]}-{number[6:10]}-{number[10:]}",
          f"0{number[3:6]} {number[6:10]} {number[10:]}")]
KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")


def _signed_in(app, email: str):
    http = app.test_client()
    page = http.get("/login").get_data(as_text=True)
    http.post("/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": csrf_token(page)})
    return http


def test_no_page_export_log_or_column_of_a_survey_shows_her_number(app, run_jobs, caplog):
    caplog.set_level(logging.DEBUG)
    factory = factories.factory()
    factories.advisor(email="adv@example.org", language="en")
    factories.user(email="fm@example.org", role="factory_manager", factory_code="IDN-0001", language="en")
    phone = app.test_client()
    page = phone.get("/simulator").get_data(as_text=True)
    phone.post("/simulator", data={"endpoint": 1, "phone": PHONE, "body": "SURVEI", "csrf_token": csrf_token(page)})
    run_jobs()

    manager = _signed_in(app, "fm@example.org")
    roster = ("phone,language,consent_where,consent_at\n"
              f"{PHONE},id,PICC meeting,2026-11-02\n"
              f"{'0' + NEIGHBOUR[3:]}".translate(KHMER_DIGITS) + ",id,PICC meeting,2026-11-02\n"
              f"{NEIGHBOUR[:-1]}99999,xx,PICC meeting,2026-11-02\n")
    page = manager.get("/surveys/rosters").get_data(as_text=True)
    uploaded = manager.post("/surveys/rosters", data={
        "csrf_token": csrf_token(page), "roster-factory": str(factory.id),
        "roster-file": (BytesIO(roster.encode()), "roster.csv")}, content_type="multipart/form-data")
    texts = {"roster upload": uploaded.get_data(as_text=True)}
    assert uploaded.status_code == 200

    now = utcnow()
    survey = builders.survey(now=now)
    advisor = _signed_in(app, "adv@example.org")
    new_run = f"/surveys/{survey.id}/runs/new"
    page = advisor.get(new_run).get_data(as_text=True)
    plan = advisor.post(new_run, data={"run-target": f"factory:{factory.id}", "csrf_token": csrf_token(page)})
    texts["plan"] = plan.get_data(as_text=True)
    run = db.session.scalars(select(SurveyRun)).one()
    started = advisor.post(f"/surveys/runs/{run.id}/start", data={"csrf_token": csrf_token(texts["plan"])})
    assert started.status_code == 303
    run_jobs()
    page = phone.get("/simulator").get_data(as_text=True)
    phone.post("/simulator", data={"endpoint": 1, "phone": PHONE, "body": "ya", "csrf_token": csrf_token(page)})
    run_jobs()
    db.session.refresh(run)
    assert run.status != "planned" and run.plan["recipients"] == 3  # the simulated phone, and the roster's two good rows

    for who, http in (("advisor", advisor), ("manager", manager)):
        for url in ("/surveys/", f"/surveys/{survey.id}", "/surveys/runs", f"/surveys/runs/{run.id}",
                    f"/surveys/runs/{run.id}/progress.json", f"/surveys/runs/{run.id}/results",
                    f"/surveys/runs/{run.id}/results.csv", "/surveys/rosters", "/admin/log", "/factory"):
            response = http.get(url)
            texts[f"GET {url} as {who} ({response.status_code})"] = response.get_data(as_text=True)
    with db.engine.connect() as connection:
        for table in db.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                for column, value in row._mapping.items():
                    texts[f"{table.name}.{column}"] = texts.get(f"{table.name}.{column}", "") + str(value)
    texts["logs"] = caplog.text
    shown = [where for where, text in texts.items() for form in FORMS if form in text]
    assert shown == []
    assert sum(1 for where in texts if "(200)" in where) >= 10  # the pages were really read
