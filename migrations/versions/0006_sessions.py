"""users.session_version: sign-out and deactivation end sessions on the server; room for a
worker's encrypted name in any script

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.alter_column('name_encrypted', existing_type=sa.String(length=255), type_=sa.String(length=1024),
                              existing_nullable=True)


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.alter_column('name_encrypted', existing_type=sa.String(length=1024), type_=sa.String(length=255),
                              existing_nullable=True)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
