"""Test data built through the same functions the CLI and the workflows use, by keyword only.

These are plain functions, not factory-boy factories: a factory row is only valid through the
CLI's checks (a known country, numbers in international form, one factory per number), a user
only with a hashed password and a membership that is not there twice, and a case only with a
worker known by the vault's keyed hash, a route from the routing rules and deadlines from the
policies. Declaring those rows field by field would copy those rules into the tests and let
them drift; calling the code that writes them cannot.

Each builder commits (in the workflow tier, that releases a savepoint of the rolled-back
transaction) so that requests and jobs of pipeline tests see the rows too.
"""

from __future__ import annotations

from datetime import datetime

from grievance.cli import add_factory, add_user
from grievance.extensions import db
from grievance.models import Case, ChannelEndpoint, Factory, Message
from grievance.models.base import utcnow

PASSWORD = "correct horse battery"
WORKER_PHONE = "+6281298765432"


def factory(*, code: str = "IDN-0001", name: str = "PT Contoh Garmen", country: str = "ID",
            number: str | None = "+622150000001", numbers: list[str] | None = None,
            timezone: str | None = None) -> Factory:
    """A factory with its numbers (`whatsapp:+…` for a WhatsApp sender), as `factories add` makes it."""
    made = add_factory(code, name, country, timezone, numbers if numbers is not None else [number] if number else [])
    db.session.commit()
    return made


def user(*, email: str, role: str, name: str = "Ani", factory_code: str | None = None, country: str | None = None,
         buyer: str | None = None, language: str | None = None, password: str = PASSWORD):
    """Anyone with one role, as `users add` makes them."""
    made = add_user(email, name, password, role, factory_code, country, buyer, language)
    db.session.commit()
    return made


def picc_member(*, email: str = "ani@example.org", factory_code: str = "IDN-0001", name: str = "Ani",
                language: str | None = None):
    return user(email=email, role="picc", name=name, factory_code=factory_code, language=language)


def advisor(*, email: str = "adv@example.org", country: str | None = "ID", factory_code: str | None = None,
            name: str = "Advisor", language: str | None = None):
    """A country's advisor, or (with factory_code and country=None) one factory's."""
    return user(email=email, role="advisor", name=name, factory_code=factory_code, country=country,
                language=language)


def case(*, factory_code: str | None = "IDN-0001", to: str = "+622150000001", phone: str = WORKER_PHONE,
         body: str = "Upah lembur bulan Juli tidak dibayar", category: str = "wages", language: str = "id",
         danger: bool = False, anonymous: bool = True, channel: str = "sms", now: datetime | None = None) -> Case:
    """A case opened for a worker by her first message, without the webhook or the intake's
    questions: her worker row, the message (processed), the case with its route and deadlines."""
    from grievance.privacy import vault
    from grievance.workflows.workers import find_or_create_worker
    from grievance.workflows.intake import open_case
    from grievance.models.message import INBOUND, PROCESSED

    now = now or utcnow()
    session = db.session
    endpoint = session.query(ChannelEndpoint).filter_by(channel=channel, address=to).one()
    worker = find_or_create_worker(session, phone, vault(), endpoint.country_code, now)
    worker.language = language
    message = Message(direction=INBOUND, provider="twilio", provider_id=None, channel=channel, endpoint=endpoint,
                      worker_id=worker.id, body=body, body_normalized=body, language=language, status=PROCESSED,
                      created_at=now, processed_at=now)
    session.add(message)
    session.flush()
    made_factory = session.query(Factory).filter_by(code=factory_code).one() if factory_code else None
    made = open_case(session, worker=worker, endpoint=endpoint, factory=made_factory, language=language, now=now,
                     category=category, message_ids=[message.id], danger=danger, anonymous=anonymous)
    session.commit()
    return made


def inbound_message(*, body: str, sender: str = WORKER_PHONE, to: str = "+622150000001", channel: str = "sms",
                    now: datetime | None = None) -> Message:
    """A worker's message stored as the webhook stores it, then claimed as process_inbound claims it:
    what `workflows.inbound.handle_inbound` is given."""
    from grievance.models.message import INBOUND, PROCESSED
    from grievance.privacy import normalize_phone, vault

    now = now or utcnow()
    endpoint = db.session.query(ChannelEndpoint).filter_by(channel=channel, address=to).one()
    message = Message(direction=INBOUND, provider="twilio", provider_id=None, channel=channel, endpoint=endpoint,
                      address_encrypted=vault().encrypt(normalize_phone(sender)), body=body, status=PROCESSED,
                      created_at=now, processed_at=now)
    db.session.add(message)
    db.session.flush()
    return message
