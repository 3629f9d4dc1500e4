"""cases: when each last changed (for the summaries' facts) and the follow-up note for buyers

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 02:00:00
"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('followup_note', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('followup_note_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_cases_updated_at', ['updated_at'], unique=False)


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_updated_at')
        batch_op.drop_column('updated_at')
        batch_op.drop_column('followup_note_at')
        batch_op.drop_column('followup_note')
