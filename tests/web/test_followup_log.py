"""The committee's follow-up note for buyers, and the buyers' follow-up log it appears in: one
line per committee case, never her words, her reference, her pseudonym or a day."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select

from grievance.access.grants import grant, organisation_for
from grievance.extensions import db
from grievance.models import Case, CaseEvent, Factory
from grievance.models.base import utcnow
from grievance.summaries.periods import MONTH, last_closed, month_of
from tests import factories
from tests.conftest import case_form, csrf_token

BUYER, MEMBER = "bea@example.org", "ani@example.org"
WORDS = "Mandor Budi tidak membayar lembur saya"


@pytest.fixture(autouse=True)
def _mid_january_2026():
    """The log offers the closed periods of the last year or so: 2025's are among them."""
    with time_machine.travel(datetime(2026, 1, 15, 2, 0, tzinfo=timezone.utc), tick=True):
        yield


def _signed_in(app, email):
    http = app.test_client()
    page = http.get("/login").get_data(as_text=True)
    assert http.post("/login", data={"email": email, "password": factories.PASSWORD,
                                     "csrf_token": csrf_token(page)}).status_code == 302
    return http


def _at(month: int, day: int) -> datetime:
    return datetime(2025, month, day, 3, 0, tzinfo=timezone.utc)  # 10:00 in Jakarta


def _case(n: int, opened: datetime, category="wages", *, phone=None, acknowledged=None, resolved=None,
          outcome=None, note=None) -> Case:
    made = factories.case(phone=phone or f"+62812000000{n:02d}", category=category, now=opened,
                          body=f"{WORDS} {n}")
    if acknowledged is not None:  # hours after the deadline (negative: before it)
        made.acknowledged_at = made.acknowledge_by + timedelta(hours=acknowledged)
    if resolved is not None:
        made.resolved_at, made.status = made.resolve_by + timedelta(hours=resolved), "resolved"
    made.outcome_code, made.followup_note = outcome, note
    db.session.commit()
    return made


def _world(*, fifth_phone=None):
    """Five committee cases in 2025-Q2 (five workers unless told), one in July, one advisor case."""
    factory = factories.factory()
    factories.user(email=BUYER, role="buyer", name="Bea", buyer="Acme Brands", language="en")
    grant(db.session.get(Factory, factory.id), organisation_for("Acme Brands"), by=None)
    cases = [
        _case(1, _at(4, 14), acknowledged=-2, resolved=-2, outcome="remedied", note="Overtime paid to all line workers."),
        _case(2, _at(5, 20), acknowledged=-2),
        _case(3, _at(6, 2), "safety_health", acknowledged=5, resolved=5, outcome="not_upheld",
              note="Reviewed with the committee."),
        _case(4, _at(4, 28), "hours_leave"),
        _case(5, _at(6, 25), phone=fifth_phone, acknowledged=-1, resolved=-1, outcome="remedied",
              note="Back pay settled."),
        _case(6, _at(7, 3), note="Outside the quarter."),
        _case(7, _at(5, 9), "harassment_violence", note="Advisors handled it."),
    ]
    assert cases[-1].route == "advisor"
    db.session.commit()
    return cases


# No month of the quarter has five workers: every line names the quarter. Deadlines that passed
# without an acknowledgement or a resolution count as "no", as on the summaries.
EXPECTED = [
    ["Pay and working hours", "Q2 2025", "yes", "yes", "Remedied", "Back pay settled."],
    ["Pay and working hours", "Q2 2025", "yes", "yes", "Remedied", "Overtime paid to all line workers."],
    ["Pay and working hours", "Q2 2025", "no", "no", "—", ""],
    ["Pay and working hours", "Q2 2025", "yes", "no", "—", ""],
    ["Safety and health", "Q2 2025", "no", "no", "Not upheld", "Reviewed with the committee."],
]


