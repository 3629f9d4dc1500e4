"""Migration 0009: the free-text buyer organisations of memberships become organisations."""

from __future__ import annotations

from sqlalchemy import select, text

from grievance.extensions import db
from grievance.models import Membership, Organisation


def test_buyer_org_strings_become_organisations(tmp_path, base_config):
    from flask_migrate import upgrade

    from grievance import create_app

    app = create_app({**base_config, "DATABASE_URL": f"sqlite:///{tmp_path}/old.db", "REDIS_URL": None})
    with app.app_context():
        upgrade(revision="0008")  # the schema just before 0009
        with db.engine.begin() as connection:
            for user_id, org in ((1, "Acme Brands"), (2, "ACME brands"), (3, "Zeta Retail"), (4, None)):
                connection.execute(text(
                    "INSERT INTO users (id, email, name, password_hash, active, session_version, created_at) "
                    "VALUES (:id, :email, 'N', 'x', 1, 0, '2026-01-01 00:00:00')"),
                    {"id": user_id, "email": f"u{user_id}@example.org"})
                connection.execute(text("INSERT INTO memberships (user_id, role, buyer_org) VALUES (:id, :role, :org)"),
                                   {"id": user_id, "role": "buyer" if org else "admin", "org": org})
        upgrade()
        organisations = {o.code: o for o in db.session.scalars(select(Organisation))}
        assert sorted(organisations) == ["acme-brands", "zeta-retail"]
        by_user = {m.user_id: m.organisation_id for m in db.session.scalars(select(Membership))}
        assert by_user == {1: organisations["acme-brands"].id, 2: organisations["acme-brands"].id,
                           3: organisations["zeta-retail"].id, 4: None}
        db.session.remove()
        db.engine.dispose()
