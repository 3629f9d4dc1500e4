"""Survey results through the API: the same tables as the results page, 404 wherever the page
is, and never a worker's words."""

from __future__ import annotations

import pytest

from grievance.access.grants import organisation_for, revoke
from grievance.extensions import db
from tests.surveys import world
from tests.surveys.world import CONDITIONS, values

WORDS = "Mandor sering berteriak"
READERS_OF_A = {"picc", "factory_manager", "advisor_country", "advisor_factory", "programme_manager", "buyer", "admin"}
READERS_OF_B = {"advisor_country", "programme_manager", "admin"}


@pytest.fixture
def runs(api):
    made = world.survey(questions=CONDITIONS)
    answers = {1: values(_1=3, _2=6, _3=9), 2: values(yes=10, no=8), 3: values(text=6)}
    texts = {3: [WORDS] * 6}
    return {name: world.run(made, api.world.factories[name], sent=25, answers=answers, texts=texts)
            for name in ("A", "B")}


@pytest.mark.parametrize("role", sorted(READERS_OF_A))
def test_who_reads_which_run(call, runs, role):
    for name, readers in (("A", READERS_OF_A), ("B", READERS_OF_B)):
        response = call(role, "GET", f"/api/v1/surveys/runs/{runs[name].id}/results")
        assert response.status_code == (200 if role in readers else 404), (role, name)
        assert response.is_json and WORDS not in response.get_data(as_text=True)


def test_the_answer_holds_every_table_with_small_counts_suppressed(call, runs):
    body = call("buyer", "GET", f"/api/v1/surveys/runs/{runs['A'].id}/results").get_json()
    assert body["factory"] == "IDN-0001" and body["survey"] == "Working conditions" and body["status"] == "finished"
    tables = {table["key"]: table for table in body["tables"]}
    assert list(tables) == ["response", "question-1", "question-2", "question-3"]
    rows = {row["key"]: row["cells"] for row in tables["question-1"]["rows"]}
    assert rows["1"]["workers"] == {"kind": "count", "value": None, "n": None, "suppressed": "small"}
    assert rows["2"]["workers"]["suppressed"] == "complementary"
    assert rows["3"]["workers"] == {"kind": "count", "value": 9, "n": 9, "suppressed": None}
    assert rows["3"]["share"] == {"kind": "share", "value": 0.5, "n": 15, "suppressed": None}
    assert tables["question-1"]["total"]["cells"]["workers"]["value"] == 18
    response = {row["key"]: row["cells"]["value"] for row in tables["response"]["rows"]}
    assert response["sent"]["value"] == 25 and response["rate"]["value"] == 0.72
    assert [row["key"] for row in tables["question-3"]["rows"]] == ["answered", "unanswered"]


def test_a_revoked_grant_closes_the_results_to_the_buyer(call, api, runs):
    path = f"/api/v1/surveys/runs/{runs['A'].id}/results"
    assert call("buyer", "GET", path).status_code == 200
    revoke(api.world.factories["A"], organisation_for("Acme Brands"), by=None)
    db.session.commit()
    assert call("buyer", "GET", path).status_code == 404
    assert call("factory_manager", "GET", path).status_code == 200


def test_an_unknown_or_absurd_run_is_a_404(call, runs):
    for run_id in (0, 999999, 2**31 - 1):
        assert call("admin", "GET", f"/api/v1/surveys/runs/{run_id}/results").status_code == 404
    assert call("admin", "GET", "/api/v1/surveys/runs/99999999999/results").status_code == 404
    assert call(None, "GET", f"/api/v1/surveys/runs/{runs['A'].id}/results").status_code == 401
