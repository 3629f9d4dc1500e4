"""buyers' organisations, consent grants from factories, API tokens

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-01 20:45:00

``memberships.buyer_org`` was a free string: each distinct value becomes an organisation
(its code the value in lower case with dashes), and the membership points at it.
"""
import re
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def organisation_code(name: str) -> str:
    """The same rule as grievance.access.roles.organisation_code, frozen here as migrations are."""
    return re.sub(r"[^a-z0-9]+", "-", name.strip().lower()).strip("-")[:64] or "organisation"


def upgrade():
    op.create_table(
        'organisations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('code'),
    )
    op.create_table(
        'consent_grants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('factory_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('granted_by_id', sa.Integer(), nullable=True),
        sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('revoked_by_id', sa.Integer(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['factory_id'], ['factories.id']),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id']),
        sa.ForeignKeyConstraint(['granted_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_consent_grants_factory_id', 'consent_grants', ['factory_id'])
    op.create_index('ix_consent_grants_organisation_id', 'consent_grants', ['organisation_id'])
    op.create_index('uq_consent_grants_active', 'consent_grants', ['factory_id', 'organisation_id'], unique=True,
                    postgresql_where=sa.text('revoked_at IS NULL'), sqlite_where=sa.text('revoked_at IS NULL'))
    op.create_table(
        'api_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_api_tokens_user_id', 'api_tokens', ['user_id'])
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_memberships_organisation_id', 'organisations', ['organisation_id'], ['id'])
    _buyer_orgs_to_organisations()
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_column('buyer_org')


def _buyer_orgs_to_organisations():
    connection = op.get_bind()
    memberships = sa.table('memberships', sa.column('id', sa.Integer), sa.column('buyer_org', sa.String),
                           sa.column('organisation_id', sa.Integer))
    organisations = sa.table('organisations', sa.column('id', sa.Integer), sa.column('code', sa.String),
                             sa.column('name', sa.String), sa.column("created_at", sa.DateTime(timezone=True)))
    ids: dict[str, int] = {}
    rows = connection.execute(sa.select(memberships.c.id, memberships.c.buyer_org)
                              .where(memberships.c.buyer_org.is_not(None))).fetchall()
    for membership_id, name in rows:
        if not name.strip():
            continue
        code = organisation_code(name)
        if code not in ids:  # two spellings of one name ("Acme", "ACME ") are one organisation
            connection.execute(organisations.insert().values(code=code, name=name.strip()[:120],
                                                             created_at=datetime.now(timezone.utc)))
            ids[code] = connection.scalar(sa.select(organisations.c.id).where(organisations.c.code == code))
        connection.execute(memberships.update().where(memberships.c.id == membership_id)
                           .values(organisation_id=ids[code]))


def downgrade():
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('buyer_org', sa.String(length=120), nullable=True))
    connection = op.get_bind()
    connection.execute(sa.text('UPDATE memberships SET buyer_org = (SELECT name FROM organisations '
                               'WHERE organisations.id = memberships.organisation_id)'))
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_constraint('fk_memberships_organisation_id', type_='foreignkey')
        batch_op.drop_column('organisation_id')
    op.drop_table('api_tokens')
    op.drop_table('consent_grants')
    op.drop_table('organisations')
