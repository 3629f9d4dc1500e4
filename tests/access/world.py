"""A small world for access tests: two factories in Indonesia, one in Cambodia, a person of
every role, and cases on both routes, built directly (no messages travel)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from grievance.access.grants import grant, organisation_for
from grievance.cli import add_factory, add_user
from grievance.extensions import db
from grievance.models import Case, ChannelEndpoint, Message, Worker
from grievance.models.base import utcnow
from grievance.models.case import ROUTE_ADVISOR, ROUTE_PICC
from grievance.privacy import vault

PASSWORD = "correct horse battery"
ROLES = ("picc", "factory_manager", "advisor_country", "advisor_factory", "programme_manager", "buyer", "admin")
WORDS = "Upah lembur tidak dibayar"  # what the worker wrote, on every case


@dataclass
class World:
    cases: dict[str, Case] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    factories: dict[str, object] = field(default_factory=dict)


def _case(factory, route: str, n: int, *, anonymous: bool = True) -> Case:
    worker = Worker(phone_hash=f"hash-{n}", phone_encrypted="x", pseudonym=f"W-TEST{n}", language="id")
    db.session.add(worker)
    db.session.flush()
    now = utcnow()
    case = Case(reference=f"{factory.country_code}-ACC00{n}", factory_id=factory.id, country_code=factory.country_code,
                worker_id=worker.id, category="wages", route=route, language="id", opened_at=now,
                acknowledge_by=now + timedelta(days=2), resolve_by=now + timedelta(days=21), anonymous=anonymous,
                name_encrypted=None if anonymous else vault().encrypt("Siti"), due_at=now + timedelta(days=2))
    db.session.add(case)
    db.session.flush()
    endpoint = db.session.query(ChannelEndpoint).filter_by(factory_id=factory.id).first()
    db.session.add(Message(direction="inbound", provider="simulator", channel="sms", endpoint_id=endpoint.id,
                           worker_id=worker.id, case_id=case.id, body=WORDS, language="id", status="processed",
                           media=[{"url": "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1",
                                   "content_type": "image/jpeg"}]))
    return case


def build() -> World:
    world = World()
    a = world.factories["A"] = add_factory("IDN-0001", "PT Contoh Garmen", "ID", None, ["+622150000001"])
    b = world.factories["B"] = add_factory("IDN-0002", "PT Lain Tekstil", "ID", None, ["+622150000002"])
    c = world.factories["C"] = add_factory("KHM-0001", "Sample Garment Co", "KH", None, ["+85523900001"])
    people = {
        "picc": ("picc", "IDN-0001", None, None),
        "factory_manager": ("factory_manager", "IDN-0001", None, None),
        "advisor_country": ("advisor", None, "ID", None),
        "advisor_factory": ("advisor", "IDN-0001", None, None),
        "programme_manager": ("programme_manager", None, "ID", None),
        "buyer": ("buyer", None, None, "Acme Brands"),
        "admin": ("admin", None, None, None),
    }
    for name, (role, factory_code, country, buyer) in people.items():
        email = world.emails[name] = f"{name.replace('_', '-')}@example.org"
        add_user(email, name, PASSWORD, role, factory_code, country, buyer, "en")
    grant(a, organisation_for("Acme Brands"), by=None)
    world.cases = {
        "own_committee": _case(a, ROUTE_PICC, 1),
        "own_advisor": _case(a, ROUTE_ADVISOR, 2),
        "other_factory": _case(b, ROUTE_PICC, 3),
        "other_country": _case(c, ROUTE_PICC, 4),
        "own_committee_named": _case(a, ROUTE_PICC, 5, anonymous=False),
        "own_advisor_named": _case(a, ROUTE_ADVISOR, 6, anonymous=False),
    }
    db.session.commit()
    return world
