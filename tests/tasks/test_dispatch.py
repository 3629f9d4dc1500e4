"""With Redis, the webhook only stores; the dispatcher gives each stored message its job."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from grievance.extensions import db, queues
from grievance.models import Case, ChannelEndpoint, Message
from grievance.tasks.dispatch import dispatch_received, start_dispatcher
from tests import factories
from tests.conftest import inbound_params

def inbound() -> list[Message]:
    db.session.rollback()
    return db.session.scalars(select(Message).where(Message.direction == "inbound").order_by(Message.id)).all()


@pytest.mark.redis
def test_the_webhook_stores_without_enqueueing_and_the_dispatcher_hands_each_message_over_once(
        require_redis, app, post_twilio, run_jobs):
    factories.factory()
    statuses = [post_twilio(inbound_params("Upah saya dipotong", sender=f"+6281298765{i:03d}")).status_code
                for i in range(3)]

    assert statuses == [200, 200, 200]
    assert queues.queue().count == 0  # nothing went to Redis on the request's path
    assert [m.status for m in inbound()] == ["received"] * 3

    assert dispatch_received() == 3
    assert dispatch_received() == 0  # taken once, never twice
    (batch,) = queues.queue().get_jobs()  # one job for the three, one transaction
    assert batch.func_name.endswith("process_inbound_batch") and batch.args == ([m.id for m in inbound()],)
    assert [m.status for m in inbound()] == ["dispatched"] * 3

    # While a job waits in the queue, what comes in waits in the database, for a fuller batch.
    assert post_twilio(inbound_params("Upah saya dipotong", sender="+6281298765999")).status_code == 200
    assert dispatch_received() == 0 and [m.status for m in inbound()][-1] == "received"

    run_jobs()
    assert all(m.processed_at is not None for m in inbound())
    assert len(db.session.scalars(select(Case)).all()) == 4


@pytest.mark.redis
def test_the_dispatch_loop_hands_a_stored_message_to_a_worker_within_moments(require_redis, app, post_twilio):
    from rq import SimpleWorker

    factories.factory()
    stop = start_dispatcher(app)
    try:
        assert post_twilio(inbound_params("Pintu darurat dikunci")).status_code == 200
        deadline = time.monotonic() + 5
        while queues.queue().count == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        SimpleWorker([queues.queue()], connection=queues.connection()).work(burst=True)
    finally:
        stop.set()
    (message,) = inbound()
    assert message.processed_at is not None



def _simulated(app, phones_and_texts: list[tuple[str, str]], phones: dict | None = None) -> None:
    """Texts from the simulator's phones, stored (not processed: the dispatcher has them). Each
    phone is a browser of its own (the simulator keeps its identity in the session cookie);
    ``phones`` keeps them from one call to the next."""
    from tests.conftest import csrf_token

    endpoint = db.session.scalar(select(ChannelEndpoint.id).where(ChannelEndpoint.address == "+622150000001"))
    phones = {} if phones is None else phones
    for phone, text in phones_and_texts:
        http = phones.setdefault(phone, app.test_client())
        token = csrf_token(http.get("/simulator").get_data(as_text=True))
        http.post("/simulator", data={"endpoint": endpoint, "phone": phone, "body": text, "csrf_token": token})


def _work(monkeypatch) -> list[str]:
    """Dispatch and work the queue as the worker process does; the names of the jobs handed to Redis."""
    from rq import SimpleWorker

    handed: list[str] = []
    real = type(queues).dispatch_all

    def dispatch_all(self, pending):
        handed.extend(func.__name__ for func, _args, _options in pending)
        real(self, pending)

    with monkeypatch.context() as patch:  # on the class: undone without leaving the instance patched
        patch.setattr(type(queues), "dispatch_all", dispatch_all)
        dispatch_received()
        SimpleWorker([queues.queue()], connection=queues.connection()).work(burst=True)
    return handed


def _replies() -> list[Message]:
    db.session.rollback()
    return db.session.scalars(select(Message).where(Message.direction == "outbound").order_by(Message.id)).all()


@pytest.mark.redis
def test_a_batch_sends_the_replies_it_queued_itself_each_workers_in_order(
        require_postgres, require_redis, app, monkeypatch):
    factories.factory(code="IDN-0001", number="+622150000001")
    _simulated(app, [("+6281311110001", "Upah lembur saya belum dibayar"),
                     ("+6281311110002", "Supervisor membentak kami"),
                     ("+6281311110001", "Sudah tiga minggu")])

    handed = _work(monkeypatch)

    assert [m.processed_at is not None for m in inbound()] == [True] * 3
    replies = _replies()
    assert len(replies) >= 3 and {r.status for r in replies} == {"delivered"}
    assert "send_outbound" not in handed  # no job of their own: the batch sent them
    first_phone = [r for r in replies if r.worker_id == inbound()[0].worker_id]
    assert [r.sent_at for r in first_phone] == sorted(r.sent_at for r in first_phone)


@pytest.mark.redis
def test_a_message_that_fails_holds_up_no_other_of_its_batch_and_is_tried_again(
        require_postgres, require_redis, app, monkeypatch):
    import time_machine
    from rq import SimpleWorker

    from grievance.models.base import utcnow
    from grievance.tasks import inbound as inbound_job
    from grievance.tasks.rounds import requeue_stale

    factories.factory(code="IDN-0001", number="+622150000001")
    real = inbound_job.handle_inbound

    def failing(session, message, *args, **kwargs):
        if "lantai" in message.body:
            raise RuntimeError("a bug met this message")
        return real(session, message, *args, **kwargs)

    monkeypatch.setattr(inbound_job, "handle_inbound", failing)
    _simulated(app, [("+6281311110001", "Upah lembur saya belum dibayar"),
                     ("+6281311110002", "Air di lantai pabrik"),
                     ("+6281311110003", "Supervisor membentak kami")])
    _work(monkeypatch)

    first, failed, third = inbound()
    assert first.processed_at is not None and third.processed_at is not None
    assert failed.processed_at is None and failed.status == "dispatched"
    assert {r.worker_id for r in _replies()} == {first.worker_id, third.worker_id}  # both answered
    assert {r.status for r in _replies()} == {"delivered"}

    monkeypatch.setattr(inbound_job, "handle_inbound", real)  # the bug mended
    with time_machine.travel(utcnow() + timedelta(minutes=2), tick=False):
        requeue_stale()
    SimpleWorker([queues.queue()], connection=queues.connection()).work(burst=True)
    first, failed, third = inbound()
    assert failed.processed_at is not None
    assert failed.worker_id in {r.worker_id for r in _replies() if r.status == "delivered"}


@pytest.mark.redis
def test_two_batches_sharing_workers_at_once_wait_for_each_other_and_neither_falls_apart(
        require_postgres, require_redis, app, monkeypatch, caplog):
    """Her message in one batch and her colleague's in another, the two batches' messages in
    opposite orders, processed at the same moment: the second batch waits for the first (the
    senders are locked together, in one order), and both go through whole."""
    import threading

    from grievance.tasks import inbound as inbound_job

    factories.factory(code="IDN-0001", number="+622150000001")
    a, b = "+6281311110001", "+6281311110002"
    phones: dict = {}
    _simulated(app, [(a, "Upah lembur saya belum dibayar"), (b, "Supervisor membentak kami")], phones)
    _work(monkeypatch)
    _simulated(app, [(a, "Sudah tiga minggu"), (b, "Setiap hari"), (b, "Di jalur jahit"), (a, "Belum dibayar")],
               phones)
    a1, b1, b2, a2 = [m.id for m in inbound()[2:]]

    # Each batch, once its first message is done, waits (a little) for the other to have done
    # its own first: had each locked only its first sender, each would now wait for the other.
    both_started = threading.Barrier(2, timeout=2)
    real = inbound_job.handle_inbound
    first_done: set[int] = set()

    def pausing(session, message, *args, **kwargs):
        replies = real(session, message, *args, **kwargs)
        if message.id in (a1, b2) and message.id not in first_done:
            first_done.add(message.id)
            try:
                both_started.wait()
            except threading.BrokenBarrierError:
                pass  # the other batch is waiting for this one's commit
        return replies

    monkeypatch.setattr(inbound_job, "handle_inbound", pausing)
    errors: list[BaseException] = []

    def run(ids: list[int]) -> None:
        try:
            with app.app_context():
                inbound_job.process_inbound_batch(ids)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    caplog.set_level("WARNING")
    threads = [threading.Thread(target=run, args=(ids,)) for ids in ([a1, b1], [b2, a2])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert "each is processed on its own" not in caplog.text
    later = {m.id: m for m in inbound()[2:]}
    assert all(m.processed_at is not None for m in later.values())  # none left for the requeue
    assert later[a1].worker_id == later[a2].worker_id != later[b1].worker_id == later[b2].worker_id


@pytest.mark.redis
def test_a_reply_is_recorded_as_sent_while_the_rest_of_its_batch_is_still_going_out(
        require_postgres, require_redis, app, monkeypatch):
    """The provider's id of a reply is stored within moments of the provider's answer, not once
    the whole batch is sent: its delivery callbacks, which find it by that id, come that soon."""
    import threading

    from grievance.channels.base import channel_for

    factories.factory(code="IDN-0001", number="+622150000001")
    _simulated(app, [("+6281311110001", "Upah lembur saya belum dibayar"),
                     ("+6281311110002", "Upah lembur saya juga belum dibayar")])
    channel = channel_for("simulator", "sms")
    real_send = channel.send
    first = threading.Lock()
    seen_stored: list[bool] = []

    def send(message):
        result = real_send(message)
        if first.acquire(blocking=False):  # the first reply out, held for good
            return result
        # The other lane's reply has gone out: is it stored as such, while this one still waits?
        deadline = time.monotonic() + 5
        with app.app_context():
            while time.monotonic() < deadline:
                stored = db.session.scalar(select(func.count()).select_from(Message).where(
                    Message.direction == "outbound", Message.provider_id.is_not(None)))
                db.session.rollback()
                if stored:
                    break
                time.sleep(0.02)
        seen_stored.append(bool(stored))
        return result

    monkeypatch.setattr(channel, "send", send)
    _work(monkeypatch)

    assert seen_stored and all(seen_stored)
    assert {r.status for r in _replies()} == {"delivered"}
