"""In a real Chromium on a 360 px phone, as an advisor: a survey's texts with their SMS cost as
she types, a run planned and sent with its progress moving on the open page, and the results
with a suppressed figure, in English and in Arabic (right to left)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from grievance.models.base import utcnow
from grievance.models.survey import YES_NO
from tests import factories
from tests.surveys import builders, world

PHONE = {"width": 360, "height": 740}
# Every control of the page's body a thumb must hit: at least 44 px high.
SMALL_CONTROLS = """() => [...document.querySelectorAll('main button, main select, main textarea, main a.button')]
  .filter(e => e.offsetParent !== null)
  .map(e => [e.tagName + ' ' + (e.textContent || e.name || '').trim().slice(0, 30), e.getBoundingClientRect()])
  .filter(([, box]) => box.height < 44)
  .map(([name, box]) => name + ' ' + Math.round(box.width) + 'x' + Math.round(box.height))"""
WIDER = """width => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 0.5 || e.getBoundingClientRect().left < -0.5)
  .filter(e => !e.closest('.table-scroll'))
  .map(e => e.tagName + '.' + e.className + ' ' + (e.innerText || '').slice(0, 40))"""


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.evaluate(WIDER, 360)
    assert page.evaluate(SMALL_CONTROLS) == []


def _signed_in(browser, live_server, email):
    page = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")
    return page


@pytest.mark.parametrize("language", ["en", "ar"])
def test_an_advisor_writes_sends_and_reads_a_survey_on_her_phone(app, live_server, browser, screenshot, language):
    now = utcnow()
    factory = factories.factory()
    factories.advisor(email="dewi@example.org", country="ID", language=language)
    builders.subscribers(factory=factory, count=3, now=now)
    survey = builders.survey(now=now)
    finished = world.survey(questions=[{"kind": YES_NO, "text": "Were you paid on time?"}])
    done = world.run(finished, factory, sent=20, answers={1: world.values(yes=14, no=3)})
    page = _signed_in(browser, live_server, "dewi@example.org")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")

    # The editor: a text's cost follows what she types (a character outside GSM-7 makes it UCS-2).
    page.goto(f"{live_server}/surveys/{survey.id}")
    area = page.locator("textarea[data-segments]").first
    cost = page.locator("#" + area.get_attribute("data-segments"))
    expect(cost).to_contain_text("GSM-7")
    area.fill("Apakah lembur dibayar? ✓ 1 ya 2 tidak")
    expect(cost).to_contain_text("UCS-2")
    _fits(page)
    screenshot(page, f"survey-editor-{language}")

    # The plan, then the run: its progress moves while the page stays open.
    page.goto(f"{live_server}/surveys/{survey.id}/runs/new")
    page.select_option("main select", str(f"factory:{factory.id}"))
    page.click("main form button[type=submit] >> nth=0")
    expect(page.locator("input[name=confirm]")).to_have_count(1)
    _fits(page)
    screenshot(page, f"survey-plan-{language}")
    page.click("main form:has(input[name=confirm]) button[type=submit]")
    expect(page.locator("[data-count=total]")).to_have_text("3")
    expect(page.locator("[data-count=sent]")).to_have_text("3", timeout=20000)
    assert page.evaluate("document.querySelector('progress').value") == 3
    _fits(page)
    screenshot(page, f"survey-run-{language}")

    # The results: the three who said no are "fewer than 5" (never their number), with a chart.
    page.goto(f"{live_server}/surveys/runs/{done.id}/results")
    question = page.locator("#table-question-1")
    no_row = question.locator("table.figures tbody tr").nth(1)
    expect(no_row.locator(".suppressed-figure").first).to_be_visible()
    assert "3" not in no_row.locator("td").first.inner_text()
    expect(question.locator("svg.chart")).to_have_count(1)
    _fits(page)
    screenshot(page, f"survey-results-{language}")
