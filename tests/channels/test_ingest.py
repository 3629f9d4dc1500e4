"""With the database down, the webhook still answers 200 and the message waits in the spool."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import select

from grievance.channels.ingest import replay_spool
from grievance.extensions import db
from grievance.models import Case, ChannelEndpoint, Message
from tests import factories
from tests.conftest import inbound_params, sign


def test_a_message_arriving_while_the_database_is_down_is_spooled_then_replayed(app, make_app, test_root,
                                                                                 run_jobs):
    factories.factory()
    down = make_app(DATABASE_URL=f"sqlite:///{test_root}/no-such-dir/down.db")
    params = inbound_params("Upah lembur belum dibayar", sender="+6281298765432")
    url = "http://localhost/webhooks/twilio/messages"
    headers = {"X-Twilio-Signature": sign(url, params)}

    response = down.test_client().post("/webhooks/twilio/messages", data=params, headers=headers)
    spool_text = (test_root / "spool" / "inbound.jsonl").read_text()

    assert response.status_code == 200
    assert "+6281298765432" not in spool_text and "6281298765432" not in spool_text
    assert db.session.scalar(select(Message)) is None

    assert replay_spool() == 1
    assert replay_spool() == 0
    run_jobs()
    db.session.expire_all()
    assert db.session.scalar(select(Message).where(Message.direction == "inbound")).body == "Upah lembur belum dibayar"
    assert db.session.scalar(select(Case)) is not None


def test_a_postgresql_server_that_refuses_connections_has_the_message_spooled_not_a_500(
        app, make_app, test_root, monkeypatch, require_postgres, require_redis):
    """With the dispatcher, the INSERT takes a pooled connection itself: a server that is gone
    must still end in the spool (the pool raises the driver's own error there)."""
    import grievance.channels.ingest as ingest

    factories.factory()
    endpoint_id = db.session.scalar(select(ChannelEndpoint.id))
    down = make_app(DATABASE_URL="postgresql://postgres@127.0.0.1:1/grievance", INBOUND_DISPATCHER=True)
    # The number was found before the server went away: the process keeps it (ENDPOINT_CACHE_SECONDS).
    monkeypatch.setattr(ingest, "endpoint_id", lambda channel, address: endpoint_id)

    response = _post_to(down, "Pintu darurat dikunci")

    assert response.status_code == 200
    assert "Pintu darurat dikunci" in (test_root / "spool" / "inbound.jsonl").read_text()
    assert replay_spool() == 1
    db.session.expire_all()
    assert db.session.scalar(select(Message).where(Message.direction == "inbound")).body == "Pintu darurat dikunci"


def _post_to(app, body, sender="+6281298765432"):
    params = inbound_params(body, sender=sender)
    url = "http://localhost/webhooks/twilio/messages"
    return app.test_client().post("/webhooks/twilio/messages", data=params,
                                  headers={"X-Twilio-Signature": sign(url, params)})


def test_a_replay_that_fails_midway_keeps_the_rest_and_later_spools_join_it(app, make_app, test_root, run_jobs,
                                                                            monkeypatch):
    import grievance.channels.ingest as ingest

    factories.factory()
    down = make_app(DATABASE_URL=f"sqlite:///{test_root}/no-such-dir/down.db")
    for body in ("keluhan 1", "keluhan 2", "keluhan 3"):
        assert _post_to(down, body).status_code == 200

    real_store, calls = ingest._store, []

    def store_then_fail(inbound):
        calls.append(inbound.body)
        if len(calls) == 2:
            raise RuntimeError("database gone again")
        return real_store(inbound)

    monkeypatch.setattr(ingest, "_store", store_then_fail)
    try:
        replay_spool()
    except RuntimeError:
        pass
    monkeypatch.setattr(ingest, "_store", real_store)
    assert _post_to(down, "keluhan 4").status_code == 200  # spooled while the rest waits

    replay_spool()
    run_jobs()
    db.session.expire_all()
    bodies = sorted(db.session.scalars(select(Message.body).where(Message.direction == "inbound")))
    assert bodies == ["keluhan 1", "keluhan 2", "keluhan 3", "keluhan 4"]


def test_an_unreadable_spool_line_goes_to_the_dead_letter_file(app, test_root):
    factories.factory()
    spool_dir = test_root / "spool"
    spool_dir.mkdir(exist_ok=True)
    (spool_dir / "inbound.jsonl").write_text('{"truncated": \n')
    assert replay_spool() == 0
    assert "truncated" in (spool_dir / "dead-letter.jsonl").read_text()
    assert not (spool_dir / "inbound.jsonl").exists()



def _spool_path(app):
    from pathlib import Path

    return Path(app.config["SPOOL_DIR"]) / "inbound.jsonl"


def test_a_nul_character_in_a_message_keeps_her_words_and_is_marked(app, post_twilio, run_jobs):
    """PostgreSQL text cannot hold NUL: it is stored as U+FFFD, with the rest of her words."""
    factories.factory()
    response = post_twilio(inbound_params("Pintu darurat\x00 dikunci", sender="+6281298765432"))
    run_jobs()
    db.session.expire_all()
    assert response.status_code == 200
    assert db.session.scalar(select(Message.body).where(Message.direction == "inbound")) == \
        "Pintu darurat\ufffd dikunci"
    assert not _spool_path(app).exists()


def test_a_nul_character_in_another_field_is_refused_with_the_reason(app, post_twilio):
    factories.factory()
    params = inbound_params("Pintu darurat dikunci")
    params.update({"NumMedia": "1", "MediaUrl0": "https://api.twilio.com/x", "MediaContentType0": "image/png\x00"})
    response = post_twilio(params)
    assert response.status_code == 400
    assert "MediaContentType0" in response.get_json()["error"] and "NUL" in response.get_json()["error"]


def test_a_spooled_message_the_database_refuses_goes_to_the_dead_letters_and_the_rest_replays(
        app, post_twilio, run_jobs, require_postgres):
    from grievance.channels.base import InboundMessage
    from grievance.channels.ingest import spool

    factories.factory()
    for number, body in enumerate(("keluhan 1", "rusak\x00", "keluhan 3")):
        spool(InboundMessage(provider="twilio", provider_id=f"SM{number:032x}", channel="sms",
                             from_address="+6281298765432", to_address="+622150000001", body=body))
    first = post_twilio(inbound_params("keluhan 4"))
    later = post_twilio(inbound_params("keluhan 5"))
    run_jobs()
    db.session.expire_all()

    assert (first.status_code, later.status_code) == (200, 200)
    bodies = sorted(db.session.scalars(select(Message.body).where(Message.direction == "inbound")))
    assert bodies == ["keluhan 1", "keluhan 3", "keluhan 4", "keluhan 5"]
    assert not _spool_path(app).exists()
    assert "rusak" in (_spool_path(app).parent / "dead-letter.jsonl").read_text()
    assert app.test_cli_runner().invoke(args=["requeue"]).exit_code == 0


def test_spool_files_keep_mode_0600_after_a_partial_replay(app, make_app, test_root, monkeypatch):
    import grievance.channels.ingest as ingest

    factories.factory()
    previous = os.umask(0o022)
    try:
        down = make_app(DATABASE_URL=f"sqlite:///{test_root}/no-such-dir/down.db")
        for body in ("keluhan 1", "keluhan 2", "keluhan 3"):
            assert _post_to(down, body).status_code == 200
        with open(test_root / "spool" / "inbound.jsonl", "ab") as handle:
            handle.write(b"not json\n")
        real_store = ingest._store

        def store_then_fail(inbound):
            if inbound.body == "keluhan 2":
                raise RuntimeError("database gone again")
            return real_store(inbound)

        monkeypatch.setattr(ingest, "_store", store_then_fail)
        with pytest.raises(RuntimeError):
            replay_spool()
    finally:
        os.umask(previous)
    rest = test_root / "spool" / "inbound.jsonl"
    assert rest.read_text().count("\n") == 3  # keluhan 2, keluhan 3 and the unreadable line wait
    assert stat.S_IMODE(rest.stat().st_mode) == 0o600
    monkeypatch.setattr(ingest, "_store", real_store)
    previous = os.umask(0o022)
    try:
        replay_spool()
    finally:
        os.umask(previous)
    dead = test_root / "spool" / "dead-letter.jsonl"
    assert "not json" in dead.read_text()
    assert stat.S_IMODE(dead.stat().st_mode) == 0o600
