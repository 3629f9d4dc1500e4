"""A run's results under the summaries' disclosure rule: what the page, its CSV files and the
API show, figure by figure, and who may read them."""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import select

from grievance.access.grants import grant, organisation_for, revoke
from grievance.access.tokens import create_token
from grievance.extensions import db
from grievance.models import User
from grievance.models.survey import RUNNING, YES_NO
from grievance.summaries.disclosure import Thresholds
from grievance.summaries.surveys import RunCounts, build_run_results, corrected_share
from grievance.summaries.tables import COMPLEMENTARY, SMALL, TOO_FEW
from tests.access import world as worlds
from tests.surveys import world
from tests.surveys.world import CONDITIONS, values
from tests.web.summary_world import csv_rows, page_tables, signed_in

WORDS = "Mandor sering berteriak"  # what some workers wrote in the free-text question


def _conditions_run(factory):
    """25 workers sent the survey; 18 answered: a shift choice of 3 / 6 / 9, paid on time 10 yes
    and 8 no, and 6 wrote something."""
    made = world.survey(questions=CONDITIONS)
    return world.run(made, factory, sent=25, answers={1: values(_1=3, _2=6, _3=9), 2: values(yes=10, no=8),
                                                      3: values(text=6)},
                     texts={3: [f"{WORDS} {index}" for index in range(6)]})


def _token(email: str) -> str:
    user = db.session.scalar(select(User).where(User.email == email))
    raw = create_token(user, "tests")[1]
    db.session.commit()
    return raw


def _by_label(table) -> dict[str, list]:
    """Each row's cells as a reader sees them: the number, or the reason it is hidden."""
    rows = table.rows + ([table.total] if table.total else [])
    return {label: [None if cell is None else (cell.text if cell.shown else cell.reason) for cell in cells]
            for label, cells in rows}


def _csv_by_label(lines: list[list[str]]) -> dict[str, list[str]]:
    return {line[0]: line[1::2] for line in lines[1:]}


def _api_by_label(table: dict) -> dict[str, list]:
    rows = table["rows"] + ([table["total"]] if table["total"] else [])
    return {row["label"]: [None if column["key"] not in row["cells"] else
                           (row["cells"][column["key"]]["value"] if not row["cells"][column["key"]]["suppressed"]
                            else row["cells"][column["key"]]["suppressed"]) for column in table["columns"]]
            for row in rows}


