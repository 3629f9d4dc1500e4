"""who works a case, when she last wrote, how it ended

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:40:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('worker_replied_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('outcome_code', sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_worker_replied_at'), ['worker_replied_at'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_cases_assignee_id_users'), 'users', ['assignee_id'], ['id'])


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_assignee_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_cases_worker_replied_at'))
        batch_op.drop_index(batch_op.f('ix_cases_assignee_id'))
        batch_op.drop_column('outcome_code')
        batch_op.drop_column('worker_replied_at')
        batch_op.drop_column('assignee_id')
