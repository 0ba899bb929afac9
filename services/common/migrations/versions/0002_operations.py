"""kernel, operations: dead letters keep who re-drove them and when; the origin's last seq per stream;
stream pauses (moderation)

Revision ID: d7d931a05d84
Revises: f300b1851ce7
Create Date: 2026-11-22 21:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd7d931a05d84'
down_revision = 'f300b1851ce7'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('dead_letter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redriven_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('redriven_by', sa.String(length=100), nullable=True))
    with op.batch_alter_table('stream_position', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_last_seq', sa.BigInteger(), nullable=True))
    op.create_table('stream_pause',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('consumer', sa.String(length=100), nullable=False),
    sa.Column('stream', sa.String(length=64), nullable=False),
    sa.Column('paused_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('paused_by', sa.String(length=100), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('resumed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resumed_by', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stream_pause'))
    )
    with op.batch_alter_table('stream_pause', schema=None) as batch_op:
        batch_op.create_index('ix_stream_pause_open', ['consumer', 'stream'], unique=True,
                              postgresql_where=sa.text('resumed_at IS NULL'),
                              sqlite_where=sa.text('resumed_at IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('stream_pause', schema=None) as batch_op:
        batch_op.drop_index('ix_stream_pause_open', postgresql_where=sa.text('resumed_at IS NULL'),
                            sqlite_where=sa.text('resumed_at IS NULL'))
    op.drop_table('stream_pause')
    with op.batch_alter_table('stream_position', schema=None) as batch_op:
        batch_op.drop_column('source_last_seq')
    with op.batch_alter_table('dead_letter', schema=None) as batch_op:
        batch_op.drop_column('redriven_by')
        batch_op.drop_column('redriven_at')
