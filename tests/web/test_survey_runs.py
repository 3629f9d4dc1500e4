"""A run as the programme's staff send and follow it on their pages, and a roster as a
factory's manager uploads it: the plan first, the progress while it goes, pause and cancel."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from grievance.extensions import db
from grievance.models import AdminEvent, Conversation, Message, SurveyDelivery, SurveyRun, SurveySubscriber
from grievance.models.base import utcnow
from grievance.models.survey import CANCELLED, FINISHED, PLANNED
from grievance.workflows.surveys.dispatch import pause_run, start_run
from grievance.workflows.surveys.planning import plan_run
from tests import factories
from tests.conftest import csrf_token
from tests.surveys import builders
from tests.surveys.apps import simulator_app  # noqa: F401  (the app: the simulator its only channel)

ADVISOR = "adv@example.org"


@pytest.fixture
def world(app):
    factory = factories.factory()
    factories.advisor(email=ADVISOR, country="ID", language="en")
    now = utcnow()
    builders.subscribers(factory=factory, count=3, now=now)
    return {"factory": factory, "survey": builders.survey(now=now), "now": now}


def form_post(client, page: str, url: str, data: dict):
    token = csrf_token(client.get(page).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def start_url(html: str) -> str:
    """Where the plan's "Send it now" button posts."""
    found = re.search(r'action="(/surveys/runs/\d+/start)"', html)
    assert found, "the plan offers no button to start it"
    return found.group(1)


def test_the_plan_comes_first_then_the_run_sends_and_its_page_shows_the_progress(world, client, sign_in, run_jobs):
    assert sign_in(ADVISOR, factories.PASSWORD).status_code == 302
    survey, factory = world["survey"], world["factory"]
    page = f"/surveys/{survey.id}/runs/new"
    assert client.get(page).status_code == 200
    shown = form_post(client, page, page, {"run-target": f"factory:{factory.id}"})
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert "3 recipients" in html and "Send it now" in html
    run = db.session.scalars(select(SurveyRun)).one()  # only a plan so far: nothing is sent
    assert run.status == PLANNED
    assert db.session.scalar(select(func.count()).select_from(SurveyDelivery)) == 0

    started = client.post(start_url(html), data={"csrf_token": csrf_token(html)})
    assert started.headers["Location"].endswith(f"/surveys/runs/{run.id}")
    run_jobs()
    db.session.expire_all()
    assert db.session.get(SurveyRun, run.id).status == FINISHED
    counts = client.get(f"/surveys/runs/{run.id}/progress.json").get_json()
    assert counts == {"status": FINISHED, "total": 3, "sent": 3, "delivered": 3, "answered": 0, "failed": 0,
                      "left": 0, "cancelled": 0, "skipped": 0}
    html = client.get(f"/surveys/runs/{run.id}").get_data(as_text=True)
    assert '<progress max="3" value="3"' in html and "data-progress-url" in html
    assert "+62812" not in html
    assert run.survey.title in client.get("/surveys/runs").get_data(as_text=True)


