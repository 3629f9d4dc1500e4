"""Test data built through the same functions the CLI uses."""

from __future__ import annotations

from grievance.cli import add_factory, add_user
from grievance.extensions import db

PASSWORD = "correct horse battery"


def factory(code="IDN-0001", name="PT Contoh Garmen", country="ID", number="+622150000001", timezone=None):
    made = add_factory(code, name, country, timezone, [number])
    db.session.commit()
    return made


def picc_member(email="ani@example.org", factory_code="IDN-0001", language=None):
    user = add_user(email, "Ani", PASSWORD, "picc", factory_code, None, None, language)
    db.session.commit()
    return user


def advisor(email="adv@example.org", country="ID"):
    user = add_user(email, "Advisor", PASSWORD, "advisor", None, country, None, None)
    db.session.commit()
    return user