def _csv(http, period="2025-Q2"):
    response = http.get(f"/buyers/factories/IDN-0001/followup.csv?period={period}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())  # so a spreadsheet reads Khmer or Arabic as UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_the_log_has_one_line_per_committee_case_of_the_quarter_sorted_by_what_it_says(app):
    cases = _world()
    buyer = _signed_in(app, BUYER)
    rows = _csv(buyer)
    assert rows[0] == ["Category", "Month opened", "Acknowledged in time", "Resolved in time", "Outcome",
                       "Follow-up note"]
    assert rows[1:] == EXPECTED
    page = buyer.get("/buyers/factories/IDN-0001/followup?period=2025-Q2").get_data(as_text=True)
    for line in EXPECTED:
        assert line[5] in page
    assert "Advisors handled it." not in page and "Harassment and violence" not in page  # advisor case absent
    assert "Outside the quarter." not in page
    assert "Wages and benefits" not in page and "Working hours and leave" not in page  # coarse categories only
    table = page.split("<table")[1]
    assert "April 2025" not in table and "June 2025" not in table  # no month of the quarter has five workers
    assert "fewer than 5 workers" in page  # the footnote says why the quarter stands for the month
    assert ">Q2 2025</option>" in page and "received in Q2 2025" in page  # labels, not keys
    everything = page + repr(rows)
    for case in cases:
        assert case.reference not in everything and case.worker.pseudonym not in everything
    assert WORDS not in everything
    for day in (r"\b(April|May|June) \d{1,2}\b", r"\b\d{1,2} (April|May|June)\b", r"2025-0[4-6]-\d\d"):
        assert re.search(day, everything) is None


def test_the_month_log_and_the_picker_offer_closed_periods_only(app):
    _world()
    buyer = _signed_in(app, BUYER)
    assert _csv(buyer, "2025-04")[1:] == []  # April alone: two workers, below the threshold
    assert len(_csv(buyer, "2025")[1:]) == 6  # the year: July's case too, never the advisor case
    # A closed quarter the picker does not offer is refused too, like the summaries do.
    assert buyer.get("/buyers/factories/IDN-0001/followup?period=2023-Q1").status_code == 404
    assert buyer.get("/buyers/factories/IDN-0001/followup.csv?period=2023-Q1").status_code == 404
    this_month = month_of(utcnow(), "Asia/Jakarta").key
    assert buyer.get(f"/buyers/factories/IDN-0001/followup?period={this_month}").status_code == 404
    assert buyer.get(f"/buyers/factories/IDN-0001/followup.csv?period={this_month}").status_code == 404
    assert buyer.get("/buyers/factories/IDN-0001/followup?period=2025-04-14").status_code == 404  # no days
    page = buyer.get("/buyers/factories/IDN-0001/followup?period=2025").get_data(as_text=True)
    last_month = last_closed(utcnow(), "Asia/Jakarta", MONTH).key
    assert f'value="{this_month}"' not in page and f'value="{last_month}"' in page


def test_fewer_than_five_workers_behind_the_cases_hide_every_line(app):
    _world(fifth_phone="+6281200000001")  # the fifth case is the first worker's again: four workers
    buyer = _signed_in(app, BUYER)
    page = buyer.get("/buyers/factories/IDN-0001/followup?period=2025-Q2").get_data(as_text=True)
    assert "Too few cases in this period" in page
    assert "Back pay settled." not in page and "Wages and benefits" not in page
    assert _csv(buyer)[1:] == []


def test_a_month_with_five_workers_is_named_and_a_month_with_fewer_is_not(app):
    _world()
    for n in range(11, 15):  # four more workers in May: five in all
        _case(n, _at(5, 2 + n), "discrimination", note=f"Line {n} retrained.")
    buyer = _signed_in(app, BUYER)
    months = {row[5]: row[1] for row in _csv(buyer)[1:] if row[5]}
    assert months["Line 11 retrained."] == "May 2025"
    assert months["Back pay settled."] == "Q2 2025"  # June: two workers only
    page = buyer.get("/buyers/factories/IDN-0001/followup?period=2025-Q2").get_data(as_text=True)
    assert "May 2025" in page.split("<table")[1] and "Employment and fair treatment" in page


def test_the_csv_keeps_khmer_notes_and_quotes_off_formulas(app):
    cases = _world()
    cases[0].followup_note, cases[2].followup_note = "បានសងប្រាក់ឈ្នួល", "=HYPERLINK(1)"
    db.session.commit()
    notes = [row[5] for row in _csv(_signed_in(app, BUYER))[1:]]
    assert "បានសងប្រាក់ឈ្នួល" in notes and "'=HYPERLINK(1)" in notes


def test_a_buyer_whose_organisation_has_no_grant_gets_404(app):
    _world()
    factories.user(email="other@example.org", role="buyer", name="Oz", buyer="Other Brand", language="en")
    other = _signed_in(app, "other@example.org")
    assert other.get("/buyers/factories/IDN-0001/followup?period=2025-Q2").status_code == 404
    assert other.get("/buyers/factories/IDN-0001/followup.csv?period=2025-Q2").status_code == 404


# -- the note on the case page ----------------------------------------------------------------

def _member_and_case(app):
    factories.factory()
    factories.picc_member(email=MEMBER, language="en")
    return factories.case(), _signed_in(app, MEMBER)


def _save(http, case, note):
    form = case_form(http.get(f"/cases/{case.reference}").get_data(as_text=True))
    return http.post(f"/cases/{case.reference}/followup", data={**form, "followup-note": note})


def test_a_note_with_her_reference_a_phone_number_or_an_email_is_refused_with_the_problem_named(app):
    case, http = _member_and_case(app)
    for note, problem in [(f"Closed, see {case.reference.lower()}", "case reference"),
                          ("She can be reached on 0812 3456 7890", "phone number"),
                          ("Ask hr@factory.example for details", "email address")]:
        response = _save(http, case, note)
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and problem in html and note in html  # what she typed is kept
    long = _save(http, case, "x" * 501)
    assert long.status_code == 400 and "500" in long.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Case, case.id).followup_note is None


