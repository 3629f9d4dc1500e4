"""Deadlines a committee cannot quietly ignore: policies, holidays, pausing, the sweep and escalation."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import func, select

from grievance.extensions import db
from grievance.tasks.rounds import sweep_deadlines
from grievance.models import Case, CaseEvent, Factory, Message, Notification, User
from grievance.models.base import utcnow
from tests import factories
from tests.conftest import case_form, csrf_token, inbound_params

WORKER = "+6281298765432"
# Friday 14 August 2026, 16:00 in Jakarta (UTC+7) and in Amman (UTC+3). Monday 17 August is
# Indonesia's Independence Day, a public holiday.
FRIDAY_JAKARTA = datetime(2026, 8, 14, 9, 0, tzinfo=timezone.utc)
FRIDAY_AMMAN = datetime(2026, 8, 14, 13, 0, tzinfo=timezone.utc)


def user_id(email: str) -> int:
    return db.session.scalar(select(User.id).where(User.email == email))


def _programme() -> None:
    """An Indonesian factory with its committee, its own advisor, the country's advisor and
    programme manager; a Jordanian factory."""
    factories.factory(code="IDN-0001", name="PT Contoh Garmen", number="+622150000001")
    factories.factory(code="JOR-0001", name="Amman Apparel", country="JO", number="+96265000001")
    factories.user(email="ani@example.org", role="picc", name="Ani", factory_code="IDN-0001", language="id")
    factories.user(email="budi@example.org", role="factory_manager", name="Budi", factory_code="IDN-0001", language="id")
    factories.user(email="own-advisor@example.org", role="advisor", name="Sari", factory_code="IDN-0001", language="en")
    factories.user(email="country-advisor@example.org", role="advisor", name="Rina", country="ID", language="id")
    factories.user(email="manager@example.org", role="programme_manager", name="Made", country="ID", language="en")


@pytest.fixture
def programme(app):
    _programme()


@pytest.fixture
def programme_rows(session):
    """The same programme in the workflow tier."""
    _programme()


def latest_case() -> Case:
    db.session.expire_all()
    return db.session.scalars(select(Case).order_by(Case.id.desc())).first()


@pytest.fixture
def text(post_twilio, run_jobs):
    """A worker texts; returns the case her message opened or joined."""

    def send(body: str, to: str = "+622150000001", sender: str = WORKER) -> Case:
        post_twilio(inbound_params(body, sender=sender, to=to))
        run_jobs()
        db.session.expire_all()
        return db.session.scalars(select(Case).order_by(Case.id.desc())).first()

    return send


@pytest.fixture
def sweep(app, run_jobs):
    """`flask --app grievance sweep`, then the jobs it queued; returns what the command printed."""

    def run(at: datetime) -> str:
        with time_machine.travel(at, tick=False):
            result = app.test_cli_runner().invoke(args=["sweep"])
            run_jobs()
        assert result.exit_code == 0, result.output
        db.session.expire_all()
        return result.output

    return run


def in_indonesian(message: str, **params: str) -> str:
    from grievance.i18n.worker import translations

    return translations("id").gettext(message) % params


def row_class(queue: str, reference: str) -> str:
    import re

    return re.search(r'<a class="card ?([^"]*)" href="/cases/' + reference, queue).group(1)


def local(moment: datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(zone)).strftime("%a %d %b %H:%M")


def test_indonesian_wages_case_on_friday_afternoon_skips_sunday_and_independence_day(programme_rows, receive):
    receive("Upah lembur bulan Juli tidak dibayar", at=FRIDAY_JAKARTA)
    case = latest_case()
    assert (case.category, case.route) == ("wages", "picc")
    # Saturday is a working day in Indonesian garment factories; Sunday is not, nor 17 August.
    assert local(case.acknowledge_by, "Asia/Jakarta") == "Tue 18 Aug 16:00"
    acknowledgement = db.session.scalars(select(Message).where(Message.purpose == "acknowledgement")).one()
    assert "Selasa, 18 Agustus" in acknowledgement.body


def test_the_same_case_in_jordan_skips_friday_and_saturday(programme_rows, receive):
    receive("لم يدفعوا أجور العمل الإضافي", to="+96265000001", sender="+962791234567", at=FRIDAY_AMMAN)
    case = latest_case()
    assert (case.category, case.route, case.language) == ("wages", "picc", "ar")
    # Friday is a day off: counting starts Sunday 08:00; two working days → Tuesday 08:00.
    assert local(case.acknowledge_by, "Asia/Amman") == "Tue 18 Aug 08:00"


def test_forced_labour_goes_to_the_advisors_with_a_24_hour_calendar_deadline_and_never_to_the_factory(
        programme, text, client, sign_in, sweep):
    with time_machine.travel(FRIDAY_JAKARTA, tick=False):
        case = text("Paspor saya ditahan dan saya dipaksa kerja")
    assert (case.category, case.route) == ("forced_labour", "advisor")
    assert case.acknowledge_by - case.opened_at == timedelta(hours=24)  # over Saturday, a calendar day

    sign_in("ani@example.org", factories.PASSWORD)
    queue = client.get("/queue").get_data(as_text=True)
    assert case.reference not in queue and 'class="empty"' in queue
    assert client.get(f"/cases/{case.reference}").status_code == 404
    # Missed: it climbs from the advisors to the programme manager; the factory hears nothing.
    sweep(FRIDAY_JAKARTA + timedelta(hours=25))
    assert db.session.get(Case, case.id).escalation_level == 1
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.case_id == case.id)))
    assert told == {user_id("own-advisor@example.org"), user_id("manager@example.org")}
    notifications = client.get("/notifications").get_data(as_text=True)
    assert case.reference not in notifications and 'class="badge"' not in client.get("/queue").get_data(as_text=True)


def test_a_missed_deadline_escalates_once_and_tells_the_right_people_and_the_worker(programme, text, sweep,
                                                                                    twilio_mock):
    with time_machine.travel(FRIDAY_JAKARTA, tick=False):
        case = text("Upah lembur bulan Juli tidak dibayar")

    # Monday, a quarter of the time left: a reminder to the committee, nothing to the worker.
    printed = sweep(datetime(2026, 8, 18, 1, tzinfo=timezone.utc))
    reminders = db.session.scalars(select(Notification).where(Notification.kind == "reminder")).all()
    assert [n.user_id for n in reminders] == [user_id("ani@example.org")]
    # One mail, in her language: "Kasus ID-… harus dikonfirmasi paling lambat …".
    reminder = in_indonesian("Case %(reference)s must be acknowledged by %(when)s.", reference=case.reference, when="")
    assert printed.count("--- mail to") == 1 and "mail to ani@example.org (id)" in printed
    assert reminder.rstrip(" .") in printed

    # Tuesday 16:01 Jakarta: the acknowledge deadline has passed.
    printed = sweep(case.acknowledge_by + timedelta(minutes=1))
    case = db.session.get(Case, case.id)
    assert case.escalation_level == 1 and case.acknowledge_overdue_at is not None
    escalated = db.session.scalars(select(Notification).where(Notification.kind == "escalated")).all()
    # The committee and the factory's own advisor; not the country's other advisor, the
    # programme manager or the factory manager.
    assert {n.user_id for n in escalated} == {user_id("ani@example.org"), user_id("own-advisor@example.org")}
    assert "mail to own-advisor@example.org (en)" in printed and "Programme advisors" in printed
    told = db.session.scalars(select(Message).where(Message.purpose == "escalated")).one()
    assert told.language == "id" and case.reference in told.body
    assert told.provider_id and told.provider_id.startswith(("SM", "MM")), told.error  # Twilio took it
    kinds = [e.kind for e in db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)
                                                .order_by(CaseEvent.id))]
    assert kinds.count("escalated") == 1 and kinds.count("overdue") == 1 and kinds.count("reminder") == 1

    # The same sweep again, and a minute later: nothing more.
    before = (db.session.scalar(select(func.count(Notification.id))), db.session.scalar(select(func.count(Message.id))))
    printed = sweep(case.acknowledge_by + timedelta(minutes=1))
    sweep(case.acknowledge_by + timedelta(minutes=2))
    db.session.expire_all()
    assert "checked=0" in printed and "mails=0" in printed
    after = (db.session.scalar(select(func.count(Notification.id))), db.session.scalar(select(func.count(Message.id))))
    assert after == before and db.session.get(Case, case.id).escalation_level == 1


def test_acknowledging_in_time_stops_the_acknowledge_clock(programme, text, sweep, client, sign_in):
    with time_machine.travel(FRIDAY_JAKARTA, tick=False):
        case = text("Upah lembur bulan Juli tidak dibayar")
        sign_in("ani@example.org", factories.PASSWORD)
        page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
        client.post(f"/cases/{case.reference}/acknowledge", data={**case_form(page)})
    sweep(case.acknowledge_by + timedelta(hours=1))
    case = db.session.get(Case, case.id)
    assert case.acknowledged_in_time is True and case.escalation_level == 0
    assert db.session.scalar(select(func.count(Notification.id))) == 0


def test_waiting_for_the_worker_stops_the_resolve_clock_and_her_reply_restarts_it(programme, text, sweep, client,
                                                                                   sign_in):
    with time_machine.travel(FRIDAY_JAKARTA, tick=False):
        case = text("Upah lembur bulan Juli tidak dibayar")
    original = case.resolve_by  # 15 working days
    asked_at = FRIDAY_JAKARTA + timedelta(days=3)  # Monday 17 August, a holiday, 16:00
    with time_machine.travel(asked_at, tick=False):
        sign_in("ani@example.org", factories.PASSWORD)
        page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
        response = client.post(f"/cases/{case.reference}/reply", data={
            **case_form(page), "reply-template": "followup_more_info", "reply-wait": "y"})
        assert response.status_code == 302
        page = client.get(f"/cases/{case.reference}").get_data(as_text=True)
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status == "acknowledged" and case.waiting_since == asked_at and case.next_check_at is None
    assert in_indonesian("stopped: waiting for the worker since %(when)s", when="")[:20] in page

    # Long after the original deadline: the stopped clock escalates nothing.
    sweep(original + timedelta(days=2))
    assert db.session.get(Case, case.id).escalation_level == 0

    answered_at = original + timedelta(days=3)
    with time_machine.travel(answered_at, tick=False):
        text("Lemburnya tanggal 3 dan 4 Juli, di bagian jahit")
    case = db.session.get(Case, case.id)
    assert case.waiting_since is None and case.paused_seconds == int((answered_at - asked_at).total_seconds())
    # 15 working days of 24 h from Friday 16:00, with Monday 17 August (Independence Day) and
    # Tuesday 25 August (the Prophet's Birthday in 2026) off, end on Thursday 3 September 16:00.
    # When she was asked (Monday 17th, a holiday) Friday evening and Saturday were used: 40 h,
    # so 13 days and 8 h were left. Her answer came on Sunday 6 September (a day off): counting
    # from Monday 08:00, with Sundays off, they end on Tuesday 22 September at 16:00.
    assert local(original, "Asia/Jakarta") == "Thu 03 Sep 16:00"
    assert local(answered_at, "Asia/Jakarta") == "Sun 06 Sep 16:00"
    assert local(case.resolve_by, "Asia/Jakarta") == "Tue 22 Sep 16:00"
    kinds = [e.kind for e in case.events]
    assert kinds.index("waiting_on_worker") < kinds.index("clock_resumed")


def test_two_sweeps_at_once_escalate_each_case_once(programme, make_app, text):
    with time_machine.travel(FRIDAY_JAKARTA, tick=False):
        for n in range(12):
            text(f"Upah lembur tidak dibayar {n}", sender=f"+62812000000{n:02d}")
    deadline = db.session.scalar(select(func.max(Case.acknowledge_by)))
    results, errors = [], []

    def run(app) -> None:
        with app.app_context(), time_machine.travel(deadline + timedelta(minutes=1), tick=False):
            try:
                results.append(sweep_deadlines())
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)

    # Two processes' apps, built here: building apps in threads at once trips CPython 3.11.7's
    # AST compiler (werkzeug compiles its URL rules), and then only one sweep would run.
    threads = [threading.Thread(target=run, args=(make_app(),)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(results) == 2  # both sweeps ran
    assert sum(r["escalations"] for r in results) == 12
    db.session.expire_all()
    escalations = db.session.scalar(select(func.count(CaseEvent.id)).where(CaseEvent.kind == "escalated"))
    told = db.session.scalar(select(func.count(Message.id)).where(Message.purpose == "escalated"))
    assert escalations == 12 and told == 12


def test_queue_and_case_page_show_time_left_overdue_and_escalation(programme, text, sweep, client, sign_in):
    with time_machine.travel(FRIDAY_JAKARTA, tick=False):
        late = text("Upah lembur bulan Juli tidak dibayar")
    with time_machine.travel(FRIDAY_JAKARTA + timedelta(days=4), tick=False):
        fresh = text("Gaji dipotong tanpa alasan", sender="+6281311112222")
    sweep(late.acknowledge_by + timedelta(hours=2))
    with time_machine.travel(late.acknowledge_by + timedelta(hours=2), tick=False):
        sign_in("ani@example.org", factories.PASSWORD)
        queue = client.get("/queue").get_data(as_text=True)
        page = client.get(f"/cases/{late.reference}").get_data(as_text=True)
        notifications = client.get("/notifications").get_data(as_text=True)
    late_row = queue[queue.index(late.reference):queue.index(fresh.reference)]
    # Ani reads Indonesian: "terlambat 2 j", "Dieskalasi ke: Penasihat program".
    assert in_indonesian("overdue by %(span)s", span="2 j") in late_row
    assert in_indonesian("Escalated to: %(level)s", level=in_indonesian("Programme advisors")) in late_row
    assert row_class(queue, late.reference) == "overdue" and row_class(queue, fresh.reference) == ""
    assert in_indonesian("%(span)s left", span="")[:6] in queue[queue.index(fresh.reference):]
    assert in_indonesian("Programme advisors") in page and in_indonesian("Resolve by") in page
    assert 'class="badge"' in queue and late.reference in notifications


def test_a_policy_and_a_holiday_set_by_an_admin_change_the_next_deadline(programme, text, client, sign_in):
    factories.user(email="admin@example.org", role="admin", name="Admin", language="en")
    db.session.commit()
    sign_in("admin@example.org", factories.PASSWORD)
    page = client.get("/admin/countries/ID").get_data(as_text=True)
    assert "Independence Day" in page and "Forced labour" in page
    token = csrf_token(page)
    bad = client.post("/admin/countries/ID/policies", data={
        "csrf_token": token, "policy-route": "picc", "policy-category": "wages", "policy-acknowledge_amount": "0",
        "policy-acknowledge_unit": "working_hours", "policy-resolve_amount": "40",
        "policy-resolve_unit": "working_hours", "policy-reminder_share": "0.25"})
    assert bad.status_code == 400 and "Number must be between 1 and 8760." in bad.get_data(as_text=True)
    saved = client.post("/admin/countries/ID/policies", data={
        "csrf_token": token, "policy-route": "picc", "policy-category": "wages", "policy-acknowledge_amount": "4",
        "policy-acknowledge_unit": "working_hours", "policy-resolve_amount": "40",
        "policy-resolve_unit": "working_hours", "policy-reminder_share": "0.25"})
    assert saved.status_code == 302
    holiday = client.post("/admin/countries/ID/holidays", data={
        "csrf_token": token, "holiday-date": "2026-08-15", "holiday-every_year": "no", "holiday-name": "Factory day"})
    assert holiday.status_code == 302

    with time_machine.travel(FRIDAY_JAKARTA, tick=False):
        case = text("Upah lembur bulan Juli tidak dibayar")
    # 4 working hours from Friday 16:00: 1 hour on Friday; Saturday 15th, Sunday and Monday 17th
    # are off; 3 hours on Tuesday from 08:00.
    assert local(case.acknowledge_by, "Asia/Jakarta") == "Tue 18 Aug 11:00"


def test_routing_of_grave_categories_cannot_be_sent_to_the_factory(programme, client, sign_in):
    factories.user(email="admin@example.org", role="admin", name="Admin", language="en")
    db.session.commit()
    sign_in("admin@example.org", factories.PASSWORD)
    token = csrf_token(client.get("/admin/countries/ID").get_data(as_text=True))
    client.post("/admin/countries/ID/routing", data={
        "csrf_token": token, "route-forced_labour": "picc", "route-discrimination": "advisor"})
    from grievance.workflows.routing import route_for

    assert route_for(db.session, "ID", "forced_labour", False, True) == "advisor"
    assert route_for(db.session, "ID", "discrimination", False, True) == "advisor"
    assert route_for(db.session, "ID", "wages", False, True) == "picc"


def test_administration_is_for_admins_only(programme, client, sign_in):
    sign_in("country-advisor@example.org", factories.PASSWORD)
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/countries/ID").status_code == 404


def test_notifications_are_mailed_through_smtp_in_each_persons_language(programme, make_app, text, run_jobs):
    from aiosmtpd.controller import Controller

    from grievance.tasks.rounds import email_notifications

    class Inbox:
        def __init__(self):
            self.mails = []

        async def handle_DATA(self, server, session, envelope):
            self.mails.append((envelope.rcpt_tos, envelope.content.decode("utf-8")))
            return "250 OK"

    import socket

    with socket.socket() as probe:  # a free port for the SMTP server
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        with time_machine.travel(FRIDAY_JAKARTA, tick=False):
            case = text("Upah lembur bulan Juli tidak dibayar")
        app = make_app(MAIL_BACKEND="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_STARTTLS=False,
                       MAIL_FROM="grievance@example.org", PUBLIC_BASE_URL="https://grievance.example.org")
        with app.app_context(), time_machine.travel(case.acknowledge_by + timedelta(minutes=5), tick=False):
            sweep_deadlines()
            run_jobs()
            assert email_notifications() == 0  # already mailed by the job the sweep queued
    finally:
        server.stop()
    by_recipient = {tuple(to): body for to, body in inbox.mails}
    assert set(by_recipient) == {("ani@example.org",), ("own-advisor@example.org",)}
    advisor_mail = by_recipient[("own-advisor@example.org",)]
    assert "Content-Language: en" in advisor_mail and f"https://grievance.example.org/cases/{case.reference}" in advisor_mail
    assert "Content-Language: id" in by_recipient[("ani@example.org",)]
    assert WORKER[-6:] not in "".join(by_recipient.values())  # never her number


def test_an_admin_sets_a_working_week_and_a_wrong_one_is_named(programme, client, sign_in):
    from grievance.models import Country

    factories.user(email="admin@example.org", role="admin", name="Admin", language="en")
    db.session.commit()
    sign_in("admin@example.org", factories.PASSWORD)
    token = csrf_token(client.get("/admin/countries/ID").get_data(as_text=True))
    bad = client.post("/admin/countries/ID/week", data={
        "csrf_token": token, "week-weekend": ["6"], "week-workday_start": "8am", "week-workday_end": "07:00"})
    assert bad.status_code == 400 and "Write the time as HH:MM" in bad.get_data(as_text=True)
    every_day = client.post("/admin/countries/ID/week", data={
        "csrf_token": token, "week-weekend": [str(d) for d in range(7)], "week-workday_start": "07:00",
        "week-workday_end": "16:00"})
    assert "At least one day of the week must be a working day." in every_day.get_data(as_text=True)
    try:
        saved = client.post("/admin/countries/ID/week", data={
            "csrf_token": token, "week-weekend": ["5", "6"], "week-workday_start": "07:00",
            "week-workday_end": "16:00"})
        assert saved.status_code == 302
        db.session.expire_all()
        indonesia = db.session.get(Country, "ID")
        assert (indonesia.weekend, indonesia.workday_start, indonesia.workday_end) == ([5, 6], "07:00", "16:00")
    finally:
        indonesia = db.session.get(Country, "ID")
        indonesia.weekend, indonesia.workday_start, indonesia.workday_end = [6], "08:00", "17:00"
        db.session.commit()


def open_case_page(client, case) -> str:
    return client.get(f"/cases/{case.reference}").get_data(as_text=True)


def test_a_reopened_case_must_be_acknowledged_again_in_time(programme, text, sweep, client, sign_in):
    with time_machine.travel(FRIDAY_JAKARTA, tick=False):
        case = text("Upah lembur bulan Juli tidak dibayar")
        sign_in("ani@example.org", factories.PASSWORD)
        client.post(f"/cases/{case.reference}/resolve", data={
            **case_form(open_case_page(client, case)), "resolve-outcome_code": "remedied", "resolve-confirm": "y", "resolve-outcome": "Sudah dibayar."})
    reopened_at = FRIDAY_JAKARTA + timedelta(days=6)  # Thursday 20 August, 16:00
    with time_machine.travel(reopened_at, tick=False):
        text("2")  # not satisfied
        page = open_case_page(client, case)
    case = db.session.get(Case, case.id)
    assert case.status == "reopened" and case.acknowledged_at is None
    assert local(case.acknowledge_by, "Asia/Jakarta") == "Sat 22 Aug 16:00"  # Saturday is a working day
    assert f'action="/cases/{case.reference}/acknowledge"' in page
    sweep(case.acknowledge_by + timedelta(minutes=1))
    case = db.session.get(Case, case.id)
    assert case.escalation_level == 1 and case.acknowledge_overdue_at is not None


def test_missing_both_deadlines_at_once_climbs_one_level_and_tells_the_advisor(programme, text, sweep):
    with time_machine.travel(FRIDAY_JAKARTA, tick=False):
        case = text("Upah lembur bulan Juli tidak dibayar")
    sweep(case.resolve_by + timedelta(hours=1))  # the sweep was down for weeks
    case = db.session.get(Case, case.id)
    assert case.escalation_level == 1 and case.acknowledge_overdue_at and case.resolve_overdue_at
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "escalated")))
    assert user_id("own-advisor@example.org") in told and user_id("manager@example.org") not in told


def test_resolving_while_waiting_for_her_does_not_count_the_wait(programme, text, client, sign_in):
    with time_machine.travel(FRIDAY_JAKARTA, tick=False):
        case = text("Upah lembur bulan Juli tidak dibayar")
    original = case.resolve_by
    with time_machine.travel(FRIDAY_JAKARTA + timedelta(days=1), tick=False):
        sign_in("ani@example.org", factories.PASSWORD)
        client.post(f"/cases/{case.reference}/reply", data={
            **case_form(open_case_page(client, case)), "reply-template": "followup_more_info",
            "reply-wait": "y"})
    resolved_at = original + timedelta(days=5)  # she never answered; resolved late by the calendar
    with time_machine.travel(resolved_at, tick=False):
        client.post(f"/cases/{case.reference}/resolve", data={
            **case_form(open_case_page(client, case)), "resolve-outcome_code": "remedied", "resolve-confirm": "y", "resolve-outcome": "Dibayar tanggal 20."})
    db.session.expire_all()
    case = db.session.get(Case, case.id)
    assert case.status == "resolved" and case.resolved_in_time is True
    assert case.paused_seconds == int((resolved_at - FRIDAY_JAKARTA - timedelta(days=1)).total_seconds())
    assert case.seconds_to_resolve == 86400  # the day before she was asked; her silence is not counted
    assert case.seconds_to_acknowledge == 86400  # the question acknowledged it


def test_the_sweep_and_a_committee_member_never_overwrite_each_other(programme, make_app, text):
    from sqlalchemy.orm.exc import StaleDataError

    from grievance.workflows.deadlines import acknowledge

    with time_machine.travel(FRIDAY_JAKARTA, tick=False):
        case = text("Upah lembur bulan Juli tidak dibayar")
    late = case.acknowledge_by + timedelta(minutes=1)
    seen = db.session.get(Case, case.id)  # the committee member opened the case …
    with make_app().app_context(), time_machine.travel(late, tick=False):
        sweep_deadlines()  # … the sweep escalated it meanwhile …
    with time_machine.travel(late, tick=False):
        acknowledge(db.session, seen, None, late)  # … and her click, on what she saw, fails
        with pytest.raises(StaleDataError):
            db.session.commit()
        db.session.rollback()
        fresh = db.session.get(Case, case.id)
        assert fresh.escalation_level == 1
        assert acknowledge(db.session, fresh, None, late)  # looking again, she acknowledges (late)
        db.session.commit()
    assert db.session.get(Case, case.id).acknowledged_in_time is False


def test_a_member_moved_to_another_factory_is_no_longer_told_about_her_old_cases(programme, text, sweep, client,
                                                                                   sign_in):
    from grievance.models import Membership

    with time_machine.travel(FRIDAY_JAKARTA, tick=False):
        case = text("Upah lembur bulan Juli tidak dibayar")
    # A notification about her factory's case waits to be read and mailed …
    db.session.add(Notification(user_id=user_id("ani@example.org"), case_id=case.id, kind="reminder",
                                deadline="acknowledge", created_at=utcnow(), data={}))
    # … when she moves to another factory's committee.
    factories.factory(code="IDN-0002", name="PT Lain Tekstil", number="+622150000002")
    membership = db.session.scalars(select(Membership).where(Membership.user_id == user_id("ani@example.org"))).one()
    membership.factory_id = db.session.scalar(select(Factory.id).where(Factory.code == "IDN-0002"))
    db.session.commit()
    printed = sweep(utcnow())
    assert "mail to ani@example.org" not in printed, printed
    sign_in("ani@example.org", factories.PASSWORD)
    page = client.get("/notifications").get_data(as_text=True)
    assert case.reference not in page and 'class="badge"' not in page


def test_a_case_that_cannot_be_swept_does_not_hold_up_the_others(programme, text, sweep, monkeypatch, caplog):
    from grievance.access.people import People

    with time_machine.travel(FRIDAY_JAKARTA, tick=False):
        broken, fine = text("Upah lembur bulan Juli tidak dibayar"), text("Gaji dipotong", sender="+6281311112222")
    real = People.for_level

    def failing_for_one(self, case, role):
        if case.id == broken.id:
            raise RuntimeError("bad data")
        return real(self, case, role)

    monkeypatch.setattr(People, "for_level", failing_for_one)
    printed = sweep(fine.acknowledge_by + timedelta(minutes=1))
    assert "escalations=1" in printed and "failed=1" in printed
    assert db.session.get(Case, fine.id).escalation_level == 1
    assert db.session.get(Case, broken.id).escalation_level == 0  # still due: the next sweep tries again
    assert f"case {broken.id} failed and stays due" in caplog.text


def test_a_case_acknowledged_in_time_is_not_escalated_by_the_sweep_and_a_late_one_is(programme_rows, session, now):
    from grievance.workflows.deadlines import acknowledge, sweep

    on_time = factories.case(now=now)
    late = factories.case(phone="+6281311112222", body="Gaji dipotong", now=now)
    assert on_time.acknowledge_by == late.acknowledge_by > now
    assert acknowledge(session, on_time, None, on_time.acknowledge_by - timedelta(hours=1))
    session.commit()

    ids = on_time.id, late.id
    report = sweep(session, late.acknowledge_by + timedelta(minutes=1))
    assert report.escalations == 1
    on_time, late = (session.get(Case, case_id) for case_id in ids)  # the sweep lets go of what it swept
    assert (on_time.acknowledged_in_time, on_time.escalation_level) == (True, 0)
    assert late.escalation_level == 1 and late.acknowledge_overdue_at is not None
