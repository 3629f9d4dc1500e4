"""In a real Chromium on a 360 px phone: a buyer's /buyers and a manager's /factory/summary, with
their charts, in English and in Arabic (right to left), served from the real app and facts."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from grievance.access.grants import grant, organisation_for
from grievance.extensions import db
from grievance.models import Factory
from tests import factories
from tests.conftest import wait_for_fonts
from tests.web.summary_world import clock, quarter_two_cases, refresh  # noqa: F401

SHOTS = Path("/tmp/shots")
PEOPLE = {("buyer", "en"): "bea@example.org", ("buyer", "ar"): "badia@example.org",
          ("manager", "en"): "mira@example.org", ("manager", "ar"): "maha@example.org"}
PAGES = {"buyer": "/buyers?period=2025-Q2", "manager": "/factory/summary?period=2025-Q2"}


def _world() -> None:
    factory = factories.factory()
    for (role, language), email in PEOPLE.items():
        if role == "buyer":
            factories.user(email=email, role="buyer", name="Bea", buyer="Acme Brands", language=language)
        else:
            factories.user(email=email, role="factory_manager", name="Mira", factory_code="IDN-0001",
                           language=language)
    grant(db.session.get(Factory, factory.id), organisation_for("Acme Brands"), by=None)
    db.session.commit()
    quarter_two_cases()
    refresh()


@pytest.mark.parametrize("role,language", sorted(PEOPLE))
def test_the_summaries_fit_a_phone_with_their_charts(app, clock, live_server, browser, role, language):
    _world()
    SHOTS.mkdir(exist_ok=True)
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{live_server}/login")
    page.fill("#email", PEOPLE[(role, language)])
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.goto(f"{live_server}{PAGES[role]}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    wait_for_fonts(page)
    assert page.locator("svg.chart").count() >= 2  # categories and months, at least
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for box in page.locator("svg.chart").all():
        found = box.bounding_box()
        assert found["x"] >= 0 and found["x"] + found["width"] <= 360
    # Every table fits, or scrolls inside its own box, never the page.
    for box in page.locator(".table-scroll").all():
        found = box.bounding_box()
        assert found["x"] >= 0 and found["x"] + found["width"] <= 360
    if language == "ar":
        bar = page.locator("svg.chart-bars rect.bar").first.bounding_box()
        chart = page.locator("svg.chart-bars").first.bounding_box()
        assert abs((bar["x"] + bar["width"]) - (chart["x"] + chart["width"])) < 12  # grows from the right
    page.screenshot(path=str(SHOTS / f"proof-{role}-{language}.png"), full_page=True)
    page.close()
