"""Rotating the data key and the lookup hash key: nothing becomes unreadable, no worker is lost
or doubled, an interrupted rotation is run again, and the old keys can then be dropped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from flask import current_app
from sqlalchemy import func, select

from grievance.channels.base import InboundMessage
from grievance.channels.ingest import spool
from grievance.models import Case, Message, Worker
from grievance.privacy import PhoneVault, vault
from grievance.workflows import key_rotation
from grievance.workflows.workers import find_or_create_worker
from grievance.workflows.key_rotation import rotate_keys
from tests.workflows.test_conversations import _factories_and_a_hotline

SITI, DEWI = "+6281298765432", "+6281311112222"


@pytest.fixture
def keys(workflow_app, tmp_path, monkeypatch):
    monkeypatch.setitem(workflow_app.config, "SPOOL_DIR", str(tmp_path / "spool"))
    old = workflow_app.config["GRIEVANCE_DATA_KEY"]
    new, new_hash = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    return {
        "old": vault(),
        # the new keys in place, the old one still listed: what an operator sets before rotating
        "rotating": PhoneVault(new, previous_data_keys=(old,), hash_key=new_hash),
        # the old key removed once the rotation is done
        "new": PhoneVault(new, hash_key=new_hash),
    }


def _two_workers_one_named(receive):
    _factories_and_a_hotline()
    for body in ("Tolong saya", "3", "1", "Siti Aminah", "2"):  # safety; she gives her name; no danger now
        receive(body, sender=SITI)
    receive("Gaji saya dipotong", sender=DEWI)  # an intake left open: the conversation holds no name yet


def test_a_rotation_interrupted_midway_is_run_again_and_the_old_key_can_go(session, receive, keys, monkeypatch):
    _two_workers_one_named(receive)
    spool(InboundMessage(provider="twilio", provider_id="SM" + "0" * 32, channel="sms", from_address=DEWI,
                         to_address="+622150000001", body="Tolong"))  # while the database was away
    named = session.scalars(select(Case).where(Case.name_encrypted.is_not(None))).one()
    assert keys["old"].decrypt(named.name_encrypted) == "Siti Aminah"

    # Interrupted after the first batch of workers (one worker per batch here).
    monkeypatch.setattr(key_rotation, "BATCH", 1)

    def stop(what, count):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        rotate_keys(session, keys["rotating"], progress=stop)
    session.rollback()

    # Meanwhile both workers are found, each as herself: one under the new hash, one under the old.
    rotating = keys["rotating"]
    siti = find_or_create_worker(session, SITI, rotating, "ID", named.opened_at)
    dewi = find_or_create_worker(session, DEWI, rotating, "ID", named.opened_at)
    session.commit()
    assert session.scalar(select(func.count()).select_from(Worker)) == 2
    assert {rotating.decrypt(siti.phone_encrypted), rotating.decrypt(dewi.phone_encrypted)} == {SITI, DEWI}

    left = rotate_keys(session, rotating, apply=False)
    assert sum(counts["rotated"] for counts in left.values()) > 0  # `keys check` says it is not done

    monkeypatch.setattr(key_rotation, "BATCH", 500)
    report = rotate_keys(session, rotating)  # run again: it finishes
    assert report["names on cases"]["rotated"] == 1 and report["spooled senders"]["rotated"] == 1
    assert all(counts["unreadable"] == 0 for counts in report.values())
    assert all(counts == {"rotated": 0, "unreadable": 0}
               for counts in rotate_keys(session, rotating, apply=False).values())

    # The old key removed: everything reads, everyone is found, nobody is doubled.
    new = keys["new"]
    session.expire_all()
    assert new.decrypt(session.get(Case, named.id).name_encrypted) == "Siti Aminah"
    for message in session.scalars(select(Message).where(Message.address_encrypted.is_not(None))):
        assert new.decrypt(message.address_encrypted) in (SITI, DEWI)
    assert find_or_create_worker(session, SITI, new, "ID", named.opened_at).id == siti.id
    assert find_or_create_worker(session, DEWI, new, "ID", named.opened_at).id == dewi.id
    assert session.scalar(select(func.count()).select_from(Worker)) == 2
    lines = (Path(current_app.config["SPOOL_DIR"]) / "inbound.jsonl").read_text().splitlines()
    assert [new.decrypt(json.loads(line)["from_address"]) for line in lines] == [DEWI]


def test_a_value_under_a_key_nobody_listed_is_counted_not_lost(session, receive, keys):
    _two_workers_one_named(receive)
    stranger = PhoneVault(Fernet.generate_key().decode())  # neither the old key nor the new
    report = rotate_keys(session, stranger, apply=False)
    assert report["worker numbers"]["unreadable"] == 2
    assert session.scalar(select(func.count()).select_from(Worker)) == 2
