"""the queue's pages: indexes for each scope's predicate and order

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 23:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('new', 'acknowledged', 'in_progress', 'reopened')")
DONE = sa.text("status IN ('resolved', 'closed')")
INDEXES = (
    ('ix_cases_queue_factory_open', ['factory_id', 'route', 'due_at', 'id'], OPEN),
    ('ix_cases_queue_country_open', ['country_code', 'due_at', 'id'], OPEN),
    ('ix_cases_queue_open', ['due_at', 'id'], OPEN),
    ('ix_cases_queue_factory_done', ['factory_id', 'route', 'status', 'resolved_at', 'id'], DONE),
    ('ix_cases_queue_country_done', ['country_code', 'status', 'resolved_at', 'id'], DONE),
)


def upgrade():
    for name, columns, where in INDEXES:
        op.create_index(name, 'cases', columns, unique=False, postgresql_where=where, sqlite_where=where)


def downgrade():
    for name, _columns, _where in reversed(INDEXES):
        op.drop_index(name, table_name='cases')
