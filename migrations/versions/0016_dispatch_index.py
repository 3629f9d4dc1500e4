"""the dispatcher's index: stored inbound messages no job was given yet

Revision ID: 0016
Revises: 0012
Create Date: 2026-12-01 23:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0012'
branch_labels = None
depends_on = None

WHERE = "direction = 'inbound' AND status = 'received'"


def upgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index('ix_messages_undispatched', ['id'], unique=False,
                              postgresql_where=sa.text(WHERE), sqlite_where=sa.text(WHERE))


def downgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index('ix_messages_undispatched', postgresql_where=sa.text(WHERE), sqlite_where=sa.text(WHERE))
