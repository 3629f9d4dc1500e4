"""flask --app grievance <command> (and the `grievance` console script)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click
from flask import Flask
from sqlalchemy import select

from grievance.extensions import db
from grievance.models import ChannelEndpoint, Country, Factory, Membership, User
from grievance.models.user import ROLES
from grievance.i18n.worker import WORKER_LANGUAGES, WORKER_TEXTS
from grievance.privacy import InvalidPhoneNumber, normalize_phone

ROOT = Path(__file__).resolve().parent.parent


def register_commands(app: Flask) -> None:
    from grievance.cli_access import grants, tokens
    from grievance.cli_keys import keys
    from grievance.cli_summaries import summaries

    for command in (factories, users, tokens, grants, keys, translations, requeue, sweep, templates, sms_costs, summaries):
        app.cli.add_command(command)


def _fail(message: str) -> None:
    raise click.ClickException(message)


def _parse_number(value: str) -> tuple[str, str]:
    channel = "sms"
    if value.startswith("whatsapp:"):
        channel, value = "whatsapp", value[len("whatsapp:"):]
    try:
        return channel, normalize_phone(value)
    except InvalidPhoneNumber:
        _fail(f"not a phone number in international form: {value!r}")


def add_factory(code: str, name: str, country_code: str, timezone: str | None, numbers: list[str]) -> Factory:
    country = db.session.get(Country, country_code.upper())
    if country is None:
        _fail(f"unknown country {country_code!r}; run 'flask --app grievance db upgrade' first")
    factory = db.session.scalar(select(Factory).where(Factory.code == code))
    if factory is None:
        factory = Factory(code=code, name=name, country_code=country.code, timezone=timezone or country.timezone)
        db.session.add(factory)
        db.session.flush()
    for value in numbers:
        channel, address = _parse_number(value)
        existing = db.session.scalar(
            select(ChannelEndpoint).where(ChannelEndpoint.channel == channel, ChannelEndpoint.address == address)
        )
        if existing and existing.factory_id != factory.id:
            _fail(f"{value} already belongs to another factory")
        if not existing:
            db.session.add(ChannelEndpoint(channel=channel, address=address, factory_id=factory.id,
                                           country_code=country.code))
    return factory


def add_user(email: str, name: str, password: str, role: str, factory_code: str | None,
             country_code: str | None, buyer: str | None, language: str | None) -> User:
    """A user (made, or updated with a new password) and one more membership of hers. ``buyer``
    names the organisation of a buyer, made if it is new."""
    from grievance.access.grants import organisation_for
    from grievance.access.roles import scope_problem
    from grievance.passwords import PASSWORD_MIN_LENGTH, hash_password, password_problem

    if password_problem(password):
        _fail(f"the password needs {PASSWORD_MIN_LENGTH} to 200 characters")
    factory = None
    if factory_code:
        factory = db.session.scalar(select(Factory).where(Factory.code == factory_code))
        if factory is None:
            _fail(f"unknown factory {factory_code!r}")
    problem = scope_problem(role, factory=factory is not None, country=bool(country_code), organisation=bool(buyer))
    if problem:
        _fail(problem)
    email = email.strip().lower()
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, password_hash=hash_password(password), language=language)
        db.session.add(user)
        db.session.flush()
    else:
        from grievance.web.sessions import end_sessions

        user.name, user.password_hash = name, hash_password(password)
        user.language = language or user.language
        end_sessions(user)  # a new password: whoever held the old one is signed out
    from grievance.access.memberships import add_membership

    organisation = organisation_for(buyer) if buyer else None
    add_membership(db.session, user, role, factory=factory, country_code=country_code, organisation=organisation)
    return user


@click.group("factories")
def factories() -> None:
    """Factories and their numbers."""


@factories.command("add")
@click.option("--code", required=True)
@click.option("--name", required=True)
@click.option("--country", "country_code", required=True)
@click.option("--timezone")
@click.option("--number", "numbers", multiple=True, help="+62…, or whatsapp:+62… for WhatsApp")
def factories_add(code, name, country_code, timezone, numbers):
    """Add a factory (or add numbers to an existing one)."""
    factory = add_factory(code, name, country_code, timezone, list(numbers))
    db.session.commit()
    click.echo(f"factory {factory.code} ({factory.name}) with {len(factory.endpoints)} number(s)")


@click.group("users")
def users() -> None:
    """People who sign in."""


@users.command("add")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--factory", "factory_code")
@click.option("--country", "country_code")
@click.option("--buyer")
@click.option("--language")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
def users_add(email, name, role, factory_code, country_code, buyer, language, password_stdin):
    """Add a user, or a role to an existing user."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else click.prompt(
        "Password", hide_input=True, confirmation_prompt=True)
    user = add_user(email, name, password, role, factory_code, country_code, buyer, language)
    db.session.commit()
    click.echo(f"user {user.email}: {', '.join(m.role for m in user.memberships)}")


def deactivate_user(user: User) -> None:
    """She can no longer sign in, and every session she has ends now."""
    from grievance.web.sessions import end_sessions

    user.active = False
    end_sessions(user)


