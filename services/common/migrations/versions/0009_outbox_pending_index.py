"""kernel, outbox pending index: one partial index over the rows not yet published, on (stream, seq, id),
replaces the two partial indexes on unsequenced rows (stream, id) and on unpublished rows (stream, seq)

Every row the relay has yet to handle is unpublished, the unsequenced ones among them with seq NULL.
Ordered by (stream, seq, id), the unsequenced rows of a stream are the index's last entries under it,
in id order: the relay's sequencing reads them from there (`seq IS NULL ORDER BY seq, id`), its
publishing and the feed's published prefix read the sequenced ones before them. A write maintains four
indexes on the outbox instead of five.

Revision ID: 9e3c4a7b1d52
Revises: 5d2b7e91c0a4
Create Date: 2026-12-07 01:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '9e3c4a7b1d52'
down_revision = '5d2b7e91c0a4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_pending', ['stream', 'seq', 'id'], unique=False,
                              postgresql_where=sa.text('published_at IS NULL'),
                              sqlite_where=sa.text('published_at IS NULL'))
        batch_op.drop_index('ix_outbox_unsequenced')
        batch_op.drop_index('ix_outbox_unpublished')


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_unpublished', ['stream', 'seq'], unique=False,
                              postgresql_where=sa.text('published_at IS NULL'),
                              sqlite_where=sa.text('published_at IS NULL'))
        batch_op.create_index('ix_outbox_unsequenced', ['stream', 'id'], unique=False,
                              postgresql_where=sa.text('seq IS NULL'), sqlite_where=sa.text('seq IS NULL'))
        batch_op.drop_index('ix_outbox_pending')
