"""Charts: well-formed SVG, a suppressed figure drawn as a mark with its words (never as a
value), bars growing from the right in a right-to-left page."""

from __future__ import annotations

from xml.etree import ElementTree

from flask_babel import force_locale

from grievance.web.charts import PAD, WIDTH, chart_svg
from tests.web import summary_samples as samples

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup) -> ElementTree.Element:
    return ElementTree.fromstring(str(markup))


def _bars(app, rtl=False):
    with app.test_request_context(), force_locale("en"):
        return _parse(chart_svg(samples.categories(), rtl))


def test_bars_are_an_image_with_a_label_and_one_bar_per_shown_value(app):
    svg = _bars(app)
    assert svg.get("role") == "img" and "Workers by category" in svg.get("aria-label")
    assert int(svg.get("width")) <= 360
    bars = svg.findall(f"{SVG}rect[@class='bar']")
    # Wages (12) only: 0 has no length, hidden figures are not bars, the total is written out.
    assert len(bars) == 1
    texts = [text.text for text in svg.iter(f"{SVG}text")]
    assert "12" in texts and "23" in texts and "0" in texts


def test_a_suppressed_figure_is_a_hatched_mark_with_its_words_not_a_value(app):
    svg = _bars(app)
    marks = svg.findall(f"{SVG}rect[@class='suppressed']")
    assert len(marks) == 2
    assert {mark.get("width") for mark in marks} == {"22.0"}  # the same fixed size, whatever it hides
    assert all(mark.get("fill").startswith("url(#hatch-") for mark in marks)
    words = [" ".join(span.text for span in text) for text in svg.iter(f"{SVG}text")
             if "suppressed-words" in (text.get("class") or "")]
    assert words == ["fewer than 5", "hidden so that a hidden figure cannot be worked out"]


def test_right_to_left_bars_grow_from_the_right_with_text_anchored_there(app):
    ltr, rtl = _bars(app), _bars(app, rtl=True)
    assert rtl.get("direction") == "rtl" and ltr.get("direction") is None
    left_bar, right_bar = ltr.find(f"{SVG}rect[@class='bar']"), rtl.find(f"{SVG}rect[@class='bar']")
    assert float(left_bar.get("x")) == PAD
    assert float(right_bar.get("x")) + float(right_bar.get("width")) == WIDTH - PAD
    labels = [text for text in rtl.iter(f"{SVG}text") if text.get("class") == "label"]
    assert {float(text.get("x")) for text in labels} == {WIDTH - PAD}


def test_a_trend_draws_months_in_order_and_flips_in_right_to_left(app):
    with app.test_request_context(), force_locale("en"):
        ltr, rtl = (_parse(chart_svg(samples.months(), flag)) for flag in (False, True))
    months = [text for text in ltr.iter(f"{SVG}text") if text.get("class") == "month"]
    assert [text.text for text in months] == ["Jan", "Feb", "Mar"]
    assert float(months[0].get("x")) < float(months[2].get("x"))
    flipped = [text for text in rtl.iter(f"{SVG}text") if text.get("class") == "month"]
    assert float(flipped[0].get("x")) > float(flipped[2].get("x"))
    assert len(ltr.findall(f"{SVG}rect[@class='bar']")) == 2
    assert len(ltr.findall(f"{SVG}rect[@class='suppressed']")) == 1
    assert [text.text for text in ltr.iter(f"{SVG}text") if text.get("class") == "legend-words"] == ["fewer than 5"]


def test_a_table_without_a_chart_has_none(app):
    table = samples.categories()
    table.chart = None
    with app.test_request_context():
        assert chart_svg(table) is None