def test_a_survey_missing_texts_is_refused_on_the_page_naming_them(world, client, sign_in):
    sign_in(ADVISOR, factories.PASSWORD)
    survey = builders.survey(now=world["now"], thanks={"id": "Terima kasih."})
    page = f"/surveys/{survey.id}/runs/new"
    refused = form_post(client, page, page, {"run-target": f"factory:{world['factory'].id}", "confirm": "yes"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "Thank-you: English" in html
    assert db.session.scalar(select(func.count()).select_from(SurveyRun)) == 0


def test_pause_then_cancel_with_a_confirmation_stops_the_run(world, client, sign_in, run_jobs):
    run = plan_run(db.session, survey=world["survey"], factory=world["factory"], actor=None, now=world["now"])
    start_run(db.session, run, None, world["now"])
    pause_run(db.session, run, None, world["now"])  # before its first batch
    db.session.commit()
    run_jobs()
    sign_in(ADVISOR, factories.PASSWORD)
    url = f"/surveys/runs/{run.id}"
    html = client.get(url).get_data(as_text=True)
    assert "Paused" in html and "Resume" in html and "Cancel the run" in html
    assert client.post(f"{url}/cancel", data={}).status_code == 400  # no CSRF token: nothing happens
    asked = form_post(client, url, f"{url}/cancel", {})
    assert asked.status_code == 200 and "Yes, cancel it" in asked.get_data(as_text=True)
    assert db.session.get(SurveyRun, run.id).status != CANCELLED
    done = form_post(client, url, f"{url}/cancel", {"confirm": "yes"})
    assert done.headers["Location"].endswith(url)
    run_jobs()
    db.session.expire_all()
    assert db.session.get(SurveyRun, run.id).status == CANCELLED
    assert client.get(f"{url}/progress.json").get_json()["cancelled"] == 3
    assert db.session.scalar(select(func.count()).select_from(Message).where(Message.run_id == run.id)) == 0
    again = form_post(client, url, f"{url}/resume", {})
    assert again.status_code == 409


def test_a_run_is_not_there_for_those_who_may_not_send_it(world, client, sign_in):
    run = plan_run(db.session, survey=world["survey"], factory=world["factory"], actor=None, now=world["now"])
    db.session.commit()
    factories.user(email="fm@example.org", role="factory_manager", factory_code="IDN-0001")
    factories.advisor(email="kh@example.org", country="KH")
    for email in ("fm@example.org", "kh@example.org"):
        client.post("/logout", data={"csrf_token": csrf_token(client.get("/login").get_data(as_text=True))})
        sign_in(email, factories.PASSWORD)
        for url in (f"/surveys/runs/{run.id}", f"/surveys/runs/{run.id}/progress.json",
                    f"/surveys/{world['survey'].id}/runs/new"):
            assert client.get(url).status_code == 404, (email, url)


def test_a_factory_manager_uploads_a_roster_and_sees_each_bad_row(world, client, sign_in):
    factories.user(email="fm@example.org", role="factory_manager", factory_code="IDN-0001", language="en")
    sign_in("fm@example.org", factories.PASSWORD)
    page = client.get("/surveys/rosters").get_data(as_text=True)
    assert "consent_where" in page and "consent_at" in page
    csv = ("phone,language,consent_where,consent_at\n"
           "0812 7000 0001,id,Canteen,2026-08-01\n"
           "0812 7000 0002,km,Canteen,2026-08-01\n"
           "0812 7000 0003,id,Canteen,yesterday\n")
    from io import BytesIO

    response = client.post("/surveys/rosters", data={
        "csrf_token": csrf_token(page), "roster-factory": str(world["factory"].id),
        "roster-file": (BytesIO(csv.encode()), "roster.csv")}, content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 row accepted" in html
    assert "Row 3" in html and "Row 4" in html and "Row 2:" not in html
    assert "7000" not in html  # no number of hers on the page
    assert db.session.scalar(select(func.count()).select_from(SurveySubscriber)) == 3 + 1
    (event,) = db.session.scalars(select(AdminEvent).where(AdminEvent.area == "surveys")).all()
    assert (event.action, event.subject, event.data["imported"]) == ("roster", "IDN-0001", 1)
    assert db.session.scalar(select(func.count()).select_from(SurveyDelivery)) == 0


def test_an_announcement_goes_to_a_whole_country_from_its_page(world, client, sign_in, run_jobs):
    other = factories.factory(code="IDN-0002", name="PT Dua", number="+622150000002")
    builders.subscribers(factory=other, count=2, now=world["now"], first=100)
    announcement = builders.announcement(now=world["now"])
    sign_in(ADVISOR, factories.PASSWORD)
    page = f"/surveys/{announcement.id}/runs/new"
    assert "Every factory of Indonesia" in client.get(page).get_data(as_text=True)
    plan = form_post(client, page, page, {"run-target": "country:ID"}).get_data(as_text=True)
    assert "5 recipients" in plan
    started = client.post(start_url(plan), data={"csrf_token": csrf_token(plan)})
    assert started.status_code == 303
    run_jobs()
    run = db.session.scalars(select(SurveyRun)).one()
    assert (run.factory_id, run.country_code) == (None, "ID")
    purposes = db.session.scalars(select(Message.purpose).where(Message.run_id == run.id)).all()
    assert purposes == ["announcement"] * 5
    assert client.get(f"/surveys/runs/{run.id}/progress.json").get_json()["sent"] == 5


def test_send_it_now_pressed_twice_sends_the_survey_once(world, client, sign_in, run_jobs):
    sign_in(ADVISOR, factories.PASSWORD)
    page = f"/surveys/{world['survey'].id}/runs/new"
    plan = form_post(client, page, page, {"run-target": f"factory:{world['factory'].id}"}).get_data(as_text=True)
    token = csrf_token(plan)
    first = client.post(start_url(plan), data={"csrf_token": token})
    second = client.post(start_url(plan), data={"csrf_token": token})  # a double click
    run_jobs()
    run = db.session.scalars(select(SurveyRun)).one()
    assert first.headers["Location"] == second.headers["Location"] == f"/surveys/runs/{run.id}"
    assert db.session.scalar(select(func.count()).select_from(SurveyDelivery)) == 3
    sent = db.session.scalars(select(Message.worker_id).where(Message.run_id == run.id)).all()
    assert len(sent) == len(set(sent)) == 3


def test_a_run_whose_invitations_all_went_can_still_be_cancelled_while_workers_are_mid_survey(
        world, client, sign_in, run_jobs):
    sign_in(ADVISOR, factories.PASSWORD)
    run = plan_run(db.session, survey=world["survey"], factory=world["factory"], actor=None, now=world["now"])
    start_run(db.session, run, None, world["now"])
    db.session.commit()
    run_jobs()
    url = f"/surveys/runs/{run.id}"
    db.session.expire_all()
    assert db.session.get(SurveyRun, run.id).status == FINISHED
    assert "Cancel the run" in client.get(url).get_data(as_text=True)  # three workers can still answer
    done = form_post(client, url, f"{url}/cancel", {"confirm": "yes"})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(SurveyRun, run.id).status == CANCELLED
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == 0
    assert "Cancel the run" not in client.get(url).get_data(as_text=True)


@pytest.mark.parametrize("path", ["/surveys/99999999999999999999/runs/new", "/surveys/99999999999999999999",
                                  "/surveys/runs/99999999999999999999", "/surveys/runs/99999999999999999999/results"])
def test_an_id_too_large_for_the_database_is_a_page_that_is_not_there(world, client, sign_in, path):
    sign_in(ADVISOR, factories.PASSWORD)
    assert client.get(path).status_code == 404


def upload(client, factory, body: bytes):
    page = client.get("/surveys/rosters").get_data(as_text=True)
    return client.post("/surveys/rosters", data={
        "csrf_token": csrf_token(page), "roster-factory": str(factory.id),
        "roster-file": (io.BytesIO(body), "roster.csv")}, content_type="multipart/form-data")


def test_a_roster_does_not_tell_a_factory_manager_which_numbers_had_texted(world, client, sign_in):
    from grievance.privacy import vault
    from grievance.workflows.surveys.consent import subscribe
    from grievance.workflows.workers import find_or_create_worker

    worker = find_or_create_worker(db.session, "+6281298765432", vault(), "ID", world["now"])
    subscribe(db.session, worker=worker, factory_id=world["factory"].id, source="texted", channel="sms",
              language="id", consent_where="text message", consent_at=world["now"], now=world["now"])
    db.session.commit()  # she said yes by text herself
    factories.user(email="fm@example.org", role="factory_manager", factory_code="IDN-0001", language="en")
    sign_in("fm@example.org", factories.PASSWORD)
    pages = []
    for number in ("+6281298765432", "+6281298765499"):  # known, and new
        response = upload(client, world["factory"], f"phone,language,consent_where,consent_at\n{number},id,Canteen,"
                                                    f"2026-08-01\n".encode())
        pages.append(re.search(r'role="status">(.*?)</section>', response.get_data(as_text=True), re.S).group(1))
    assert pages[0] == pages[1] and "1 row accepted" in pages[0]


@pytest.mark.parametrize("body", [
    b"phone,language,consent_where,consent_at\r0812 7000 0001,id,Canteen,2026-08-01\r",  # Excel "CSV (Macintosh)"
    b"phone,language,consent_where,consent_at\n0812 7000 0001,id,\"" + b"a" * 200_000 + b"\",2026-08-01\n",
])
def test_a_roster_the_csv_reader_chokes_on_is_refused_with_a_reason_not_an_error_page(world, client, sign_in, body):
    factories.user(email="fm@example.org", role="factory_manager", factory_code="IDN-0001", language="en")
    sign_in("fm@example.org", factories.PASSWORD)
    response = upload(client, world["factory"], body)
    html = response.get_data(as_text=True)
    if b"\r0812" in body:  # read as the two lines it is
        assert response.status_code == 200 and "1 row accepted" in html
    else:
        assert response.status_code == 422 and "cannot be read as CSV" in html
        assert "aaaa" not in html


def test_a_text_of_a_sending_survey_is_not_removed_and_a_run_paused_for_one_names_it(world, client, sign_in):
    from grievance.workflows.surveys.dispatch import send_batch

    survey = world["survey"]
    run = plan_run(db.session, survey=survey, factory=world["factory"], actor=None, now=world["now"])
    start_run(db.session, run, None, world["now"])
    pause_run(db.session, run, None, world["now"])
    db.session.commit()
    sign_in(ADVISOR, factories.PASSWORD)
    page = f"/surveys/{survey.id}"
    texts = {"texts-intro_id": "", "texts-intro_en": "A short survey.", "texts-q1_id": survey.questions[0].text["id"],
             "texts-q1_en": survey.questions[0].text["en"], "texts-thanks_id": "Terima kasih.",
             "texts-thanks_en": "Thank you."}
    refused = form_post(client, page, f"{page}/texts", texts)
    assert refused.status_code == 409 and "cannot be removed until it is over" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(type(survey), survey.id).intro["id"] == "Survei singkat dari pabrik Anda."

    # Removed some other way: the next batch pauses the run, and its page says which text is missing.
    found = db.session.get(type(survey), survey.id)
    found.intro = {"en": found.intro["en"]}
    db.session.get(SurveyRun, run.id).status = "running"
    db.session.commit()
    assert send_batch(db.session, run.id, world["now"]).sent == 0
    db.session.commit()
    html = client.get(f"/surveys/runs/{run.id}").get_data(as_text=True)
    assert "Paused because these texts were removed" in html and "Introduction: Bahasa Indonesia" in html
    assert form_post(client, f"/surveys/runs/{run.id}", f"/surveys/runs/{run.id}/resume", {}).status_code == 409
