"""The summary partial renders any Summary: period picker, chart beside the accessible table,
n's, footnotes for suppressions, a CSV link per table; and in Chromium it fits a 360 px phone,
in English and in Arabic (right to left)."""

from __future__ import annotations

import re
from pathlib import Path

from flask import render_template_string
from flask_babel import force_locale

from grievance.summaries.periods import Period
from tests.web import summary_samples as samples

PAGE = """{% extends "base.html" %}{% from "summaries/_summary.html" import render_summary with context %}
{% block content %}<h1>PT Contoh Garmen</h1>
{{ render_summary(summary, periods, "buyers.factory", "buyers.factory_csv", {"code": "IDN-0001"}) }}{% endblock %}"""
PERIODS = [Period.parse(key) for key in ("2026-03", "2026-Q1", "2026-02", "2025")]
STATIC = Path(__file__).resolve().parents[2] / "grievance" / "static"


def _render(app, locale: str) -> str:
    with app.test_request_context("/buyers/factories/IDN-0001"), force_locale(locale):
        return render_template_string(PAGE, summary=samples.summary(), periods=PERIODS)


def test_every_table_has_its_chart_its_accessible_table_and_its_csv_link(app):
    html = _render(app, "en")
    assert html.count('role="img"') == 2
    assert html.count('<table class="figures">') == 2
    assert '<th scope="row">Wages</th>' in html and "n = 12 workers" in html
    assert '/buyers/factories/IDN-0001/summary.csv?table=categories&amp;period=2026-Q1' in html
    assert '/buyers/factories/IDN-0001/summary.csv?table=months&amp;period=2026-Q1' in html
    # The picker offers the fixed periods only, the one shown selected.
    assert re.findall(r'<option value="([^"]+)"', html) == ["2026-03", "2026-Q1", "2026-02", "2025"]
    assert '<option value="2026-Q1" selected>Q1 2026</option>' in html
    assert 'type="date"' not in html
    # One footnote per kind of suppression, each explained.
    assert html.count('<dt id="why-small">') == 1 and 'id="why-complementary"' in html and 'id="why-too_few"' in html
    assert "so few that they could be recognised" in html


def test_arabic_pages_draw_charts_right_to_left(app):
    html = _render(app, "ar")
    assert 'dir="rtl"' in html and 'direction="rtl"' in html


def _page_html(app, locale: str) -> str:
    # The page as served, its stylesheet inlined (set_content has no server to fetch it from).
    css = (STATIC / "app.css").read_text(encoding="utf-8").replace('url("fonts/', f'url("{STATIC.as_uri()}/fonts/')
    return re.sub(r'<link rel="stylesheet" href="[^"]+">', lambda _: f"<style>{css}</style>", _render(app, locale))


def test_on_a_phone_the_summary_fits_in_english_and_arabic(app, browser):
    shots = Path("/tmp/shots")
    shots.mkdir(exist_ok=True)
    for locale in ("en", "ar"):
        page = browser.new_page(viewport={"width": 360, "height": 740})
        page.set_content(_page_html(app, locale))
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert page.locator("svg.chart").first.bounding_box()["width"] <= 360
        if locale == "ar":
            bar = page.locator("svg.chart-bars rect.bar").first.bounding_box()
            chart = page.locator("svg.chart-bars").first.bounding_box()
            assert abs((bar["x"] + bar["width"]) - (chart["x"] + chart["width"])) < 12  # grows from the right
        page.screenshot(path=str(shots / f"pages-summary-{locale}.png"), full_page=True)
        page.close()
