"""A figure's words on a page and in CSV: the number and its n, or why it is not shown, and
never the hidden value."""

from __future__ import annotations

import csv
import io

from flask_babel import force_locale

from grievance.summaries.tables import BENCHMARK, COMPLEMENTARY, DAYS, RATE, SHARE, SMALL, TOO_FEW, Figure
from grievance.web.figures import figure_csv, figure_text, n_text, period_label, reason_explanation
from grievance.web.summary_csv import csv_response, filename, table_csv
from tests.web import summary_samples as samples


def test_shown_figures_read_as_numbers_with_the_workers_behind_them(app):
    with app.test_request_context(), force_locale("en"):
        assert figure_text(Figure(SHARE, 0.8333, 12)) == "83%"
        assert n_text(Figure(SHARE, 0.83, 10)) == "n ≥ 10 workers"  # a statistic's n is a lower bound
        assert n_text(samples.count(1)) == "n = 1 worker"
        assert figure_text(samples.count(1234)) == "1,234"
        assert figure_text(Figure(DAYS, 4.5, 15)) == "4.5 working days"
        assert figure_text(Figure(RATE, 3.25, 40)) == "3.2 per 1,000 workers"


def test_suppressed_figures_say_why_and_use_the_threshold_in_force(make_app):
    app = make_app(DISCLOSURE_MIN_WORKERS=8)
    with app.test_request_context(), force_locale("en"):
        assert figure_text(samples.hidden(SMALL)) == "fewer than 8"
        assert "1 and 7 workers" in reason_explanation(SMALL)
        assert figure_text(samples.hidden(TOO_FEW, SHARE)) == "too few to say"
        assert figure_text(samples.hidden(COMPLEMENTARY)) == "hidden so that a hidden figure cannot be worked out"
        assert figure_text(samples.hidden(BENCHMARK, SHARE)) == "not enough factories to compare"
        assert n_text(samples.hidden(SMALL)) == ""


def test_numbers_follow_the_page_language(app):
    with app.test_request_context(), force_locale("id"):
        assert figure_text(samples.count(1234)) == "1.234"
        assert figure_text(Figure(SHARE, 0.8333, 12)) == "83%"
        assert "4,5" in figure_text(Figure(DAYS, 4.5, 15))
        assert period_label(samples.QUARTER) == "K1 2026"
    with app.test_request_context(), force_locale("ar"):
        assert "83" in figure_text(Figure(SHARE, 0.8333, 12))


def test_csv_holds_plain_numbers_and_the_same_words_for_suppressed_ones(app):
    with app.test_request_context(), force_locale("en"):
        assert figure_csv(Figure(SHARE, 0.83, 10)) == "0.83"
        assert figure_csv(samples.count(12)) == "12"
        assert figure_csv(samples.hidden(SMALL)) == "fewer than 5"
        lines = list(csv.reader(io.StringIO(table_csv(samples.categories()))))
    assert lines[0] == ["Workers by category", "Workers", "Workers: workers (n)",
                        "Answered in time", "Answered in time: workers (n)"]
    assert lines[1] == ["Wages", "12", "12", "0.83", "12"]
    assert lines[2] == ["Working hours", "fewer than 5", "", "too few to say", ""]
    assert lines[3][1] == "hidden so that a hidden figure cannot be worked out"
    assert lines[-1] == ["All grievances", "23", "23", "0.78", "23"]
    assert len(lines) == 6


def test_csv_words_are_in_the_page_language(app):
    with app.test_request_context(), force_locale("id"):
        lines = list(csv.reader(io.StringIO(table_csv(samples.categories()))))
    assert lines[1][3] == "0.83"  # a plain value, whatever the language
    assert lines[-1][1] == "23"


def test_a_label_a_spreadsheet_would_run_as_a_formula_is_quoted_off(app):
    table = samples.categories()
    table.rows[0] = table.rows[0].__class__("x", "=HYPERLINK(\"http://x\")", table.rows[0].cells)
    with app.test_request_context(), force_locale("en"):
        lines = list(csv.reader(io.StringIO(table_csv(table))))
    assert lines[1][0].startswith("'=")


def test_the_download_is_an_attachment_with_a_safe_name(app):
    summary = samples.summary()
    with app.test_request_context(), force_locale("en"):
        response = csv_response(summary, summary.table("categories"), "PT Contoh/../Garmen")
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="pt-contoh-garmen-2026-q1-categories.csv"')
    assert filename("", summary, summary.tables[0]) == "summary-2026-q1-categories.csv"
