"""initial schema, and the programme's countries

Revision ID: 0001
Revises: 
Create Date: 2026-11-22 07:12:52.260543

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    countries = op.create_table('countries',
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('weekend', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_countries'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('factories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('country_code', sa.String(length=2), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['country_code'], ['countries.code'], name=op.f('fk_factories_country_code_countries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_factories')),
    sa.UniqueConstraint('code', name=op.f('uq_factories_code'))
    )
    with op.batch_alter_table('factories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_factories_country_code'), ['country_code'], unique=False)

    op.create_table('workers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('phone_hash', sa.String(length=64), nullable=False),
    sa.Column('phone_encrypted', sa.String(length=255), nullable=False),
    sa.Column('pseudonym', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('country_code', sa.String(length=2), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['country_code'], ['countries.code'], name=op.f('fk_workers_country_code_countries')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_workers')),
    sa.UniqueConstraint('phone_hash', name=op.f('uq_workers_phone_hash')),
    sa.UniqueConstraint('pseudonym', name=op.f('uq_workers_pseudonym'))
    )
    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=16), nullable=False),
    sa.Column('factory_id', sa.Integer(), nullable=True),
    sa.Column('country_code', sa.String(length=2), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('route', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledge_by', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolve_by', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['country_code'], ['countries.code'], name=op.f('fk_cases_country_code_countries')),
    sa.ForeignKeyConstraint(['factory_id'], ['factories.id'], name=op.f('fk_cases_factory_id_factories')),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_cases_worker_id_workers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases')),
    sa.UniqueConstraint('reference', name=op.f('uq_cases_reference'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_acknowledge_by'), ['acknowledge_by'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_country_code'), ['country_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_factory_id'), ['factory_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_worker_id'), ['worker_id'], unique=False)

    op.create_table('channel_endpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=32), nullable=False),
    sa.Column('factory_id', sa.Integer(), nullable=True),
    sa.Column('country_code', sa.String(length=2), nullable=False),
    sa.ForeignKeyConstraint(['country_code'], ['countries.code'], name=op.f('fk_channel_endpoints_country_code_countries')),
    sa.ForeignKeyConstraint(['factory_id'], ['factories.id'], name=op.f('fk_channel_endpoints_factory_id_factories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_endpoints')),
    sa.UniqueConstraint('channel', 'address', name=op.f('uq_channel_endpoints_channel_address'))
    )
    with op.batch_alter_table('channel_endpoints', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_endpoints_factory_id'), ['factory_id'], unique=False)

    op.create_table('memberships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('factory_id', sa.Integer(), nullable=True),
    sa.Column('country_code', sa.String(length=2), nullable=True),
    sa.Column('buyer_org', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['country_code'], ['countries.code'], name=op.f('fk_memberships_country_code_countries')),
    sa.ForeignKeyConstraint(['factory_id'], ['factories.id'], name=op.f('fk_memberships_factory_id_factories')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_memberships_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memberships'))
    )
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_memberships_user_id'), ['user_id'], unique=False)

    op.create_table('case_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('actor_user_id', sa.Integer(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['actor_user_id'], ['users.id'], name=op.f('fk_case_events_actor_user_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_events_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_events'))
    )
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_events_case_id'), ['case_id'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('provider', sa.String(length=16), nullable=False),
    sa.Column('provider_id', sa.String(length=64), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('address_encrypted', sa.String(length=255), nullable=True),
    sa.Column('worker_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('processed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_messages_case_id_cases')),
    sa.ForeignKeyConstraint(['endpoint_id'], ['channel_endpoints.id'], name=op.f('fk_messages_endpoint_id_channel_endpoints')),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_messages_worker_id_workers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_endpoint_id'), ['endpoint_id'], unique=False)
        batch_op.create_index('ix_messages_unprocessed', ['direction', 'processed_at'], unique=False)
        batch_op.create_index('ix_messages_provider_id', ['provider', 'provider_id'], unique=False)
        batch_op.create_index('uq_messages_inbound_provider_id', ['provider', 'provider_id'], unique=True,
                              postgresql_where=sa.text("direction = 'inbound'"),
                              sqlite_where=sa.text("direction = 'inbound'"))
        batch_op.create_index(batch_op.f('ix_messages_worker_id'), ['worker_id'], unique=False)

    # The programme's countries: time zone, languages workers write (most common first),
    # and days off (Monday = 0). Bangladesh's weekly holiday is Friday; Jordan's weekend
    # is Friday and Saturday; elsewhere Sunday.
    op.bulk_insert(countries, [
        {"code": "ID", "name": "Indonesia", "timezone": "Asia/Jakarta", "languages": ["id", "en"], "weekend": [6]},
        {"code": "KH", "name": "Cambodia", "timezone": "Asia/Phnom_Penh", "languages": ["km", "en"], "weekend": [6]},
        {"code": "VN", "name": "Vietnam", "timezone": "Asia/Ho_Chi_Minh", "languages": ["vi", "en"], "weekend": [6]},
        {"code": "BD", "name": "Bangladesh", "timezone": "Asia/Dhaka", "languages": ["bn", "en"], "weekend": [4]},
        {"code": "JO", "name": "Jordan", "timezone": "Asia/Amman", "languages": ["ar", "en", "bn"], "weekend": [4, 5]},
        {"code": "HT", "name": "Haiti", "timezone": "America/Port-au-Prince", "languages": ["ht", "en"], "weekend": [6]},
        {"code": "LS", "name": "Lesotho", "timezone": "Africa/Maseru", "languages": ["st", "en"], "weekend": [6]},
        {"code": "NI", "name": "Nicaragua", "timezone": "America/Managua", "languages": ["es", "en"], "weekend": [6]},
        {"code": "MM", "name": "Myanmar", "timezone": "Asia/Yangon", "languages": ["my", "en"], "weekend": [6]},
    ])


def downgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_worker_id'))
        batch_op.drop_index('ix_messages_unprocessed')
        batch_op.drop_index(batch_op.f('ix_messages_endpoint_id'))
        batch_op.drop_index(batch_op.f('ix_messages_case_id'))

    op.drop_table('messages')
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_events_case_id'))

    op.drop_table('case_events')
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_memberships_user_id'))

    op.drop_table('memberships')
    with op.batch_alter_table('channel_endpoints', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_endpoints_factory_id'))

    op.drop_table('channel_endpoints')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_worker_id'))
        batch_op.drop_index(batch_op.f('ix_cases_status'))
        batch_op.drop_index(batch_op.f('ix_cases_factory_id'))
        batch_op.drop_index(batch_op.f('ix_cases_country_code'))
        batch_op.drop_index(batch_op.f('ix_cases_acknowledge_by'))

    op.drop_table('cases')
    op.drop_table('workers')
    with op.batch_alter_table('factories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_factories_country_code'))

    op.drop_table('factories')
    op.drop_table('users')
    op.drop_table('countries')
    # ### end Alembic commands ###
