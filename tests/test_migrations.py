"""The migrations build exactly the models' schema, and the programme's countries."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Country


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
