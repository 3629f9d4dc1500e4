"""internal notes on cases, and who read her words

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 23:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'case_notes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('author_user_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_user_id'], ['users.id'], name=op.f('fk_case_notes_author_user_id_users')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_notes_case_id_cases')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_notes')),
    )
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_notes_case_id'), ['case_id'], unique=False)
    op.create_table(
        'case_views',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('what', sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_views_case_id_cases')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_case_views_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_views')),
    )
    with op.batch_alter_table('case_views', schema=None) as batch_op:
        batch_op.create_index('ix_case_views_case_at', ['case_id', 'at'], unique=False)


def downgrade():
    with op.batch_alter_table('case_views', schema=None) as batch_op:
        batch_op.drop_index('ix_case_views_case_at')
    op.drop_table('case_views')
    with op.batch_alter_table('case_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_notes_case_id'))
    op.drop_table('case_notes')
