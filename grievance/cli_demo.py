"""`flask demo-data` and `flask demo-clock`: a demo in which a newcomer sees, within minutes, a
case overdue and escalated, a factory manager's view and an advisor case.

demo-data opens a few cases for made-up workers (numbers in a range no phone has): one opened
ten days ago and never acknowledged, which the first sweep round (within a minute of `make demo`)
marks late and escalates to the advisors; one just opened; one where the worker gave her name
(so the factory manager reads her words); one for the advisors only. demo-clock moves every
case's clock back, as if that much time had passed, so the sweep acts on the others too.
"""

from __future__ import annotations

import re
from datetime import timedelta

import click
from flask import Flask, current_app
from sqlalchemy import func, select

from grievance.cli import add_factory, add_user
from grievance.extensions import db
from grievance.models import Case, CaseEvent, ChannelEndpoint, Factory, Message, Notification, Worker
from grievance.models.base import UTCDateTime, utcnow

DEMO_PASSWORD = "demo-password-picc"
# (email, name, role, factory, country, buyer organisation, language, what she sees)
DEMO_PEOPLE = (
    ("picc@example.org", "Ani (PICC)", "picc", "IDN-0001", None, None, "id", "/queue"),
    ("picc-kh@example.org", "Sophea (PICC)", "picc", "KHM-0001", None, None, "km", "/queue"),
    ("advisor@example.org", "Dewi (advisor)", "advisor", None, "ID", None, "id", "/queue"),
    ("manager@example.org", "Budi (programme manager)", "programme_manager", None, "ID", None, "en", "/queue"),
    ("admin@example.org", "Admin", "admin", None, None, None, "en", "/admin/"),
    ("factory@example.org", "Sari (factory manager)", "factory_manager", "IDN-0001", None, None, "id", "/factory"),
    ("buyer@example.org", "Bea (buyer)", "buyer", None, None, "Demo Brand", "en", "/buyers"),
)
# (days ago, category, anonymous, what she wrote); +62 812 0000 00xx: made-up numbers.
DEMO_CASES = (
    (10, "wages", True, "Upah lembur bulan lalu belum dibayar."),
    (0, "hours_leave", True, "Kami disuruh lembur setiap Sabtu tanpa pilihan."),
    (0, "safety_health", False, "Pintu darurat di lantai dua dikunci. Nama saya Rina, saya mau bicara dengan komite."),
    (0, "harassment_violence", True, "Mandor membentak dan mendorong saya di depan teman-teman."),
)


def register_demo_commands(app: Flask) -> None:
    app.cli.add_command(demo_data)
    app.cli.add_command(demo_clock)


