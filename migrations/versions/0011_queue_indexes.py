"""the queue's pages: indexes for each scope's predicate and order

Revision ID: 0011
Revises: 0013
Create Date: 2026-12-01 23:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0013'
branch_labels = None
depends_on = None

OPEN = sa.text("status IN ('new', 'acknowledged', 'in_progress', 'reopened')")
DONE = sa.text("status IN ('resolved', 'closed')")
# What the counts read of an open case, carried in the index (PostgreSQL: index-only counts).
COUNTED = ['status', 'route', 'factory_id', 'category', 'assignee_id', 'waiting_since', 'worker_replied_at',
           'escalation_level']
# What the filters read of a resolved or closed case (PostgreSQL: index-only filtered counts).
DONE_FILTERED = ['category', 'assignee_id', 'factory_id', 'route']
INDEXES = (
    ('ix_cases_queue_factory_open', ['factory_id', 'route', 'due_at', 'id'], OPEN, COUNTED),
    ('ix_cases_queue_country_open', ['country_code', 'due_at', 'id'], OPEN, COUNTED),
    ('ix_cases_queue_open', ['due_at', 'id'], OPEN, None),
    ('ix_cases_queue_factory_done', ['factory_id', 'route', 'status', 'resolved_at', 'id'], DONE, DONE_FILTERED),
    ('ix_cases_queue_country_done', ['country_code', 'status', 'resolved_at', 'id'], DONE, DONE_FILTERED),
)


def upgrade():
    for name, columns, where, include in INDEXES:
        op.create_index(name, 'cases', columns, unique=False, postgresql_where=where, sqlite_where=where,
                        **({'postgresql_include': include} if include else {}))


def downgrade():
    for name, _columns, _where, _include in reversed(INDEXES):
        op.drop_index(name, table_name='cases')
