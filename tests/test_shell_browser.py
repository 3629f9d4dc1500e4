"""The shell on a 360 px phone, in Chromium: tap targets, no sideways scroll, only the page's own fonts."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import factories

PHONE = {"width": 360, "height": 740}
SCRIPT_FONTS = ("khmer", "myanmar", "bengali", "arabic")
# Every visible link, button, field and the language control; a checkbox counts by its label.
SMALL_TARGETS = """() => [...document.querySelectorAll('a, button, input, select, textarea, label.check')]
  .filter(e => e.type !== 'hidden' && e.type !== 'checkbox' && e.type !== 'radio')
  .map(e => [e, e.getBoundingClientRect()])
  .filter(([e, r]) => r.width > 0 && r.height > 0)
  .filter(([e, r]) => r.height < 44 || r.width < 44)
  .map(([e, r]) => `${e.tagName} "${(e.innerText || e.name || '').trim().slice(0, 30)}" ${r.width.toFixed(0)}x${r.height.toFixed(0)}`)"""
SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


def _fonts_fetched(page) -> list[str]:
    fetched: list[str] = []
    page.on("request", lambda request: fetched.append(request.url) if "/fonts/" in request.url else None)
    return fetched


def _check(page, screenshot, name: str) -> None:
    page.wait_for_load_state("networkidle")
    assert page.evaluate(SMALL_TARGETS) == [], name
    assert page.evaluate(SIDEWAYS) <= 0, f"{name} scrolls sideways"
    screenshot(page, name)


def _sign_in(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")


def test_the_main_pages_fit_a_phone_and_an_english_page_loads_no_other_script(app, live_server, browser,
                                                                               screenshot):
    factories.factory()
    factories.picc_member(email="ani@example.org", language="en")
    factories.user(email="manager@example.org", role="factory_manager", factory_code="IDN-0001", language="en")
    factories.case(body="Upah lembur bulan Juli tidak dibayar")
    factories.case(body="Gaji saya dipotong tanpa alasan yang jelas sama sekali", phone="+6281200000009",
                   anonymous=False)

    page = browser.new_page(viewport=PHONE, locale="en-US")
    fetched = _fonts_fetched(page)
    page.goto(f"{live_server}/login")
    _check(page, screenshot, "phone-login")
    _sign_in(page, live_server, "ani@example.org")
    expect(page.locator("h1")).to_have_text("Open cases")
    _check(page, screenshot, "phone-queue")
    assert [url for url in fetched if any(script in url for script in SCRIPT_FONTS)] == []
    page.click("a.languages")
    _check(page, screenshot, "phone-languages")
    page.click("button[value=id]")
    expect(page.locator("h1")).to_have_text("Kasus terbuka")
    expect(page.locator("a.languages")).to_contain_text("Bahasa Indonesia")

    manager = browser.new_page(viewport=PHONE, locale="en-US")
    fetched = _fonts_fetched(manager)
    _sign_in(manager, live_server, "manager@example.org")
    expect(manager.locator("h1")).to_have_text("Your factory")
    _check(manager, screenshot, "phone-factory")
    manager.click(".case-card a.ref >> nth=0")
    expect(manager.locator(".thread")).to_contain_text("Gaji saya dipotong")
    _check(manager, screenshot, "phone-factory-case")
    manager.goto(f"{live_server}/factory/cases/ID-ZZZZZZ")
    expect(manager.locator("h1")).to_have_text("Not found")
    _check(manager, screenshot, "phone-404")
    assert fetched == []


def test_a_khmer_page_loads_the_khmer_font_and_no_other(app, live_server, browser, screenshot):
    factories.factory(code="KHM-0001", name="Angkor Apparel", country="KH", number="+85523900001")
    factories.picc_member(email="sophea@example.org", factory_code="KHM-0001", language="km")

    page = browser.new_page(viewport=PHONE)
    fetched = _fonts_fetched(page)
    _sign_in(page, live_server, "sophea@example.org")
    expect(page.locator("h1")).to_have_text("ករណីកំពុងបើក")
    _check(page, screenshot, "phone-queue-km")
    assert any("khmer" in url for url in fetched)
    assert [url for url in fetched if any(s in url for s in SCRIPT_FONTS if s != "khmer")] == []
