"""A batch of messages ends as the same messages processed one by one would: what a sender's
messages read of her conversations and of her last hour is read once for the batch."""

from __future__ import annotations

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Case, ChannelEndpoint, Conversation, Message
from grievance.models.base import utcnow
from grievance.models.message import INBOUND, RECEIVED
from grievance.privacy import vault
from grievance.tasks import inbound as inbound_job
from tests import factories

# Two whole intakes: a greeting, its questions answered, more words on the case, her status
# request, a new matter asked for, its questions answered twice (the first answer is a new
# message on its own), more words.
CONVERSATION = ["Halo", "1", "2", "Sudah tiga minggu", "STATUS", "BARU", "Supervisor membentak kami", "1",
                "Kapan dibayar?", "2"]


def _stored(phone: str, bodies: list[str], endpoint) -> list[int]:
    """Her messages as the webhook stores them, waiting for their job."""
    now = utcnow()
    messages = [Message(direction=INBOUND, provider="twilio", provider_id=f"SM{phone[-8:]}{n:024d}", channel="sms",
                        endpoint=endpoint, address_encrypted=vault().encrypt(phone), body=body, status=RECEIVED,
                        created_at=now) for n, body in enumerate(bodies)]
    db.session.add_all(messages)
    db.session.commit()
    return [message.id for message in messages]


def _outcome(phone: str):
    db.session.rollback()
    worker_id = db.session.scalar(select(Message.worker_id).where(Message.body == CONVERSATION[0],
                                                                 Message.provider_id.like(f"SM{phone[-8:]}%")))
    replies = db.session.scalars(select(Message).where(Message.worker_id == worker_id, Message.direction == "outbound")
                                 .order_by(Message.id)).all()
    cases = db.session.scalars(select(Case).where(Case.worker_id == worker_id).order_by(Case.id)).all()
    conversations = db.session.scalars(select(Conversation).where(Conversation.worker_id == worker_id)).all()
    return ([(reply.purpose, reply.language) for reply in replies],
            [(case.category, case.route, case.status, case.anonymous, len(case.messages)) for case in cases],
            sorted((c.kind, c.status, c.step) for c in conversations))


def test_a_batch_holding_a_whole_conversation_ends_as_its_messages_one_by_one(app):
    factories.factory()
    endpoint = db.session.scalar(select(ChannelEndpoint).where(ChannelEndpoint.address == "+622150000001"))
    alone, together = "+6281311110001", "+6281311110002"

    for message_id in _stored(alone, CONVERSATION, endpoint):
        inbound_job.process_inbound_batch([message_id])
    inbound_job.process_inbound_batch(_stored(together, CONVERSATION, endpoint))

    one_by_one, batched = _outcome(alone), _outcome(together)
    replies, cases, conversations = batched
    assert len(replies) == len(CONVERSATION) and len(cases) == 2  # both intakes ran to their cases
    assert batched == one_by_one


def test_a_flood_is_flagged_at_the_same_message_in_a_batch_as_one_by_one(app, make_app):
    factories.factory()
    flood = ["Upah lembur saya belum dibayar"] + [f"pesan {n}" for n in range(6)]
    limited = make_app(INBOUND_PER_WORKER_PER_HOUR=3)
    with limited.app_context():
        endpoint = db.session.scalar(select(ChannelEndpoint).where(ChannelEndpoint.address == "+622150000001"))
        alone = _stored("+6281311110003", flood, endpoint)
        for message_id in alone:
            inbound_job.process_inbound_batch([message_id])
        together = _stored("+6281311110004", flood, endpoint)
        inbound_job.process_inbound_batch(together)
        db.session.rollback()
        statuses = {ids[0]: [db.session.get(Message, i).status for i in ids] for ids in (alone, together)}
    assert statuses[alone[0]] == statuses[together[0]]
    assert statuses[alone[0]].count("flagged") == 4  # from the fourth of her messages in the hour
