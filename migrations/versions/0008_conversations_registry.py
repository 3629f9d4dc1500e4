"""several pending conversations per worker: one active, the others waiting their turn

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 20:30:00

The one-per-worker uniqueness goes; a case keeps at most one pending rating. The rating kind
was called "satisfaction"; conversations already stored were each the only one of their
worker, so each is the active one.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=8), server_default='active', nullable=False))
        batch_op.drop_constraint('uq_conversations_worker_id', type_='unique')
        batch_op.create_index(batch_op.f('ix_conversations_worker_id'), ['worker_id'], unique=False)
        batch_op.create_unique_constraint(batch_op.f('uq_conversations_worker_id_kind_case_id'),
                                          ['worker_id', 'kind', 'case_id'])
    op.execute(sa.text("UPDATE conversations SET kind = 'rating' WHERE kind = 'satisfaction'"))


def downgrade():
    # One per worker again: keep the active one (the one she was answering).
    op.execute(sa.text("DELETE FROM conversations WHERE status <> 'active'"))
    op.execute(sa.text("UPDATE conversations SET kind = 'satisfaction' WHERE kind = 'rating'"))
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_conversations_worker_id_kind_case_id'), type_='unique')
        batch_op.drop_index(batch_op.f('ix_conversations_worker_id'))
        batch_op.create_unique_constraint('uq_conversations_worker_id', ['worker_id'])
        batch_op.drop_column('status')
