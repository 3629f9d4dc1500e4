"""With the database down, the webhook still answers 200 and the message waits in the spool."""

from __future__ import annotations

from sqlalchemy import select

from grievance.channels.ingest import replay_spool
from grievance.extensions import db
from grievance.models import Case, Message
from tests import factories
from tests.conftest import inbound_params, sign


def test_a_message_arriving_while_the_database_is_down_is_spooled_then_replayed(app, make_app, test_root,
                                                                                 run_jobs):
    factories.factory()
    down = make_app(DATABASE_URL=f"sqlite:///{test_root}/no-such-dir/down.db")
    params = inbound_params("Pintu darurat dikunci", sender="+6281298765432")
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
    assert db.session.scalar(select(Message).where(Message.direction == "inbound")).body == "Pintu darurat dikunci"
    assert db.session.scalar(select(Case)) is not None


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
