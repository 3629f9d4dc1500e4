"""Keyset pagination: a page is the ``limit`` rows after the ``after`` key, in key order, so a
row added or removed meanwhile never shifts the others between pages."""

from __future__ import annotations

from typing import Any, Callable

from sqlalchemy import Select

from grievance.extensions import db


def keyset_page(query: Select, key_column: Any, after: Any, limit: int,
                key_of: Callable[[Any], Any]) -> tuple[list[Any], Any | None]:
    """The rows of ``query`` after ``after`` (ordered by ``key_column``, which must be unique)
    and the key to ask for the next page with, or None on the last page."""
    if after is not None:
        query = query.where(key_column > after)
    rows = list(db.session.scalars(query.order_by(key_column).limit(limit + 1)).unique())
    if len(rows) > limit:
        return rows[:limit], key_of(rows[limit - 1])
    return rows, None
