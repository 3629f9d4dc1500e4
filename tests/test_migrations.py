"""The migrations build exactly the models' schema, and the programme's countries."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Case, Country


def test_migrations_produce_exactly_the_models_schema(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []




def test_countries_with_their_time_zones_languages_and_weeks(app):
    countries = {c.code: c for c in db.session.scalars(select(Country))}
    assert sorted(countries) == ["BD", "HT", "ID", "JO", "KH", "LS", "MM", "NI", "VN"]
    assert countries["ID"].timezone == "Asia/Jakarta" and countries["ID"].default_language == "id"
    assert countries["KH"].default_language == "km"
    assert countries["JO"].weekend == [4, 5]  # Friday and Saturday
    assert countries["VN"].weekend == [6]


def test_cases_opened_before_deadline_policies_get_a_resolve_deadline_and_old_misses_stay_quiet(tmp_path, base_config):
    """Upgrading a database holding cases: open ones are watched from now on; deadlines missed
    long ago are marked overdue, not escalated (nobody is texted months late)."""
    from datetime import datetime, timedelta

    from flask_migrate import upgrade
    from sqlalchemy import text

    from grievance import create_app

    app = create_app({**base_config, "DATABASE_URL": f"sqlite:///{tmp_path}/old.db", "REDIS_URL": None})
    with app.app_context():
        upgrade(revision="0004")
        now = datetime.utcnow()
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO workers (id, phone_hash, phone_encrypted, pseudonym, created_at, "
                                    "opted_out_channels) VALUES (1, 'h', 'e', 'W-1', :now, '[]')"), {"now": now})
            for case_id, opened, status in ((1, now - timedelta(days=90), "new"), (2, now - timedelta(hours=1), "new"),
                                            (3, now - timedelta(days=90), "closed")):
                connection.execute(text(
                    "INSERT INTO cases (id, reference, country_code, worker_id, category, route, status, language, "
                    "opened_at, acknowledge_by, anonymous, danger_now, reopen_count) VALUES (:id, :ref, 'ID', 1, "
                    "'wages', 'picc', :status, 'id', :opened, :ack, 1, 0, 0)"),
                    {"id": case_id, "ref": f"ID-00000{case_id}", "status": status, "opened": opened,
                     "ack": opened + timedelta(days=2)})
        upgrade()
        old, recent, closed = (db.session.get(Case, i) for i in (1, 2, 3))
        assert old.acknowledge_overdue_at and old.resolve_overdue_at and old.next_check_at is None
        assert old.escalation_level == 0
        assert recent.acknowledge_overdue_at is None and recent.next_check_at == recent.acknowledge_by
        assert recent.resolve_by == recent.opened_at + timedelta(days=21)
        assert closed.resolve_by is None and closed.next_check_at is None
        db.session.remove()
        db.engine.dispose()
