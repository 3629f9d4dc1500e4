"""In a real Chromium: a worker texts from the simulator, the PICC member finds the case."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests import factories
from tests.conftest import ARTIFACTS


def test_a_worker_texts_from_the_simulator_and_the_picc_member_reads_the_case(app, live_server, browser,
                                                                                screenshot):
    factories.factory()
    factories.picc_member(email="ani@example.org", factory_code="IDN-0001")

    phone = browser.new_page(locale="id-ID")
    phone.goto(f"{live_server}/simulator")
    phone.fill("#body", "Saya belum menerima upah lembur bulan ini")
    phone.click("main button[type=submit]")
    reply = phone.locator(".bubble.outbound .body").first
    expect(reply).to_contain_text("Pengaduan Anda sudah kami terima", timeout=10_000)
    reference = re.search(r"ID-[0-9A-Z]{6}", reply.inner_text()).group(0)
    screenshot(phone, "simulator")

    desk = browser.new_page(viewport={"width": 390, "height": 844})  # a PICC member's phone
    desk.goto(f"{live_server}/queue")
    desk.fill("#email", "ani@example.org")
    desk.fill("#password", factories.PASSWORD)
    desk.click("main button[type=submit]")
    expect(desk.locator(".cards")).to_contain_text(reference)
    screenshot(desk, "queue")
    desk.click(f"text={reference}")
    expect(desk.locator(".thread")).to_contain_text("Saya belum menerima upah lembur bulan ini")
    page_text = desk.content()
    assert "812" not in re.sub(r"<[^>]+>", " ", page_text).replace(reference, "")
    screenshot(desk, "case")
    desk.click("button:has-text('Acknowledge')")
    expect(desk.locator(".flash")).to_contain_text(f"Case {reference} acknowledged.")


def test_a_khmer_speaking_member_reads_the_queue_in_khmer_with_a_khmer_font(app, live_server, browser,
                                                                             screenshot, post_twilio, run_jobs):
    from tests.conftest import inbound_params

    factories.factory(code="KHM-0001", name="Angkor Apparel", country="KH", number="+85523900001")
    factories.picc_member(email="sophea@example.org", factory_code="KHM-0001", language="km")
    post_twilio(inbound_params("ខ្ញុំមិនទាន់បានទទួលប្រាក់ថែមម៉ោងខែនេះទេ", sender="+85512345678", to="+85523900001"))
    run_jobs()

    page = browser.new_page()
    page.goto(f"{live_server}/login")
    page.fill("#email", "sophea@example.org")
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("h1")).to_have_text("ករណីកំពុងបើក")
    page.click(".cards .card")
    expect(page.locator(".thread")).to_contain_text("ខ្ញុំមិនទាន់បានទទួលប្រាក់ថែមម៉ោង")
    page.evaluate("document.fonts.ready")
    # The Khmer glyphs come from the font the service serves itself, not from the machine.
    loaded = page.evaluate(
        "[...document.fonts].filter(f => f.family.includes('Grievance Script') && f.status === 'loaded')"
        ".map(f => f.unicodeRange)")
    assert any("U+1780-17FF" in r.upper() for r in loaded), loaded
    screenshot(page, "case-km")


def test_an_arabic_page_reads_right_to_left(app, live_server, browser, screenshot):
    factories.factory(code="JOR-0001", name="Amman Apparel", country="JO", number="+96265000001")
    factories.picc_member(email="rania@example.org", factory_code="JOR-0001", language="ar")

    page = browser.new_page(viewport={"width": 1000, "height": 600})
    page.goto(f"{live_server}/login")
    page.fill("#email", "rania@example.org")
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # The brand, first in the header, now stands on the right.
    brand = page.locator(".brand").bounding_box()
    assert brand["x"] > 500
    heading = page.locator("h1").bounding_box()
    assert heading["x"] + heading["width"] > 900
    screenshot(page, "queue-ar")

    page.click("a.languages")  # the language switcher: a page of its own
    page.click("button[value=en]")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("h1")).to_have_text("Open cases")


def test_an_escalated_case_stands_out_and_an_admin_adds_a_holiday(app, live_server, browser, screenshot,
                                                                   post_twilio, run_jobs):
    from datetime import datetime, timedelta, timezone

    import time_machine
    from sqlalchemy import select

    from grievance.extensions import db
    from grievance.tasks.rounds import sweep_deadlines
    from grievance.models import Case
    from grievance.workflows.deadlines import set_deadlines
    from tests.conftest import inbound_params

    factories.factory()
    factories.picc_member(email="ani@example.org", factory_code="IDN-0001", language="en")
    factories.user(email="sari@example.org", role="advisor", name="Sari", factory_code="IDN-0001", language="en")
    factories.user(email="admin@example.org", role="admin", name="Admin", language="en")
    db.session.commit()
    post_twilio(inbound_params("Upah lembur bulan Juli tidak dibayar", sender="+6281298765432"))
    run_jobs()
    # She wrote on Friday 14 August (a worker process may have opened the case: set its clock here).
    late = db.session.scalars(select(Case)).one()
    late.opened_at = datetime(2026, 8, 14, 9, tzinfo=timezone.utc)
    set_deadlines(db.session, late, late.opened_at)
    db.session.commit()
    with time_machine.travel(late.acknowledge_by + timedelta(hours=1), tick=False):
        sweep_deadlines()
        run_jobs()
    post_twilio(inbound_params("Gaji dipotong tanpa alasan", sender="+6281311112222"))
    run_jobs()

    desk = browser.new_page(locale="en-US", viewport={"width": 1000, "height": 700})
    desk.goto(f"{live_server}/login")
    desk.fill("#email", "ani@example.org")
    desk.fill("#password", factories.PASSWORD)
    desk.click("main button[type=submit]")
    late_row = desk.locator(".card", has_text=late.reference)
    expect(late_row).to_contain_text("Escalated to: Programme advisors")
    expect(late_row).to_contain_text("overdue by")
    # The late case comes first and is marked in red.
    assert late_row.evaluate("card => getComputedStyle(card).borderInlineStartColor") == "rgb(179, 38, 30)"
    expect(desk.locator(".cards .card").first).to_contain_text(late.reference)
    expect(desk.locator(".bell .badge")).to_have_text("1")
    screenshot(desk, "queue-escalated")

    desk.click(".bell")
    expect(desk.locator(".notifications li.unread")).to_contain_text(
        f"Case {late.reference} was not acknowledged in time and is now with: Programme advisors.")
    screenshot(desk, "notifications")
    desk.click("button:has-text('Mark all as read')")
    expect(desk.locator(".bell .badge")).to_have_count(0)
    desk.click(f".notifications a:has-text('{late.reference}')")
    expect(desk.locator(".facts")).to_contain_text("Programme advisors")
    expect(desk.locator(".facts")).to_contain_text("escalated")
    screenshot(desk, "case-escalated")

    admin = browser.new_page(locale="en-US", viewport={"width": 1000, "height": 900})
    admin.goto(f"{live_server}/login")
    admin.fill("#email", "admin@example.org")
    admin.fill("#password", factories.PASSWORD)
    admin.click("main button[type=submit]")
    admin.click("text=Administration")
    admin.click("text=Indonesia (ID)")
    admin.fill("#holiday-date", "2026-12-24")
    admin.select_option("#holiday-every_year", "no")
    admin.fill("#holiday-name", "Factory anniversary")
    admin.click("button:has-text('Add')")
    expect(admin.locator(".flash")).to_have_text("Holiday added.")
    expect(admin.locator("table.admin").last).to_contain_text("Factory anniversary")
    screenshot(admin, "admin-country")


def _fits_the_phone(page) -> None:
    """No horizontal scroll at 360 px, and every button and link in the page's body big enough for a thumb."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    small = page.evaluate("""() => Array.from(document.querySelectorAll('main button:not(.link), .admin-nav a'))
        .filter(e => e.offsetParent !== null)
        .map(e => e.getBoundingClientRect()).filter(r => r.height < 44).length""")
    assert small == 0


def test_an_admin_adds_a_factory_with_a_number_and_a_picc_member_on_her_phone(app, live_server, browser,
                                                                              screenshot):
    from sqlalchemy import select

    from grievance.extensions import db
    from grievance.models import ChannelEndpoint, Membership, User

    factories.user(email="admin@example.org", role="admin", name="Admin", language="en")
    phone = browser.new_page(locale="en-US", viewport={"width": 360, "height": 740})
    phone.goto(f"{live_server}/login")
    phone.fill("#email", "admin@example.org")
    phone.fill("#password", factories.PASSWORD)
    phone.click("main button[type=submit]")
    phone.click("header >> text=Administration")
    phone.click("main .admin-areas >> text=Factories")
    phone.fill("#factory-code", "IDN-0077")
    phone.fill("#factory-name", "PT Benang Emas")
    phone.select_option("#factory-country", "ID")
    phone.fill("#factory-timezone", "Asia/Jakarta")
    phone.fill("#factory-headcount", "1500")
    phone.click("main button:has-text('Add the factory')")
    expect(phone.locator(".flash")).to_contain_text("Factory IDN-0077 added.")
    phone.select_option("#number-channel", "sms")
    phone.fill("#number-number", "+62 21 5000 0777")
    phone.click("main button:has-text('Add the number')")
    expect(phone.locator("table.stack")).to_contain_text("+622150000777")
    _fits_the_phone(phone)
    screenshot(phone, "admin-factory")

    phone.click(".admin-nav >> text=People")
    phone.fill("#person-email", "dewi@example.org")
    phone.fill("#person-name", "Dewi")
    phone.select_option("#person-language", "id")
    phone.click("main button:has-text('Add the person')")
    link = phone.input_value("#reset-link")
    assert "/password/reset/" in link
    phone.click("text=Back to Dewi")
    phone.select_option("#membership-role", "picc")
    phone.select_option("#membership-factory", label="IDN-0077 PT Benang Emas")
    phone.click("main button:has-text('Add the role')")
    expect(phone.locator(".flash")).to_contain_text("Role added: PICC member.")
    expect(phone.locator("table.stack")).to_contain_text("IDN-0077")
    _fits_the_phone(phone)
    screenshot(phone, "admin-person")

    phone.click(".admin-nav >> text=Reply templates")
    phone.fill("#template-text", "Kami sudah memeriksa slip gaji Anda")
    expect(phone.locator("#template-cost")).to_have_text("GSM-7 · 1 segment")
    phone.fill("#template-text", "យើងបានពិនិត្យប័ណ្ណបើកប្រាក់ខែរបស់អ្នក ហើយនឹងឆ្លើយតបទៅអ្នកវិញឆាប់ៗនេះ សូមរង់ចាំ")
    expect(phone.locator("#template-cost")).to_have_text("UCS-2 · 2 segments")
    _fits_the_phone(phone)
    screenshot(phone, "admin-templates")

    phone.click(".admin-nav >> text=Log of changes")
    expect(phone.locator("table.log")).to_contain_text("•••777")
    assert "5000" not in phone.inner_text("main")
    _fits_the_phone(phone)
    screenshot(phone, "admin-log")

    phone.click("a.languages")  # the language switcher: a page of its own, back here after
    phone.click("button[value=ar]")
    phone.click(".admin-nav a[href$='/admin/people']")
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    expect(phone.locator("table.stack")).to_contain_text("dewi@example.org")
    _fits_the_phone(phone)
    screenshot(phone, "admin-people-ar")

    dewi = db.session.scalar(select(User).where(User.email == "dewi@example.org"))
    assert [m.role for m in db.session.scalars(select(Membership).where(Membership.user_id == dewi.id))] == ["picc"]
    assert db.session.scalar(select(ChannelEndpoint.address).where(ChannelEndpoint.address == "+622150000777"))


def test_a_picc_member_on_a_phone_sees_the_most_urgent_case_first_with_her_reply_marked(
        app, live_server, browser, screenshot):
    from datetime import timedelta

    from grievance.extensions import db
    from grievance.models.base import utcnow

    factories.factory()
    factories.picc_member(email="ani@example.org", language="en")
    now = utcnow()
    calm = factories.case(now=now - timedelta(hours=1), body="Air minum di lantai tiga habis sejak pagi")
    urgent = factories.case(now=now - timedelta(days=5), category="safety_health",
                            body="Pintu darurat dikunci lagi saat shift malam, kami takut kalau ada kebakaran")
    soon = factories.case(now=now - timedelta(days=1), category="hours_leave", body="Cuti saya ditolak")
    urgent.status, urgent.acknowledged_at, urgent.worker_replied_at = "acknowledged", now - timedelta(days=4), now
    urgent.resolve_by = urgent.due_at = now - timedelta(hours=3)
    soon.acknowledge_by = soon.due_at = now + timedelta(hours=5)
    calm.acknowledge_by = calm.due_at = now + timedelta(days=3)
    db.session.commit()

    phone = browser.new_page(locale="en-US", viewport={"width": 360, "height": 740})
    phone.goto(f"{live_server}/login")
    phone.fill("#email", "ani@example.org")
    phone.fill("#password", factories.PASSWORD)
    phone.click("main button[type=submit]")
    cards = phone.locator(".cards .card")
    expect(cards).to_have_count(3)
    first = cards.first
    expect(first).to_contain_text(urgent.reference)
    expect(first.locator(".replied")).to_have_text("Worker replied")
    expect(first.locator(".left")).to_contain_text("overdue by")
    assert first.locator(".left").evaluate("e => getComputedStyle(e).color") == "rgb(179, 38, 30)"
    expect(cards.nth(1)).to_contain_text(soon.reference)
    assert cards.nth(1).locator(".left").evaluate("e => getComputedStyle(e).color") == "rgb(138, 82, 0)"
    expect(first.locator(".words")).to_have_attribute("dir", "auto")
    # Each card is one tap target, small enough that two or three fit on the screen.
    heights = [cards.nth(index).bounding_box()["height"] for index in range(3)]
    assert all(44 <= height <= 740 / 3 for height in heights), heights
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    for target in phone.locator(".views .view, .find button, #find-reference").all():
        assert target.bounding_box()["height"] >= 44
    screenshot(phone, "queue-phone")
    first.click()
    expect(phone.locator("h1")).to_contain_text(urgent.reference)


PHONE = {"width": 360, "height": 740}
SMALL_TAP_TARGETS = """() => [...document.querySelectorAll(
    '.case-page button, .case-page a.button, .case-page select, .case-page summary, .case-page textarea,'
    + ' .case-page label.check')]
  .filter(e => e.offsetParent !== null)
  .map(e => [e.tagName + ' ' + (e.textContent || e.name || '').trim().slice(0, 30), e.getBoundingClientRect()])
  .filter(([, box]) => box.height < 44 || box.width < 44)
  .map(([name, box]) => name + ' ' + Math.round(box.width) + 'x' + Math.round(box.height))"""


def _phone_page(browser, live_server, email, locale="en-US"):
    page = browser.new_context(viewport=PHONE, locale=locale, is_mobile=True, has_touch=True).new_page()
    page.goto(f"{live_server}/login")
    page.fill("#email", email)
    page.fill("#password", factories.PASSWORD)
    page.click("main button[type=submit]")
    return page


WIDER_THAN_THE_PHONE = """width => Array.from(document.querySelectorAll('body *'))
    .filter(e => e.getBoundingClientRect().right > width + 0.5)
    .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)
         + ' ' + (e.innerText || '').slice(0, 40))"""


def _fits_a_phone(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], \
        page.evaluate(WIDER_THAN_THE_PHONE, PHONE["width"])
    assert page.evaluate(SMALL_TAP_TARGETS) == []


def test_on_a_phone_a_picc_member_works_a_case_and_loses_one_moved_to_forced_labour(
        app, live_server, browser, screenshot, post_twilio, run_jobs):
    from tests.conftest import inbound_params

    factories.factory()
    factories.picc_member(email="ani@example.org", language="en")
    factories.advisor(email="adv@example.org", language="en", name="Sari")
    case = factories.case()
    moved = factories.case(phone="+6281311112222", body="Mandor memaksa kami lembur tanpa bayaran")
    for body in ("Sudah tiga bulan begini", "Teman saya juga sama", "Hari ini mandor marah lagi kepada saya"):
        post_twilio(inbound_params(body, sender=factories.WORKER_PHONE))
        run_jobs()

    page = _phone_page(browser, live_server, "ani@example.org")
    expect(page.locator("ul.cards")).to_contain_text(case.reference)
    page.click(f"text={case.reference}")
    expect(page.locator(".thread .bubble.newest")).to_contain_text("Hari ini mandor marah lagi kepada saya")
    bar = page.locator(".action-bar")
    assert bar.bounding_box()["y"] + bar.bounding_box()["height"] <= PHONE["height"]  # in view at once
    # Each of its buttons says what it does, readably (not white on white).
    looks = page.eval_on_selector_all(".action-bar button, .action-bar .button", """els => els.map(e => [
        e.innerText.trim(), getComputedStyle(e).color, getComputedStyle(e).backgroundColor])""")
    assert [text for text, _, _ in looks] == ["Acknowledge", "Reply", "Note", "Resolve"]
    assert all(colour != background for _, colour, background in looks), looks
    _fits_a_phone(page)
    screenshot(page, "case-phone")

    page.click(".action-bar button:has-text('Acknowledge')")
    expect(page.locator(".flash")).to_contain_text(f"Case {case.reference} acknowledged.")

    page.fill("#note-body", "Talked to HR on Monday; wait for the payroll.")
    page.click("button:has-text('Save the note')")
    expect(page.locator(".flash")).to_contain_text("never sent to the worker")
    expect(page.locator(".note").last).to_contain_text("Talked to HR on Monday")
    assert re.search(r"#note-\d+$", page.url)

    counter = page.locator("#reply-cost")
    expect(counter).to_have_text("")
    page.locator("#reply-text").press_sequentially("Kami sudah bicara dengan HRD")
    expect(counter).to_contain_text("GSM-7 · 1 SMS")
    first = counter.inner_text()
    page.locator("#reply-text").press_sequentially(" — terima kasih")  # a dash GSM-7 has not
    expect(counter).to_contain_text("UCS-2")
    assert counter.inner_text() != first
    screenshot(page, "case-phone-reply")
    page.click("button:has-text('Send to the worker')")
    expect(page.locator(".flash")).to_contain_text("on its way")
    assert re.search(r"#message-\d+$", page.url)
    # Back where she acted: her reply in view, above the sticky bar, not under it.
    written = page.locator(".thread .bubble").last.bounding_box()
    assert written["y"] >= 0 and written["y"] + written["height"] <= bar.bounding_box()["y"] + 1
    page.screenshot(path=str(ARTIFACTS / "case-phone-after-reply-view.png"))

    page.select_option("#resolve-outcome_code", "remedied")
    page.fill("#resolve-outcome", "Lembur sudah dibayar tanggal 20.")
    page.click("button:has-text('Show what she will receive')")
    expect(page.locator(".confirm blockquote")).to_contain_text("Lembur sudah dibayar tanggal 20.")
    _fits_a_phone(page)
    screenshot(page, "case-phone-confirm")
    page.check("#resolve-confirm")
    page.click("button:has-text('Send the outcome')")
    expect(page.locator(".flash")).to_contain_text(f"Case {case.reference} resolved.")
    expect(page.locator("#outcome")).to_contain_text("Lembur sudah dibayar tanggal 20.")

    advisor = _phone_page(browser, live_server, "adv@example.org")
    advisor.goto(f"{live_server}/cases/{moved.reference}")
    advisor.click("#facts summary")
    _fits_a_phone(advisor)
    screenshot(advisor, "case-phone-facts")
    advisor.select_option("#category-category", "forced_labour")
    advisor.click("button:has-text('Change the category')")
    expect(advisor.locator(".flash")).to_contain_text("now with the programme advisors")

    page.goto(f"{live_server}/cases/{moved.reference}")
    expect(page.locator("h1")).to_have_text("Not found")
    page.goto(f"{live_server}/queue")
    expect(page.locator("main")).not_to_contain_text(moved.reference)


def test_the_case_page_reads_right_to_left_in_arabic_on_a_phone(app, live_server, browser, screenshot):
    factories.factory(code="JOR-0001", name="Amman Apparel", country="JO", number="+96265000001")
    factories.picc_member(email="rania@example.org", factory_code="JOR-0001", language="ar")
    case = factories.case(factory_code="JOR-0001", to="+96265000001", phone="+962791234567", language="ar",
                          body="لم أحصل على أجر العمل الإضافي هذا الشهر")
    page = _phone_page(browser, live_server, "rania@example.org", locale="ar")
    page.goto(f"{live_server}/cases/{case.reference}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator(".thread")).to_contain_text("لم أحصل على أجر العمل الإضافي")
    assert case.reference in page.locator("h1 bdi").inner_text()
    _fits_a_phone(page)
    screenshot(page, "case-phone-ar")
