"""Promised dates skip every public holiday the holidays package knows, movable ones included,
with what an admin adds (closure days) or removes (a holiday worked after all)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import time_machine
from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Case, Country, Holiday
from grievance.workflows.policies import calendar_for
from grievance.workflows.public_holidays import package_holidays
from tests import factories
from tests.conftest import csrf_token


def local(moment: datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(zone)).strftime("%a %d %b %H:%M")


def test_the_package_knows_the_holidays_that_close_factories_for_days():
    indonesia = package_holidays("ID", 2027)
    # Lebaran 2027: Idul Fitri on 10 and 11 March, with the cuti bersama around it.
    assert {date(2027, 3, 9), date(2027, 3, 10), date(2027, 3, 11), date(2027, 3, 12)} <= set(indonesia)
    assert {date(2027, 4, 14), date(2027, 4, 15), date(2027, 4, 16)} <= set(package_holidays("KH", 2027))
    assert {date(2027, 2, 5) + timedelta(days=n) for n in range(5)} <= set(package_holidays("VN", 2027))
    assert any("Eid" in name for name in package_holidays("JO", 2027).values())


def test_a_worker_who_texts_just_before_lebaran_is_promised_a_day_after_it(session, receive):
    factories.factory(code="IDN-0001", name="PT Contoh Garmen", number="+622150000001")
    # Monday 8 March 2027, 10:00 in Jakarta: Nyepi that day, then Lebaran until Monday 15th.
    receive("Upah lembur bulan Februari tidak dibayar", sender="+6281298765432", to="+622150000001",
            at=datetime(2027, 3, 8, 3, 0, tzinfo=timezone.utc))
    case = session.scalars(select(Case).order_by(Case.id.desc())).first()
    # Closed from Monday 8 to Friday 12 and on Monday 15; Saturday 13 is a working day of the
    # Indonesian week: 2 working days are Saturday 13 and Tuesday 16, due Wednesday 17 at 08:00.
    # Without the package's holidays she would have been promised Wednesday 10, Idul Fitri.
    assert local(case.acknowledge_by, "Asia/Jakarta") == "Wed 17 Mar 08:00"
    reply = case.messages[-1]
    assert reply.direction == "outbound" and "17" in reply.body and "10" not in reply.body


def test_khmer_new_year_and_tet_are_skipped(session):
    cambodia, vietnam = session.get(Country, "KH"), session.get(Country, "VN")
    khmer = calendar_for(session, cambodia, "Asia/Phnom_Penh")
    before = datetime(2027, 4, 13, 3, 0, tzinfo=timezone.utc)  # Tuesday 13 April, 10:00
    assert local(khmer.add(before, timedelta(days=1), "working_days"), "Asia/Phnom_Penh") == "Sat 17 Apr 10:00"
    tet = calendar_for(session, vietnam, "Asia/Ho_Chi_Minh")
    before = datetime(2027, 2, 3, 3, 0, tzinfo=timezone.utc)  # Wednesday 3 February, 10:00
    assert local(tet.add(before, timedelta(days=1), "working_days"), "Asia/Ho_Chi_Minh") == "Thu 11 Feb 10:00"


def test_an_admin_makes_a_holiday_a_working_day_and_adds_a_closure_day(app, client, sign_in):
    factories.user(email="admin@example.org", role="admin", name="Admin", language="en")
    db.session.commit()
    with time_machine.travel(datetime(2027, 1, 10, tzinfo=timezone.utc), tick=False):
        sign_in("admin@example.org", factories.PASSWORD)
        page = client.get("/admin/countries/KH").get_data(as_text=True)
        # The package's holidays of this year and next are listed.
        assert "2027-04-14" in page and "2028-04-13" in page and "Khmer New Year" in page
        worked = client.post("/admin/countries/KH/holidays/2027-04-16/working", data={"csrf_token": csrf_token(page)})
        assert worked.status_code == 302
        added = client.post("/admin/countries/KH/holidays", data={
            "csrf_token": csrf_token(page), "holiday-date": "2027-04-19", "holiday-every_year": "no",
            "holiday-name": "Factory closed for repairs"})
        assert added.status_code == 302
        page = client.get("/admin/countries/KH").get_data(as_text=True)
        assert "working day" in page and "Factory closed for repairs" in page
    calendar = calendar_for(db.session, db.session.get(Country, "KH"), "Asia/Phnom_Penh")
    assert calendar.is_working_day(date(2027, 4, 16))  # worked after all
    assert not calendar.is_working_day(date(2027, 4, 15))  # still Khmer New Year
    assert not calendar.is_working_day(date(2027, 4, 19))  # the factory's closure day
    before = datetime(2027, 4, 13, 3, 0, tzinfo=timezone.utc)
    # 3 working days from Tuesday 13th 10:00: Friday 16th, Saturday 17th, then (Sunday off,
    # Monday 19th closed) Tuesday 20th.
    assert local(calendar.add(before, timedelta(days=3), "working_days"), "Asia/Phnom_Penh") == "Tue 20 Apr 10:00"

    # Restoring the holiday (removing the admin's row) closes the day again.
    row = db.session.scalar(select(Holiday).where(Holiday.working))
    with time_machine.travel(datetime(2027, 1, 10, 1, tzinfo=timezone.utc), tick=False):
        page = client.get("/admin/countries/KH").get_data(as_text=True)
        assert client.post(f"/admin/countries/KH/holidays/{row.id}/delete",
                           data={"csrf_token": csrf_token(page)}).status_code == 302
    db.session.expire_all()
    assert not calendar_for(db.session, db.session.get(Country, "KH"), "Asia/Phnom_Penh").is_working_day(
        date(2027, 4, 16))


def test_only_a_holiday_of_the_package_can_be_made_a_working_day(app, client, sign_in):
    factories.user(email="admin@example.org", role="admin", name="Admin", language="en")
    db.session.commit()
    sign_in("admin@example.org", factories.PASSWORD)
    token = csrf_token(client.get("/admin/countries/KH").get_data(as_text=True))
    assert client.post("/admin/countries/KH/holidays/2027-04-20/working", data={"csrf_token": token}).status_code == 404
    assert client.post("/admin/countries/KH/holidays/nonsense/working", data={"csrf_token": token}).status_code == 404
