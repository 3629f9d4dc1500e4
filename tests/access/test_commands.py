"""tokens create/revoke/list, grants add/revoke, users add --role buyer, as an operator runs them."""

from __future__ import annotations

from sqlalchemy import select

from grievance.access import Viewer
from grievance.extensions import db
from grievance.models import ApiToken, ConsentGrant, Membership, Organisation


def _run(app, *args, stdin=None):
    return app.test_cli_runner().invoke(args=list(args), input=stdin)


def _buyer(app, email="buyer@example.org", org="Acme Brands"):
    return _run(app, "users", "add", "--email", email, "--name", "B", "--role", "buyer", "--buyer", org,
                "--password-stdin", stdin="a long enough password\n")


def test_users_add_links_a_buyer_to_her_organisation_made_once(app):
    assert _buyer(app).exit_code == 0
    again = _buyer(app, "second@example.org", "ACME brands ")
    assert again.exit_code == 0, again.output
    organisations = db.session.scalars(select(Organisation)).all()
    assert [(o.code, o.name) for o in organisations] == [("acme-brands", "Acme Brands")]
    assert {m.organisation_id for m in db.session.scalars(select(Membership))} == {organisations[0].id}
    refused = _run(app, "users", "add", "--email", "x@example.org", "--name", "X", "--role", "buyer",
                   "--password-stdin", stdin="a long enough password\n")
    assert refused.exit_code != 0 and "needs --buyer" in refused.output


def test_a_token_is_printed_once_stored_hashed_and_revoked(app):
    _buyer(app)
    created = _run(app, "tokens", "create", "--email", "buyer@example.org", "--name", "reports")
    assert created.exit_code == 0, created.output
    raw = created.stdout.splitlines()[0]
    stored = db.session.scalar(select(ApiToken))
    assert raw.startswith("grv_") and len(raw) > 40 and raw not in stored.token_hash
    assert Viewer.for_token(raw).is_buyer
    listed = _run(app, "tokens", "list", "--email", "buyer@example.org")
    assert stored.prefix in listed.output and raw not in listed.output
    revoked = _run(app, "tokens", "revoke", "--email", "buyer@example.org")
    assert revoked.exit_code == 0 and "1 token(s) revoked" in revoked.output
    db.session.expire_all()
    assert not Viewer.for_token(raw).is_authenticated
    unknown = _run(app, "tokens", "create", "--email", "nobody@example.org")
    assert unknown.exit_code != 0 and "no user" in unknown.output


def test_grants_add_and_revoke(app):
    _run(app, "factories", "add", "--code", "IDN-0001", "--name", "PT Contoh Garmen", "--country", "ID")
    _buyer(app)
    added = _run(app, "grants", "add", "--factory", "IDN-0001", "--buyer", "acme-brands")
    twice = _run(app, "grants", "add", "--factory", "IDN-0001", "--buyer", "Acme Brands")
    assert added.exit_code == 0 and twice.exit_code == 0, added.output + twice.output
    assert db.session.scalars(select(ConsentGrant)).all()[0].revoked_at is None
    assert len(db.session.scalars(select(ConsentGrant)).all()) == 1
    revoked = _run(app, "grants", "revoke", "--factory", "IDN-0001", "--buyer", "Acme Brands")
    assert revoked.exit_code == 0, revoked.output
    again = _run(app, "grants", "revoke", "--factory", "IDN-0001", "--buyer", "Acme Brands")
    assert again.exit_code != 0 and "no access" in again.output
    db.session.expire_all()
    assert db.session.scalar(select(ConsentGrant)).revoked_at is not None