def test_results_under_the_threshold_are_suppressed_alike_on_the_page_in_the_csv_and_in_the_api(app):
    people = worlds.build()
    run = _conditions_run(people.factories["A"])
    token = _token(people.emails["buyer"])
    http = signed_in(app, people.emails["buyer"])

    page = http.get(f"/surveys/runs/{run.id}/results")
    assert page.status_code == 200
    shown = page_tables(page.get_data(as_text=True))
    lines = csv_rows(http.get(f"/surveys/runs/{run.id}/results.csv?table=question-1"))
    answer = http.get(f"/api/v1/surveys/runs/{run.id}/results", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200
    api_table = next(table for table in answer.json["tables"] if table["key"] == "question-1")

    # Night's 3 workers are "fewer than 5"; Evening's 6 is hidden beside it, else 18 - 9 - 6
    # would give Night away; Day's 9 is shown, with its share of the 18 who answered.
    on_page = _by_label(shown["question-1"])
    assert on_page["1. Night (en)"][:2] == [SMALL, SMALL]
    assert on_page["2. Evening (en)"][:2] == [COMPLEMENTARY, COMPLEMENTARY]
    assert on_page["3. Day (en)"][:2] == ["9", "50%"]
    assert on_page["Answered"][0] == "18" and on_page["No answer"][0] == "7"
    in_csv = _csv_by_label(lines)
    assert in_csv["1. Night (en)"][:2] == ["fewer than 5", "fewer than 5"]
    assert in_csv["2. Evening (en)"][:2] == ["hidden so that a hidden figure cannot be worked out"] * 2
    assert in_csv["3. Day (en)"][:2] == ["9", "0.50"] and in_csv["Answered"][0] == "18"
    in_api = _api_by_label(api_table)
    assert in_api["1. Night (en)"][:2] == [SMALL, SMALL]
    assert in_api["2. Evening (en)"][:2] == [COMPLEMENTARY, COMPLEMENTARY]
    assert in_api["3. Day (en)"][:2] == [9, 0.5] and in_api["Answered"][0] == 18
    # Not a hidden number anywhere: the three say the same of every table.
    section = page.get_data(as_text=True).split('id="table-question-1"')[1].split("</section>")[0]
    assert ">3<" not in section and ">6<" not in section \
        and "3" not in "".join(sum((line[1:] for line in lines[1:]), []))
    assert [table["key"] for table in answer.json["tables"]] == list(shown)
    for table in answer.json["tables"]:
        csv_lines = csv_rows(http.get(f"/surveys/runs/{run.id}/results.csv?table={table['key']}"))
        from_api = _api_by_label(table)
        for label, cells in _by_label(shown[table["key"]]).items():
            for written, in_file, given in zip(cells, _csv_by_label(csv_lines)[label], from_api[label]):
                assert (written is None) == (given is None) and (in_file == "") == (given is None), (table["key"], label)
                if isinstance(given, str):  # suppressed: the same reason everywhere
                    assert written == given


def test_the_response_rate_carries_its_denominator_and_free_text_only_its_count(app):
    people = worlds.build()
    run = _conditions_run(people.factories["A"])
    for role in ("buyer", "factory_manager", "picc"):
        page = signed_in(app, people.emails[role]).get(f"/surveys/runs/{run.id}/results")
        assert page.status_code == 200, role
        html = page.get_data(as_text=True)
        response = _by_label(page_tables(html)["response"])
        assert response["Workers sent the survey"][0] == "25"
        assert response["Workers who answered at least one question"][0] == "18"
        assert response["Response rate"][0] == "72%"
        assert _by_label(page_tables(html)["question-3"])["Answered in words"] == ["6"]
        assert WORDS not in html, role  # her words: never for the factory's people or buyers

    advisor = signed_in(app, people.emails["advisor_country"]).get(f"/surveys/runs/{run.id}/results")
    html = advisor.get_data(as_text=True)
    assert advisor.status_code == 200 and html.count(WORDS) == 6
    assert WORDS not in signed_in(app, people.emails["advisor_country"]).get(
        f"/surveys/runs/{run.id}/results.csv?table=question-3").get_data(as_text=True)


def test_a_buyer_reads_results_only_while_the_factory_grants_her_organisation_access(app):
    people = worlds.build()
    granting = _conditions_run(people.factories["A"])
    other = _conditions_run(people.factories["B"])
    buyer = signed_in(app, people.emails["buyer"])
    token = {"Authorization": f"Bearer {_token(people.emails['buyer'])}"}
    paths = ("/surveys/runs/{}/results", "/surveys/runs/{}/results.csv", "/api/v1/surveys/runs/{}/results")
    for path in paths:
        assert buyer.get(path.format(granting.id), headers=token).status_code == 200, path
        assert buyer.get(path.format(other.id), headers=token).status_code == 404, path
        assert buyer.get(path.format(987654), headers=token).status_code == 404, path
    # The buyers' page of the factory links its results, as the factory's own figures page does.
    page = buyer.get("/buyers/factories/IDN-0001").get_data(as_text=True)
    assert f"/surveys/runs/{granting.id}/results" in page and f"/surveys/runs/{other.id}/results" not in page
    manager = signed_in(app, people.emails["factory_manager"]).get("/factory/summary").get_data(as_text=True)
    assert f"/surveys/runs/{granting.id}/results" in manager and f"/surveys/runs/{other.id}/results" not in manager

    revoke(people.factories["A"], organisation_for("Acme Brands"), by=None)
    db.session.commit()
    for path in paths:
        assert buyer.get(path.format(granting.id), headers=token).status_code == 404, path
    grant(people.factories["A"], organisation_for("Acme Brands"), by=None)
    db.session.commit()
    assert buyer.get(paths[0].format(granting.id)).status_code == 200


def test_a_run_still_sending_is_for_the_programme_only_even_after_days(app):
    from grievance.models.base import utcnow

    people = worlds.build()
    made = world.survey(questions=CONDITIONS)
    fresh = world.run(made, people.factories["A"], sent=12, answers={1: values(_3=12)}, status=RUNNING,
                      started=utcnow() - timedelta(days=5))
    assert signed_in(app, people.emails["buyer"]).get(f"/surveys/runs/{fresh.id}/results").status_code == 404
    assert signed_in(app, people.emails["factory_manager"]).get(f"/surveys/runs/{fresh.id}/results").status_code == 404
    assert signed_in(app, people.emails["advisor_country"]).get(f"/surveys/runs/{fresh.id}/results").status_code == 200


# -- the builder, by hand ------------------------------------------------------------------------

def _survey(session, questions):
    made = world.survey(questions=questions)
    session.refresh(made)
    return made


def test_shares_of_the_answered_need_ten_workers_and_hide_beside_a_hidden_count(session):
    made = _survey(session, [{"kind": YES_NO, "text": "Paid on time?"}])
    question = made.questions[0]
    tables = build_run_results(made, "F", RunCounts(sent=30, responded=22, answers={question.id: {"yes": 15, "no": 7}}),
                               None, language="en", limits=Thresholds())
    [response, asked] = tables.tables
    assert asked.cell("yes", "share").value == 0.68 and asked.cell("yes", "share").n == 20  # 15/22, n ≥ 20
    assert asked.cell("no", "share").value == 0.32
    assert response.cell("rate", "value").value == 0.73 and response.cell("sent", "value").value == 30

    few = build_run_results(made, "F", RunCounts(sent=9, responded=8, answers={question.id: {"yes": 5, "no": 3}}),
                            None, language="en", limits=Thresholds())
    asked = few.tables[1]
    assert asked.cell("no", "workers").suppressed == SMALL and asked.cell("yes", "workers").suppressed == COMPLEMENTARY
    assert asked.cell("yes", "share").suppressed == COMPLEMENTARY
    # One of 9 did not answer: the rate would give her away, as would the count of those who did.
    assert few.tables[0].cell("not_responded", "value").suppressed == SMALL
    assert few.tables[0].cell("rate", "value").suppressed == COMPLEMENTARY
    # Fewer than 10 sent: no rate, however the counts fall.
    all_eight = build_run_results(made, "F", RunCounts(sent=8, responded=8, answers={question.id: {"yes": 8}}),
                                  None, language="en", limits=Thresholds())
    assert all_eight.tables[0].cell("responded", "value").value == 8
    assert all_eight.tables[0].cell("rate", "value").suppressed == TOO_FEW


def test_a_randomized_question_reports_the_corrected_share_with_its_margin(session):
    made = _survey(session, [{"kind": YES_NO, "text": "Were you touched against your will?", "randomized_share": 0.3}])
    question = made.questions[0]
    counts = RunCounts(sent=120, responded=100, answers={question.id: {"yes": 40, "no": 60}})
    corrected = build_run_results(made, "F", counts, None, language="en", limits=Thresholds()).table("question-1-corrected")
    # By hand: p_obs = 0.40; p = (0.40 - 0.15) / 0.70 = 0.357; margin = 1.96·sqrt(0.4·0.6/100)/0.7 = 0.137.
    assert corrected.cell("observed", "value").value == 0.4
    assert corrected.cell("corrected", "value").value == 0.36
    assert corrected.cell("margin", "value").value == 0.14
    assert corrected.cell("corrected", "value").n == 100
    assert corrected_share(2, 100, 0.3)[0] == 0.0  # fewer yes than chance alone gives: clipped at 0
    assert math.isclose(corrected_share(40, 100, 0.3)[1], 1.96 * math.sqrt(0.24 / 100) / 0.7)

    few = RunCounts(sent=12, responded=9, answers={question.id: {"yes": 5, "no": 4}})
    hidden = build_run_results(made, "F", few, None, language="en", limits=Thresholds()).table("question-1-corrected")
    assert not hidden.cell("corrected", "value").shown and hidden.cell("corrected", "value").value is None


def test_the_country_figure_needs_three_other_factories_none_dominating(session):
    made = _survey(session, [{"kind": YES_NO, "text": "Paid on time?"}])
    qid = made.questions[0].id
    own = RunCounts(sent=20, responded=20, answers={qid: {"yes": 10, "no": 10}})

    def other(yes: int, no: int) -> RunCounts:
        return RunCounts(sent=yes + no, responded=yes + no, answers={qid: {"yes": yes, "no": no}})

    two = build_run_results(made, "F", own, [other(10, 10), other(12, 8)], language="en", limits=Thresholds())
    assert two.table("question-1").cell("yes", "country").suppressed == "benchmark"
    three = build_run_results(made, "F", own, [other(10, 10), other(12, 8), other(6, 14)], language="en",
                              limits=Thresholds())
    assert three.table("question-1").cell("yes", "country").value == 0.47  # 28 of 60
    assert three.table("response").cell("rate", "country").value == 1.0
    dominated = build_run_results(made, "F", own, [other(100, 100), other(5, 5), other(6, 5)], language="en",
                                  limits=Thresholds())
    assert dominated.table("question-1").cell("yes", "country").suppressed == "benchmark"


def test_choices_are_labelled_in_the_readers_language_else_the_surveys_first(session):
    made = _survey(session, [{"kind": "choice", "text": "Shift?", "choices": [{"id": "Malam", "en": "Night"},
                                                                             {"id": "Siang"}]}])
    qid = made.questions[0].id
    counts = RunCounts(sent=20, responded=20, answers={qid: {"1": 10, "2": 10}})
    table = build_run_results(made, "F", counts, None, language="en", limits=Thresholds()).table("question-1")
    assert [row.label for row in table.rows[:2]] == ["1. Night", "2. Siang"]


def test_a_country_wide_run_is_the_programmes_only(app):
    people = worlds.build()
    made = world.survey(questions=CONDITIONS)
    run = world.run(made, None, sent=12, answers={1: values(_3=12)})
    for role, code in (("advisor_country", 200), ("programme_manager", 200), ("admin", 200), ("buyer", 404),
                       ("factory_manager", 404), ("picc", 404), ("advisor_factory", 404)):
        assert signed_in(app, people.emails[role]).get(f"/surveys/runs/{run.id}/results").status_code == code, role

