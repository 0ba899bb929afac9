"""kernel tables: outbox, inbox, dead letters, users

Revision ID: f300b1851ce7
Revises: 
Create Date: 2026-11-22 18:45:56.821295
"""
from alembic import op
import sqlalchemy as sa


revision = 'f300b1851ce7'
down_revision = None
branch_labels = ('common',)
depends_on = None


def upgrade() -> None:
    op.create_table('auth_user',
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('password_hash', sa.String(length=300), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('username', name=op.f('pk_auth_user'))
    )
    op.create_table('dead_letter',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('consumer', sa.String(length=100), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('stream', sa.String(length=64), nullable=True),
    sa.Column('seq', sa.BigInteger(), nullable=True),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dead_letter'))
    )
    op.create_table('inbox',
    sa.Column('consumer', sa.String(length=100), nullable=False),
    sa.Column('stream', sa.String(length=64), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('consumer', 'stream', 'seq', name=op.f('pk_inbox')),
    sa.UniqueConstraint('consumer', 'event_id', name=op.f('uq_inbox_consumer_event_id'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('stream', sa.String(length=64), nullable=False),
    sa.Column('type', sa.String(length=128), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('aggregate_id', sa.String(length=200), nullable=False),
    sa.Column('aggregate_version', sa.Integer(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('correlation_id', sa.String(length=200), nullable=True),
    sa.Column('causation_id', sa.String(length=200), nullable=True),
    sa.Column('to_site', sa.String(length=8), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=True),
    sa.Column('envelope', sa.Text(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('event_id', name=op.f('uq_outbox_event_id')),
    sa.UniqueConstraint('stream', 'seq', name=op.f('uq_outbox_stream_seq'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_unpublished', ['stream', 'seq'], unique=False, postgresql_where=sa.text('published_at IS NULL'), sqlite_where=sa.text('published_at IS NULL'))
        batch_op.create_index('ix_outbox_unsequenced', ['stream', 'id'], unique=False, postgresql_where=sa.text('seq IS NULL'), sqlite_where=sa.text('seq IS NULL'))

    op.create_table('outbox_stream',
    sa.Column('stream', sa.String(length=64), nullable=False),
    sa.Column('last_seq', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('stream', name=op.f('pk_outbox_stream'))
    )
    op.create_table('stream_position',
    sa.Column('consumer', sa.String(length=100), nullable=False),
    sa.Column('stream', sa.String(length=64), nullable=False),
    sa.Column('contiguous_seq', sa.BigInteger(), nullable=False),
    sa.Column('max_seen_seq', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('consumer', 'stream', name=op.f('pk_stream_position'))
    )


def downgrade() -> None:
    op.drop_table('stream_position')
    op.drop_table('outbox_stream')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_unsequenced', postgresql_where=sa.text('seq IS NULL'), sqlite_where=sa.text('seq IS NULL'))
        batch_op.drop_index('ix_outbox_unpublished', postgresql_where=sa.text('published_at IS NULL'), sqlite_where=sa.text('published_at IS NULL'))

    op.drop_table('outbox')
    op.drop_table('inbox')
    op.drop_table('dead_letter')
    op.drop_table('auth_user')
