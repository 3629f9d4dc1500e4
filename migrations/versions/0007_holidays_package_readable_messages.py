"""public holidays from the holidays package; what people are shown of a worker's message

Revision ID: 0007
Revises: 0005
Create Date: 2026-12-01 10:00:00

The fixed-date holidays 0005 seeded by hand are dropped: the ``holidays`` package knows them,
and the movable ones too. Rows an admin added stay, as closure days on top of the package's.
Messages already stored in Zawgyi get their Unicode form for reading.
"""
import importlib.util
from pathlib import Path

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def _seeded_holidays() -> list[dict]:
    path = Path(__file__).resolve().parent / "0005_deadlines.py"
    spec = importlib.util.spec_from_file_location("migration_0005", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.seed_rows()["holidays"]


def upgrade():
    with op.batch_alter_table('holidays', schema=None) as batch_op:
        batch_op.add_column(sa.Column('working', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_readable', sa.Text(), nullable=True))

    holidays = sa.table('holidays', sa.column('country_code', sa.String), sa.column('year', sa.Integer),
                        sa.column('month', sa.Integer), sa.column('day', sa.Integer),
                        sa.column('name', sa.String))
    for row in _seeded_holidays():
        op.execute(holidays.delete().where(
            holidays.c.country_code == row["country_code"], holidays.c.year.is_(None),
            holidays.c.month == row["month"], holidays.c.day == row["day"], holidays.c.name == row["name"]))
    _readable_burmese()


def _readable_burmese():
    from grievance.language.normalize import readable

    messages = sa.table('messages', sa.column('id', sa.Integer), sa.column('direction', sa.String),
                        sa.column('body', sa.Text), sa.column('body_readable', sa.Text))
    connection = op.get_bind()
    rows = connection.execute(sa.select(messages.c.id, messages.c.body).where(messages.c.direction == 'inbound'))
    for message_id, body in rows.fetchall():
        if body and any('\u1000' <= char <= '\u109f' for char in body):
            shown = readable(body)
            if shown != body:
                connection.execute(messages.update().where(messages.c.id == message_id).values(body_readable=shown))


def downgrade():
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('body_readable')
    op.execute(sa.text("DELETE FROM holidays WHERE working"))
    with op.batch_alter_table('holidays', schema=None) as batch_op:
        batch_op.drop_column('working')
    holidays = sa.table('holidays', sa.column('country_code', sa.String), sa.column('year', sa.Integer),
                        sa.column('month', sa.Integer), sa.column('day', sa.Integer),
                        sa.column('name', sa.String))
    connection = op.get_bind()
    present = {tuple(r) for r in connection.execute(sa.select(
        holidays.c.country_code, holidays.c.month, holidays.c.day).where(holidays.c.year.is_(None)))}
    op.bulk_insert(holidays, [row for row in _seeded_holidays()
                              if (row["country_code"], row["month"], row["day"]) not in present])