def test_a_saved_note_is_recorded_as_an_event_without_its_text(app):
    case, http = _member_and_case(app)
    page = http.get(f"/cases/{case.reference}").get_data(as_text=True)
    assert "Buyers that the factory grants access read this note" in page
    assert _save(http, case, "Overtime paid for the whole line.").status_code == 302
    db.session.expire_all()
    saved = db.session.get(Case, case.id)
    assert saved.followup_note == "Overtime paid for the whole line." and saved.followup_note_at is not None
    [event] = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                         CaseEvent.kind == "followup_note")).all()
    assert event.data == {} and event.actor_user_id is not None


def test_an_advisor_case_has_no_note_for_buyers(app):
    factories.factory()
    factories.advisor(email="adv@example.org", language="en")
    grave = factories.case(category="harassment_violence")
    http = _signed_in(app, "adv@example.org")
    page = http.get(f"/cases/{grave.reference}").get_data(as_text=True)
    assert "Follow-up note for buyers" not in page
    assert _save(http, grave, "Handled.").status_code == 404


def test_a_note_with_any_case_reference_a_date_or_her_name_is_refused_with_the_problem_named(app):
    from grievance.privacy import vault

    case, http = _member_and_case(app)
    other = factories.case(phone="+6281299999999")
    # A code of letters only, typed in lower case without its dash, reads like a word: it is
    # known for a reference because one of the factory's cases has it.
    letters = factories.case(phone="+6281299999998")
    other.reference, letters.reference = "ID-7Q4K2M", "ID-DENFRF"
    case.name_encrypted, case.anonymous = vault().encrypt("Siti Rahayu"), False
    db.session.commit()
    for note, problem in [(f"Same as {other.reference}", "case reference"),
                          (f"Same as {other.reference.replace('-', '').lower()}", "case reference"),
                          ("Same as iddenfrf, resolved the same way", "case reference"),
                          ("Same as id-denfrf", "case reference"),
                          ("Paid on 3/4 as agreed", "date"),
                          ("Paid on 03.04.2026 as agreed", "date"),
                          ("Meeting held on 14 March with the line", "date"),
                          ("Meeting held March 14th with the line", "date"),
                          ("Spoke with siti about the overtime", "name")]:
        response = _save(http, case, note)
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and problem in html, note
    for fine in ("The co-worker and the supervisor met; overtime paid for May 2025.", "Paid at the 2025 rate.",
                 "Wages paid; iddenfrg is no case of this factory."):
        assert _save(http, case, fine).status_code == 302, fine