def _base_url() -> str:
    return (current_app.config.get("PUBLIC_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")


@click.command("demo-data")
def demo_data():
    """Seed a demo factory in Indonesia and one in Cambodia, a person of each role and a few cases."""
    from grievance.access.grants import grant, organisation_for

    indonesian = add_factory("IDN-0001", "PT Contoh Garmen", "ID", "Asia/Jakarta", ["+622150000001"])
    add_factory("KHM-0001", "Sample Garment Co. Ltd", "KH", "Asia/Phnom_Penh", ["+85523900001"])
    for email, name, role, factory, country, buyer, language, _page in DEMO_PEOPLE:
        add_user(email, name, DEMO_PASSWORD, role, factory, country, buyer, language)
    grant(indonesian, organisation_for("Demo Brand"), by=None)
    neighbours = [add_factory(code, name, "ID", "Asia/Jakarta", [number]) for code, name, number in DEMO_NEIGHBOURS]
    db.session.commit()
    opened = _demo_cases(indonesian)
    history = sum(_demo_history(factory, index) for index, factory in enumerate([indonesian, *neighbours]))
    db.session.commit()
    if history:
        from grievance.summaries import facts

        facts.rebuild(db.session, utcnow())
    surveyed = _demo_surveys([indonesian, *neighbours])
    db.session.commit()
    base = _base_url()
    click.echo("Demo data ready." + (f" {opened} demo cases opened, one of them 10 days ago and never "
                                     "acknowledged: the first sweep round escalates it." if opened else ""))
    if history:
        click.echo(f"  {history} past cases over the last {HISTORY_MONTHS} months in four Indonesian factories: "
                   "the figures on /buyers, /factory/summary and /programme.")
    if surveyed:
        click.echo(f"  A survey answered by {surveyed} of those workers six weeks ago: {base}/surveys "
                   "(advisor@example.org); text SURVEI from the simulator to be sent the next run.")
    click.echo(f"  Text as a worker:  {base}/simulator  (PT Contoh Garmen: +62 21 5000 0001)")
    click.echo(f"  Sign in at {base}/login, every demo person with the password {DEMO_PASSWORD}:")
    for email, name, _role, _factory, _country, _buyer, _language, page in DEMO_PEOPLE:
        click.echo(f"    {email:<22} {name:<26} {base}{page}")
    click.echo("  Make time pass: flask --app grievance demo-clock advance 2d  (then the sweep acts within a minute)")

# Other factories of the country, so that a factory's figures can be set against the country's.
DEMO_NEIGHBOURS = (("IDN-0002", "PT Jahit Sejahtera", "+622150000002"),
                   ("IDN-0003", "PT Benang Emas", "+622150000003"),
                   ("IDN-0004", "PT Kain Nusantara", "+622150000004"))
HISTORY_MONTHS = 9
HISTORY_CATEGORIES = ("wages", "wages", "wages", "hours_leave", "hours_leave", "safety_health", "contracts_dismissal",
                      "discrimination", "other", "harassment_violence")
HISTORY_OUTCOMES = ("remedied", "remedied", "remedied", "partly_remedied", "not_upheld", "referred")


def _demo_history(factory: Factory, index: int) -> int:
    """Past cases of made-up workers (+62 813 …), each month of the last HISTORY_MONTHS, most
    acknowledged and resolved, some late, some rated: what the summaries are drawn from. Once:
    none if the factory already has cases from before this month."""
    import random

    from grievance.models.case import CLOSED, RESOLVED
    from grievance.models.message import INBOUND, PROCESSED
    from grievance.privacy import vault
    from grievance.workflows.deadlines import schedule
    from grievance.workflows.workers import find_or_create_worker
    from grievance.workflows.intake import open_case

    now = utcnow()
    if db.session.scalar(select(func.count(Case.id)).where(Case.factory_id == factory.id,
                                                           Case.opened_at < now - timedelta(days=31))):
        return 0
    rng = random.Random(f"{factory.code}-history")  # the same demo every time
    endpoint = db.session.scalar(select(ChannelEndpoint).where(ChannelEndpoint.factory_id == factory.id))
    made = 0
    for month in range(1, HISTORY_MONTHS + 1):
        for n in range(rng.randint(3, 16)):
            opened = now - timedelta(days=30 * month + rng.uniform(0, 29), hours=rng.uniform(0, 8))
            repeat = made and rng.random() < 0.15
            number = f"+62813{index}{rng.randint(0, made - 1) if repeat else made:05d}"
            worker = find_or_create_worker(db.session, number, vault(), factory.country_code, opened)
            worker.language = "id"
            message = Message(direction=INBOUND, provider="simulator", channel=endpoint.channel, endpoint=endpoint,
                              worker_id=worker.id, body="(demo)", body_normalized="(demo)", language="id",
                              status=PROCESSED, created_at=opened, processed_at=opened)
            db.session.add(message)
            db.session.flush()
            case = open_case(db.session, worker=worker, endpoint=endpoint, factory=factory, language="id",
                             now=opened, category=rng.choice(HISTORY_CATEGORIES), message_ids=[message.id],
                             anonymous=rng.random() < 0.7)
            late = rng.random() < 0.15 + 0.1 * index  # the neighbours answer less promptly
            case.acknowledged_at = opened + timedelta(hours=rng.uniform(60, 120) if late else rng.uniform(1, 30))
            case.status = CLOSED if rng.random() < 0.6 else RESOLVED
            case.resolved_at = case.acknowledged_at + timedelta(days=rng.uniform(12, 30) if late else rng.uniform(1, 9))
            case.closed_at = case.resolved_at if case.status == CLOSED else None
            case.outcome_code = rng.choice(HISTORY_OUTCOMES)
            case.outcome = case.outcome_code
            case.satisfied = rng.random() < 0.75 if rng.random() < 0.6 else None
            case.escalation_level = 1 if late and rng.random() < 0.5 else 0
            schedule(case)
            made += 1
    return made


DEMO_SURVEY = {
    "title": "Drinking water, overtime pay and the canteen",
    "intro": {"id": "Survei singkat dari program (3 pertanyaan). Jawaban Anda tidak disebut namanya.",
              "en": "A short survey from the programme (3 questions). Your answers are never shown with your name."},
    "thanks": {"id": "Terima kasih atas jawaban Anda.", "en": "Thank you for your answers."},
    "questions": (
        ("yes_no", None, {"id": "Apakah ada air minum di setiap lantai? 1 ya, 2 tidak",
                          "en": "Is there drinking water on every floor? 1 yes, 2 no"}),
        ("yes_no", None, {"id": "Apakah lembur bulan lalu sudah dibayar? 1 ya, 2 tidak",
                          "en": "Were you paid for last month's overtime? 1 yes, 2 no"}),
        ("scale", 5, {"id": "Beri nilai kantin dari 1 (buruk) sampai 5 (baik).",
                      "en": "Rate the canteen from 1 (bad) to 5 (good)."}),
    ),
}


def _demo_surveys(factories: list[Factory]) -> int:
    """A survey of the Indonesian factories, sent six weeks ago to the workers of their past
    cases (subscribed as from a roster) and answered by most: what /surveys shows. Once."""
    import random

    from grievance.models import Survey, SurveyAnswer, SurveyDelivery, SurveyQuestion, SurveyRun
    from grievance.models.survey import ANSWERED, FINISHED, ROSTER, UNANSWERED
    from grievance.workflows.surveys.consent import subscribe

    if db.session.scalar(select(Survey.id).where(Survey.title == DEMO_SURVEY["title"])):
        return 0
    now, rng = utcnow(), random.Random("demo-survey")
    sent_at = now - timedelta(days=42)
    survey = Survey(kind="survey", title=DEMO_SURVEY["title"], country_code="ID", intro=DEMO_SURVEY["intro"],
                    thanks=DEMO_SURVEY["thanks"], created_at=sent_at, updated_at=sent_at,
                    questions=[SurveyQuestion(position=n, kind=kind, scale_max=top, text=text)
                               for n, (kind, top, text) in enumerate(DEMO_SURVEY["questions"], start=1)])
    db.session.add(survey)
    db.session.flush()
    answered = 0
    for index, factory in enumerate(factories):
        endpoint = db.session.scalar(select(ChannelEndpoint).where(ChannelEndpoint.factory_id == factory.id))
        worker_ids = sorted(set(db.session.scalars(select(Case.worker_id).where(Case.factory_id == factory.id))))
        run = SurveyRun(survey_id=survey.id, factory_id=factory.id, country_code="ID", status=FINISHED,
                        plan={"recipients": len(worker_ids)}, created_at=sent_at, started_at=sent_at,
                        finished_at=sent_at + timedelta(days=3))
        db.session.add(run)
        db.session.flush()
        for worker_id in worker_ids:
            worker = db.session.get(Worker, worker_id)
            subscribe(db.session, worker=worker, factory_id=factory.id, source=ROSTER, channel="sms", language="id",
                      consent_where="Demo: workers' meeting", consent_at=sent_at - timedelta(days=7), now=sent_at)
            replied = rng.random() < 0.8
            db.session.add(SurveyDelivery(run_id=run.id, worker_id=worker_id, endpoint_id=endpoint.id, language="id",
                                          status=ANSWERED if replied else UNANSWERED, sent_at=sent_at,
                                          answered_at=sent_at + timedelta(hours=2) if replied else None))
            if not replied:
                continue
            answered += 1
            water = rng.random() < 0.85 - 0.15 * index  # the neighbours less often
            paid = rng.random() < 0.75 - 0.1 * index
            for question, value in zip(survey.questions, ("yes" if water else "no", "yes" if paid else "no",
                                                          str(rng.choice((2, 3, 3, 4, 4, 5))))):
                db.session.add(SurveyAnswer(run_id=run.id, question_id=question.id, worker_id=worker_id,
                                            value=value, answered_at=sent_at + timedelta(hours=2)))
    return answered


def _demo_cases(factory: Factory) -> int:
    """The demo cases, once: none if the factory has cases already (demo-data may run again)."""
    from grievance.models.message import INBOUND, PROCESSED
    from grievance.privacy import vault
    from grievance.workflows.workers import find_or_create_worker
    from grievance.workflows.intake import open_case

    if db.session.scalar(select(func.count(Case.id)).where(Case.factory_id == factory.id)):
        return 0
    endpoint = db.session.scalar(select(ChannelEndpoint).where(ChannelEndpoint.factory_id == factory.id))
    for n, (days_ago, category, anonymous, words) in enumerate(DEMO_CASES):
        now = utcnow() - timedelta(days=days_ago)
        worker = find_or_create_worker(db.session, f"+6281200000{n + 10}", vault(), factory.country_code, now)
        worker.language = "id"
        message = Message(direction=INBOUND, provider="simulator", channel=endpoint.channel, endpoint=endpoint,
                          worker_id=worker.id, body=words, body_normalized=words, language="id",
                          status=PROCESSED, created_at=now, processed_at=now)
        db.session.add(message)
        db.session.flush()
        open_case(db.session, worker=worker, endpoint=endpoint, factory=factory, language="id", now=now,
                  category=category, message_ids=[message.id], anonymous=anonymous)
    return len(DEMO_CASES)


@click.group("demo-clock")
def demo_clock():
    """Move the demo's clock (development only)."""


def _span(value: str) -> timedelta:
    match = re.fullmatch(r"(\d{1,3})([dhm])", value.strip().lower())
    if not match:
        raise click.BadParameter("a span like 2d, 5h or 30m")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(days=amount) if unit == "d" else timedelta(hours=amount) if unit == "h" \
        else timedelta(minutes=amount)


@demo_clock.command("advance")
@click.argument("span")
def demo_clock_advance(span: str):
    """As if SPAN (2d, 5h, 30m) had passed for every case: its times and deadlines move back."""
    if current_app.config["GRIEVANCE_ENV"] != "development":
        raise click.ClickException("demo-clock moves every case's times: only with GRIEVANCE_ENV=development")
    delta = _span(span)
    cases = db.session.scalars(select(Case)).all()
    for model, rows in ((Case, cases), (CaseEvent, db.session.scalars(select(CaseEvent)).all()),
                        (Message, db.session.scalars(select(Message).where(Message.case_id.is_not(None))).all()),
                        (Notification, db.session.scalars(select(Notification)).all())):
        columns = [c.key for c in model.__table__.columns if isinstance(c.type, UTCDateTime)]
        for row in rows:
            for column in columns:
                value = getattr(row, column)
                if value is not None:
                    setattr(row, column, value - delta)
    db.session.commit()
    click.echo(f"{len(cases)} cases moved {span} back in time; the next sweep round (within a minute) acts on "
               "what is now late.")
