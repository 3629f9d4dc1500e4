"""The survey editor as an advisor uses it: a survey made, its questions added, changed, moved
and removed, its texts written in each language of the country with what each costs as an
SMS, the texts still missing named, and every broken form re-rendered saying what is wrong."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Survey, SurveyRun
from grievance.models.base import utcnow
from tests import factories
from tests.conftest import csrf_token

ADVISOR = "sokha@example.org"
KHMER_QUESTION = "តើអ្នកទទួលបានប្រាក់ខែទាន់ពេលទេ?"


@pytest.fixture
def editor(client, sign_in):
    """An advisor of Cambodia (Khmer and English), signed in; post(url, data) with the CSRF token."""
    factories.factory(code="KHM-0001", name="Sample Garment Co", country="KH", number="+85523900001")
    factories.user(email=ADVISOR, role="advisor", name="Sokha", country="KH", language="en")
    assert sign_in(ADVISOR, factories.PASSWORD).status_code == 302

    def post(url: str, data: dict, page: str = "/surveys/"):
        token = csrf_token(client.get(page).get_data(as_text=True))
        return client.post(url, data={**data, "csrf_token": token})

    return post


def _page(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _new_survey(editor, title: str = "Wages 2026", kind: str = "survey") -> Survey:
    response = editor("/surveys/", {"survey-title": title, "survey-kind": kind, "survey-country": "KH"})
    made = db.session.scalar(select(Survey).where(Survey.title == title))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/surveys/{made.id}")
    return made


def _question(editor, survey: Survey, prefix: str = "question", url: str | None = None, **fields):
    data = {f"{prefix}-{key}": str(value) for key, value in fields.items()}
    return editor(url or f"/surveys/{survey.id}/questions", data, page=f"/surveys/{survey.id}")


def _three_questions(editor, survey: Survey) -> None:
    for fields in ({"kind": "yes_no"}, {"kind": "scale", "scale_max": 5}, {"kind": "choice", "choices": 3}):
        assert _question(editor, survey, **fields).status_code == 302
    db.session.expire_all()


def _texts(survey: Survey) -> dict:
    """Every text of the survey in Khmer and English."""
    stems = ["intro", "q1", "q2", "q3", "q3c1", "q3c2", "q3c3", "thanks"]
    data = {f"texts-{stem}_en": f"Text {stem}" for stem in stems}
    data |= {f"texts-{stem}_km": f"{KHMER_QUESTION} {stem}" for stem in stems}
    return data


def test_an_advisor_writes_a_survey_of_three_questions_in_each_language(editor, client):
    survey = _new_survey(editor)
    _three_questions(editor, survey)
    assert [(q.position, q.kind, q.scale_max, len(q.choices)) for q in survey.questions] == [
        (1, "yes_no", None, 0), (2, "scale", 5, 0), (3, "choice", None, 3)]

    page = _page(client.get(f"/surveys/{survey.id}"))
    assert "Not ready to send: texts missing" in page
    missing = re.search(r'<ul class="missing">(.*?)</ul>', page, re.S).group(1)
    words = " ".join(re.sub(r"<[^>]+>", "", missing).split())
    assert words.startswith("ខ្មែរ: Introduction, Question 1, Question 2, Question 3, Question 3, choice 1,")
    assert "English: Introduction, Question 1," in words
    for part in ("Question 1", "Question 3, choice 2", "Thank-you"):
        assert part in missing

    # Khmer only: English is still missing, and named.
    khmer = {key: value for key, value in _texts(survey).items() if key.endswith("_km")}
    assert editor(f"/surveys/{survey.id}/texts", khmer, page=f"/surveys/{survey.id}").status_code == 302
    page = _page(client.get(f"/surveys/{survey.id}"))
    missing = re.search(r'<ul class="missing">(.*?)</ul>', page, re.S).group(1)
    assert "English" in missing and "ខ្មែរ" not in missing
    # Each text area with its cost as written: Khmer is UCS-2, and the script counts as it is typed.
    area = re.search(r'<textarea[^>]*id="texts-q1_km"[^>]*>', page).group(0)
    assert 'data-segments="cost-texts-q1_km"' in area and 'lang="km"' in area
    cost = re.search(r'<p class="hint" id="cost-texts-q1_km"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert "UCS-2 · 1 segment" in cost
    assert "admin.js" in page

    assert editor(f"/surveys/{survey.id}/texts", _texts(survey), page=f"/surveys/{survey.id}").status_code == 302
    page = _page(client.get(f"/surveys/{survey.id}"))
    assert "Ready to send" in page and 'class="missing"' not in page
    cost = re.search(r'<p class="hint" id="cost-texts-q1_en"[^>]*>(.*?)</p>', page, re.S).group(1)
    assert "GSM-7 · 1 segment" in cost
    db.session.expire_all()
    assert survey.questions[2].choices[1] == {"en": "Text q3c2", "km": f"{KHMER_QUESTION} q3c2"}
    assert "Wages 2026" in _page(client.get("/surveys/"))


def test_a_skip_rule_that_leads_nowhere_is_refused_with_the_problem_named(editor, client):
    survey = _new_survey(editor)
    _three_questions(editor, survey)
    first, second = survey.questions[0], survey.questions[1]

    def change(question, **fields):
        response = _question(editor, survey, prefix=f"question{question.id}",
                             url=f"/surveys/{survey.id}/questions/{question.id}", **fields)
        return response.status_code, _page(response)

    status, page = change(first, kind="yes_no", skip_if="maybe", skip_to=3)
    assert status == 400 and "“maybe” is not an answer this question can get (yes or no)." in page
    status, page = change(second, kind="scale", scale_max=5, skip_if="7", skip_to=3)
    assert status == 400 and "“7” is not an answer this question can get (1 to 5)." in page
    status, page = change(second, kind="scale", scale_max=5, skip_if="2", skip_to=1)
    assert status == 400 and "Go to a question after this one (3 to 3) or 0 to end the survey." in page
    status, page = change(first, kind="yes_no", skip_if="no")
    assert status == 400 and "Say which question comes next" in page
    status, page = change(second, kind="scale", scale_max=12)
    assert status == 400 and "A scale's top must be between 2 and 10." in page
    status, page = change(second, kind="scale", scale_max=5, randomized_share=0.3)
    assert status == 400 and "Only a yes/no question can have answers replaced at random." in page
    status, page = change(first, kind="yes_no", randomized_share=0.7)
    assert status == 400 and "The share replaced at random must be more than 0 and at most 0.5." in page
    # A new question is the last: only the end is after it.
    response = _question(editor, survey, kind="yes_no", skip_if="yes", skip_to=2)
    assert response.status_code == 400 and "There is no question after this one" in _page(response)
    db.session.expire_all()
    assert len(survey.questions) == 3 and first.skip_if is None and second.scale_max == 5

    assert change(first, kind="yes_no", skip_if="No", skip_to=3, randomized_share=0.25)[0] == 302
    db.session.expire_all()
    assert (first.skip_if, first.skip_to, first.randomized_share) == ("no", 3, 0.25)
    page = _page(client.get(f"/surveys/{survey.id}"))
    assert "When the answer is “no”, go to question 3." in page and "25 % of answers replaced at random" in page
    assert "Workers must be told in the question itself that some answers are changed at random." in page


def test_moving_and_removing_questions_keeps_each_skip_rule_on_its_question(editor, client):
    survey = _new_survey(editor)
    _three_questions(editor, survey)
    first, second, third = survey.questions
    assert _question(editor, survey, prefix=f"question{first.id}", url=f"/surveys/{survey.id}/questions/{first.id}",
                     kind="yes_no", skip_if="no", skip_to=3).status_code == 302
    # The choice question moves up past the scale: question 1 now leads to it at position 2.
    assert editor(f"/surveys/{survey.id}/questions/{third.id}/move", {"direction": "up"},
                  page=f"/surveys/{survey.id}").status_code == 302
    db.session.expire_all()
    assert [q.kind for q in survey.questions] == ["yes_no", "choice", "scale"] and first.skip_to == 2
    # Moving question 1 below its target would make its rule lead backwards: refused, named.
    response = editor(f"/surveys/{survey.id}/questions/{first.id}/move", {"direction": "down"},
                      page=f"/surveys/{survey.id}")
    assert "the skip rule of question 1 would then lead backwards" in _page(client.get(f"/surveys/{survey.id}"))
    db.session.expire_all()
    assert response.status_code == 302 and [q.kind for q in survey.questions] == ["yes_no", "choice", "scale"]
    # Its target removed, the rule leads to the question after it.
    assert editor(f"/surveys/{survey.id}/questions/{third.id}/delete", {}, page=f"/surveys/{survey.id}").status_code == 302
    db.session.expire_all()
    assert [(q.position, q.kind) for q in survey.questions] == [(1, "yes_no"), (2, "scale")] and first.skip_to == 2


def test_a_survey_that_was_sent_keeps_its_questions_but_its_texts_can_be_corrected(editor, client):
    survey = _new_survey(editor)
    _three_questions(editor, survey)
    db.session.add(SurveyRun(survey_id=survey.id, country_code="KH", created_at=utcnow()))
    db.session.commit()
    page = _page(client.get(f"/surveys/{survey.id}"))
    assert "its questions stay as the workers were asked them" in page and "Add a question" not in page
    run = db.session.scalar(select(SurveyRun).where(SurveyRun.survey_id == survey.id))
    assert f'href="/surveys/runs/{run.id}/results"' in page
    response = _question(editor, survey, kind="yes_no")
    assert response.status_code == 302
    assert editor(f"/surveys/{survey.id}/questions/{survey.questions[0].id}/delete", {},
                  page=f"/surveys/{survey.id}").status_code == 302
    db.session.expire_all()
    assert len(survey.questions) == 3
    assert editor(f"/surveys/{survey.id}/texts", {"texts-intro_en": "Hello again"},
                  page=f"/surveys/{survey.id}").status_code == 302
    db.session.expire_all()
    assert survey.intro == {"en": "Hello again"}


def test_an_announcement_is_its_introduction(editor, client):
    survey = _new_survey(editor, title="Pay day moved", kind="announcement")
    page = _page(client.get(f"/surveys/{survey.id}"))
    assert "Add a question" not in page and 'id="texts-thanks_en"' not in page
    assert re.search(r'<ul class="missing">.*Announcement.*</ul>', page, re.S)
    assert editor(f"/surveys/{survey.id}/texts", {"texts-intro_en": "Pay day is the 5th.",
                                                  "texts-intro_km": KHMER_QUESTION}, page=f"/surveys/{survey.id}"
                  ).status_code == 302
    assert "Ready to send" in _page(client.get(f"/surveys/{survey.id}"))
    assert _question(editor, survey, kind="yes_no").status_code == 404


def test_broken_forms_say_what_is_wrong(editor, client):
    response = editor("/surveys/", {"survey-title": "", "survey-kind": "survey", "survey-country": "ID"})
    page = _page(response)
    assert response.status_code == 400 and "This field is required." in page and "Not a valid choice" in page
    survey = _new_survey(editor)
    response = editor(f"/surveys/{survey.id}/texts", {"texts-intro_en": "x" * 1601}, page=f"/surveys/{survey.id}")
    assert response.status_code == 400 and "Field cannot be longer than 1600 characters." in _page(response)
    response = client.post(f"/surveys/{survey.id}/texts", data={"texts-intro_en": "Hello", "csrf_token": "forged"})
    assert response.status_code == 400
    db.session.expire_all()
    assert survey.intro == {}


def test_only_the_programme_of_its_country_sees_a_survey(editor, client, sign_in):
    survey = _new_survey(editor)
    factories.factory()
    factories.user(email="adv-id@example.org", role="advisor", country="ID", language="en")
    factories.user(email="buyer@example.org", role="buyer", buyer="Acme Brands", language="en")
    factories.picc_member(email="picc@example.org", factory_code="KHM-0001")
    for email, index, page in (("adv-id@example.org", 200, 404), ("buyer@example.org", 404, 404),
                               ("picc@example.org", 404, 404)):
        other = client.application.test_client()
        sign_in(email, factories.PASSWORD, http=other)
        assert other.get("/surveys/").status_code == index, email
        assert other.get(f"/surveys/{survey.id}").status_code == page, email
        assert "Wages 2026" not in other.get("/surveys/").get_data(as_text=True)


def test_a_choice_a_worker_could_not_answer_with_is_refused_and_named(client, sign_in):
    factories.factory(code="NIC-0001", name="Textiles Nica", country="NI", number="+50522000001")
    factories.user(email="ana@example.org", role="advisor", name="Ana", country="NI", language="en")
    sign_in("ana@example.org", factories.PASSWORD)
    token = csrf_token(client.get("/surveys/").get_data(as_text=True))
    client.post("/surveys/", data={"survey-title": "Calor", "survey-kind": "survey", "survey-country": "NI",
                                   "csrf_token": token})
    survey = db.session.scalar(select(Survey).where(Survey.title == "Calor"))
    token = csrf_token(client.get(f"/surveys/{survey.id}").get_data(as_text=True))
    client.post(f"/surveys/{survey.id}/questions", data={"question-kind": "choice", "question-choices": "3",
                                                         "csrf_token": token})

    def save(*labels):
        token = csrf_token(client.get(f"/surveys/{survey.id}").get_data(as_text=True))
        data = {f"texts-q1c{number}_es": label for number, label in enumerate(labels, start=1)}
        return client.post(f"/surveys/{survey.id}/texts", data={**data, "csrf_token": token})

    # ALTO stops every message, whatever she is asked; IDIOMA opens the language menu.
    response = save("Alto", "Idioma", "Bajo")
    page = _page(response)
    assert response.status_code == 400
    assert "A worker who replies “Alto” would not be choosing it" in page
    assert "A worker who replies “Idioma” would not be choosing it" in page and "“Bajo”" not in page
    db.session.expire_all()
    assert survey.questions[0].choices == [{}, {}, {}]
    # BAJA and ALTA are keywords too, but an answer to the question they are in is taken as one.
    assert save("Alta", "Media", "Baja").status_code == 302
    db.session.expire_all()
    assert [choice["es"] for choice in survey.questions[0].choices] == ["Alta", "Media", "Baja"]


def test_an_advisor_of_one_factory_changes_no_survey_sent_to_another(client, sign_in):
    mine = factories.factory(code="KHM-0001", name="Sample Garment Co", country="KH", number="+85523900001")
    other = factories.factory(code="KHM-0002", name="Other Garment Co", country="KH", number="+85523900002")
    factories.advisor(email="one@example.org", country=None, factory_code="KHM-0001", language="en")
    now = utcnow()
    texts = {"km": KHMER_QUESTION, "en": "Were you paid on time?"}
    sent_elsewhere, sent_here = (Survey(kind="survey", title=title, country_code="KH", intro=texts, thanks=texts,
                                        created_at=now, updated_at=now) for title in ("Elsewhere", "Here"))
    db.session.add_all([sent_elsewhere, sent_here])
    db.session.flush()
    db.session.add_all([SurveyRun(survey_id=sent_elsewhere.id, factory_id=other.id, country_code="KH", created_at=now),
                        SurveyRun(survey_id=sent_here.id, factory_id=mine.id, country_code="KH", created_at=now)])
    db.session.commit()
    sign_in("one@example.org", factories.PASSWORD)

    # She may read the survey sent to another factory (and send it to hers), not see where it went.
    page = _page(client.get(f"/surveys/{sent_elsewhere.id}"))
    assert "Other Garment Co" not in page and 'id="runs"' not in page
    assert "only the programme's staff of the country can change it" in page and "Save the texts" not in page
    token = csrf_token(page)
    response = client.post(f"/surveys/{sent_elsewhere.id}/texts",
                           data={"texts-intro_en": "Changed", "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert sent_elsewhere.intro == texts
    # The one sent to her factory alone is hers to correct.
    page = _page(client.get(f"/surveys/{sent_here.id}"))
    assert "Sample Garment Co" in page and "Save the texts" in page
    response = client.post(f"/surveys/{sent_here.id}/texts",
                           data={"texts-intro_en": "Corrected", "texts-intro_km": KHMER_QUESTION,
                                 "csrf_token": csrf_token(page)})
    assert response.status_code == 302
    db.session.expire_all()
    assert sent_here.intro == {"km": KHMER_QUESTION, "en": "Corrected"}
