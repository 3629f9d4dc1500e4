"""summary facts: per factory, period and route, the raw sums of its cases; the refresh watermark

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 02:00:00
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('summary_facts',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('factory_id', sa.Integer(), nullable=False),
                    sa.Column('period', sa.String(length=8), nullable=False),
                    sa.Column('route', sa.String(length=16), nullable=False),
                    sa.Column('sums', sa.JSON(), nullable=False),
                    sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
                    sa.ForeignKeyConstraint(['factory_id'], ['factories.id'],
                                            name=op.f('fk_summary_facts_factory_id_factories')),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_summary_facts')),
                    sa.UniqueConstraint('factory_id', 'period', 'route',
                                        name=op.f('uq_summary_facts_factory_id_period_route')))
    op.create_table('summary_refresh',
                    sa.Column('id', sa.Integer(), nullable=False),
                    sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_summary_refresh')))


def downgrade():
    op.drop_table('summary_refresh')
    op.drop_table('summary_facts')
