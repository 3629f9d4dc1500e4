"""Declarative base, naming convention and column types shared by every model."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import DateTime, MetaData, TypeDecorator
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def dialect_insert(dialect_name: str):
    """The INSERT of this database's dialect, the one with ON CONFLICT."""
    return {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect_name]


def insert_ignoring_conflicts(session: Session, model: type[Base], values: dict[str, Any] | list[dict[str, Any]],
                              conflict: list[str], where=None):
    """INSERT … ON CONFLICT (conflict) [WHERE where] DO NOTHING RETURNING id; the new id or None.
    Given a list of rows, one INSERT of them all, returning nothing.

    ``where`` names the predicate of a partial unique index.
    """
    insert = dialect_insert(session.get_bind().dialect.name)
    if isinstance(values, list):
        if values:
            session.execute(insert(model).values(values).on_conflict_do_nothing(index_elements=conflict,
                                                                                index_where=where))
        return None
    statement = (
        insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=conflict, index_where=where)
        .returning(model.id)
    )
    return session.execute(statement).scalar_one_or_none()