@users.command("deactivate")
@click.option("--email", required=True)
def users_deactivate(email):
    """Deactivate a user: she can no longer sign in and her open sessions end."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        _fail(f"no user {email!r}")
    deactivate_user(user)
    db.session.commit()
    click.echo(f"user {user.email}: deactivated, signed out everywhere")


@click.command("requeue")
def requeue():
    """Replay the spool and hand unprocessed messages to jobs again (what cron runs)."""
    from grievance.tasks.rounds import requeue_stale

    click.echo(requeue_stale())


@click.command("sweep")
def sweep():
    """Run the deadline sweep once (what cron runs every minute), then mail what it told people."""
    from grievance.tasks.rounds import email_notifications, sweep_deadlines

    report = sweep_deadlines(mail=False)  # mailed here, not by a job that may outlive the command
    click.echo(" ".join(f"{name}={value}" for name, value in report.items()))
    click.echo(f"mails={email_notifications()}")


@click.group("translations")
def translations() -> None:
    """Babel catalogs in translations/."""


def _pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], check=True, cwd=ROOT)


@translations.command("extract")
def translations_extract():
    _pybabel("extract", "-F", "babel.cfg", "-k", "_l", "-k", "N_", "-o", "translations/messages.pot", "--no-location",
             "--sort-output", "grievance")


@translations.command("update")
def translations_update():
    _pybabel("update", "-i", "translations/messages.pot", "-d", "translations", "--no-fuzzy-matching")


@translations.command("compile")
def translations_compile():
    _pybabel("compile", "-d", "translations", "--statistics")


@translations.command("check")
def translations_check():
    """Fail unless every language's compiled catalog is there, current and complete (the release runs it)."""
    from grievance.language.catalogs import catalog_dir, worker_catalog_problems

    problems = worker_catalog_problems()
    if problems:
        _fail("the translations are not usable, workers would read English:\n  " + "\n  ".join(problems))
    click.echo(f"translations: {len(WORKER_LANGUAGES)} languages compiled and current in {catalog_dir()}")


@click.group("templates")
def templates() -> None:
    """Approved WhatsApp templates (Twilio Content API), by purpose and language."""


@templates.command("add")
@click.option("--purpose", required=True, type=click.Choice(sorted(WORKER_TEXTS)))
@click.option("--language", required=True, type=click.Choice(WORKER_LANGUAGES))
@click.option("--content-sid", required=True, help="HX… of an approved template")
@click.option("--variables", default="", help="message variables in the order of {{1}}, {{2}}…, e.g. reference,date")
@click.option("--no-verify", is_flag=True, help="do not ask Twilio's Content API whether the template exists")
def templates_add(purpose, language, content_sid, variables, no_verify):
    """Use a template for a purpose and language outside WhatsApp's 24-hour window."""
    from grievance.channels.twilio.sender import twilio_client
    from grievance.models import MessageTemplate

    names = [name.strip() for name in variables.split(",") if name.strip()]
    if not no_verify:
        from twilio.base.exceptions import TwilioRestException

        try:
            content = twilio_client().content.v1.contents(content_sid).fetch()
        except TwilioRestException as error:
            _fail(f"Twilio's Content API does not know {content_sid}: {error.status}")
        click.echo(f"found {content.sid} ({content.friendly_name}, {content.language})")
    template = db.session.scalar(
        select(MessageTemplate).where(MessageTemplate.purpose == purpose, MessageTemplate.language == language))
    if template is None:
        template = MessageTemplate(purpose=purpose, language=language)
        db.session.add(template)
    template.content_sid, template.variable_names = content_sid, names
    db.session.commit()
    click.echo(f"{purpose} in {language}: {content_sid} with variables {names}")


@click.command("sms-costs")
@click.option("--over-budget", is_flag=True, help="list only texts over their segment budget (exit 1 if any)")
def sms_costs(over_budget):
    """Every worker-facing text in every language with its encoding and SMS segments, as sent
    (signed replies with their signature)."""
    from datetime import datetime, timezone

    from grievance.channels.segments import segment_info
    from grievance.language.keywords import OPT_IN, OPT_OUT, SURVEYS_OFF, SURVEYS_ON, keyword_for
    from grievance.i18n.pages import LANGUAGE_NAMES
    from grievance.i18n.worker import SEGMENT_BUDGET, SIGNED_PURPOSES, signed_text, worker_date, worker_text

    # The keyword each text tells her to reply with (the others name the opt-out word).
    keyword_named = {"opt_out": OPT_IN, "survey_subscribed": SURVEYS_OFF, "survey_unsubscribed": SURVEYS_ON,
                     "survey_own_number": SURVEYS_ON}
    over = 0
    click.echo(f"{'purpose':<16} {'lang':<5} {'encoding':<8} {'units':>5} {'segments':>8} {'budget':>6}")
    for purpose in sorted(WORKER_TEXTS):
        for language in WORKER_LANGUAGES:
            sample = {
                "reference": "KH-7Q4K2M",
                "date": worker_date(datetime(2026, 11, 24, 9, tzinfo=timezone.utc), "Asia/Jakarta", language),
                "keyword": keyword_for(keyword_named.get(purpose, OPT_OUT), language),
                "top": "10",
                "choices": "1 Bahasa Indonesia, 2 English",
                "outcome": "We paid the overtime on 20 November.",
                "status": worker_text("status_handled", language),
                "language_name": LANGUAGE_NAMES[language],
            }
            text = worker_text(purpose, language, **sample)
            # What is really sent: a signed reply with its signature (the costlier one, when
            # both the committee and the advisors send it).
            info = max((segment_info(signed_text(text, language, advisors=advisors))
                        for advisors in SIGNED_PURPOSES.get(purpose, ())),
                       key=lambda cost: (cost.segments, cost.units), default=segment_info(text))
            budget = SEGMENT_BUDGET[purpose]
            over += info.segments > budget
            if over_budget and info.segments <= budget:
                continue
            flag = "  OVER" if info.segments > budget else ""
            click.echo(f"{purpose:<16} {language:<5} {info.encoding:<8} {info.units:>5} {info.segments:>8} "
                       f"{budget:>6}{flag}")
    if over_budget and over:
        raise SystemExit(1)
