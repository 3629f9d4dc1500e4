"""The commands of DESIGN.md §2, run as an operator would."""

from __future__ import annotations

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import ChannelEndpoint, Factory, User
from grievance.passwords import check_password


def test_factories_add_with_sms_and_whatsapp_numbers(app):
    result = app.test_cli_runner().invoke(args=[
        "factories", "add", "--code", "IDN-0001", "--name", "PT Contoh Garmen", "--country", "ID",
        "--timezone", "Asia/Jakarta", "--number", "+622150000001", "--number", "whatsapp:+622150000001"])

    assert result.exit_code == 0, result.output
    factory = db.session.scalar(select(Factory).where(Factory.code == "IDN-0001"))
    endpoints = db.session.scalars(select(ChannelEndpoint).order_by(ChannelEndpoint.channel)).all()
    assert factory.timezone == "Asia/Jakarta"
    assert [(e.channel, e.address) for e in endpoints] == [("sms", "+622150000001"), ("whatsapp", "+622150000001")]


def test_factories_add_refuses_an_unknown_country_and_a_bad_number(app):
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["factories", "add", "--code", "X", "--name", "X", "--country", "ZZ"])
    bad = runner.invoke(args=["factories", "add", "--code", "X", "--name", "X", "--country", "ID",
                              "--number", "call me"])
    assert unknown.exit_code != 0 and "unknown country" in unknown.output
    assert bad.exit_code != 0 and "not a phone number" in bad.output


def test_users_add_reads_the_password_from_stdin_and_hashes_it(app):
    runner = app.test_cli_runner()
    runner.invoke(args=["factories", "add", "--code", "IDN-0001", "--name", "PT", "--country", "ID"])
    result = runner.invoke(
        args=["users", "add", "--email", "A@example.org", "--name", "Ani", "--role", "picc", "--factory",
              "IDN-0001", "--password-stdin"],
        input="a long enough password\n",
    )

    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "a@example.org"))
    assert user.password_hash.startswith("$argon2")
    assert check_password(user, "a long enough password")
    assert [m.role for m in user.memberships] == ["picc"]


def test_users_add_needs_the_scope_of_the_role(app):
    result = app.test_cli_runner().invoke(
        args=["users", "add", "--email", "a@example.org", "--name", "Ani", "--role", "picc", "--password-stdin"],
        input="a long enough password\n")
    assert result.exit_code != 0 and "needs --factory" in result.output


def test_demo_data_prints_how_to_sign_in_and_can_run_twice(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo-data"])
    second = runner.invoke(args=["demo-data"])

    assert first.exit_code == 0 and second.exit_code == 0, second.output
    assert "picc@example.org" in first.output and "/simulator" in first.output
    assert db.session.scalar(select(Factory).where(Factory.code == "IDN-0001")).country_code == "ID"
    assert len(db.session.scalar(select(User).where(User.email == "picc@example.org")).memberships) == 1


def test_keys_rotate_moves_her_number_to_the_new_key_and_she_is_still_answered(make_app, post_twilio, run_jobs,
                                                                                 tmp_path):
    from cryptography.fernet import Fernet
    from sqlalchemy import func, select

    from grievance.extensions import db
    from grievance.models import Message, Worker
    from tests.conftest import inbound_params
    from tests.workflows.test_conversations import _factories_and_a_hotline

    spool = str(tmp_path / "spool")  # this test's own: others leave lines under their keys
    first = make_app(SPOOL_DIR=spool)
    old = first.config["GRIEVANCE_DATA_KEY"]
    with first.app_context():
        _factories_and_a_hotline()
        post_twilio(inbound_params("Tolong saya"), http=first.test_client())
        run_jobs()

    new = Fernet.generate_key().decode()
    rotating = make_app(GRIEVANCE_DATA_KEY=new, GRIEVANCE_PREVIOUS_DATA_KEYS=old, SPOOL_DIR=spool)
    with rotating.app_context():
        assert rotating.test_cli_runner().invoke(args=["keys", "check"]).exit_code == 1
        result = rotating.test_cli_runner().invoke(args=["keys", "rotate"])
        assert result.exit_code == 0, result.output
        assert "worker numbers: 1 moved" in result.output and "worker lookup hashes: 1 moved" in result.output
        checked = rotating.test_cli_runner().invoke(args=["keys", "check"])
        assert checked.exit_code == 0 and "every value is under the current keys" in checked.output

    after = make_app(GRIEVANCE_DATA_KEY=new, SPOOL_DIR=spool)  # the old key is gone
    with after.app_context():
        post_twilio(inbound_params("3"), http=after.test_client())
        run_jobs()
        db.session.expire_all()
        assert db.session.scalar(select(func.count()).select_from(Worker)) == 1  # found again, not doubled
        reply = db.session.scalars(select(Message).where(Message.direction == "outbound")
                                   .order_by(Message.id.desc())).first()
        assert reply.purpose == "ask_anonymity"  # her intake went on: the answer to the category question
