"""kernel, outbox wake-up: whether the relay asks writers to NOTIFY it (one row, UNLOGGED on PostgreSQL),
and on PostgreSQL the statement trigger on the outbox that does so

Revision ID: 3f6a0c9d2e41
Revises: 8b4e02d1f6c3
Create Date: 2026-12-06 11:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '3f6a0c9d2e41'
down_revision = '8b4e02d1f6c3'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'outbox_wakeup',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('wanted', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_wakeup')),
    )
    if op.get_bind().dialect.name == 'postgresql':
        # A hint rewritten whenever the relay falls asleep or gets busy: no WAL for it, and none to flush
        # at the relay's commit. After a crash the table is empty and writers skip the NOTIFY until the
        # relay's listener connects again and asks for it.
        op.execute('ALTER TABLE outbox_wakeup SET UNLOGGED')
        # Once per INSERT statement, not per row, and BEFORE it (an AFTER trigger costs PostgreSQL an
        # event queue per statement); the notification is delivered at commit either way, and not at all
        # on rollback. The channel is the one the listener computes from current_schema().
        op.execute("""
            CREATE FUNCTION outbox_wake() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT FROM outbox_wakeup WHERE wanted) THEN
                    PERFORM pg_notify('sopro_outbox_' || md5(TG_TABLE_SCHEMA), '');
                END IF;
                RETURN NULL;
            END $$""")
        op.execute('CREATE TRIGGER outbox_wake BEFORE INSERT ON outbox '
                   'FOR EACH STATEMENT EXECUTE FUNCTION outbox_wake()')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER outbox_wake ON outbox')
        op.execute('DROP FUNCTION outbox_wake()')
    op.drop_table('outbox_wakeup')
