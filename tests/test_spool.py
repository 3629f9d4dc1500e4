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
