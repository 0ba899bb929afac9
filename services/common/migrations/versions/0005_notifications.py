"""kernel, the notification outbox and the users' contact addresses

Revision ID: 7a3d91c0e5b2
Revises: 5c2e8f4a9d17
Create Date: 2026-12-04 21:20:00
"""
from alembic import op
import sqlalchemy as sa



revision = '7a3d91c0e5b2'
down_revision = '5c2e8f4a9d17'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'notification',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('idempotency_key', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('recipient', sa.String(length=320), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('body_text', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification')),
        sa.UniqueConstraint('idempotency_key', name=op.f('uq_notification_idempotency_key')),
    )
    op.create_index('ix_notification_due', 'notification', ['next_attempt_at'], unique=False,
                    postgresql_where=sa.text('sent_at IS NULL'), sqlite_where=sa.text('sent_at IS NULL'))
    op.create_table(
        'user_contact',
        sa.Column('username', sa.String(length=100), nullable=False),
        sa.Column('email', sa.String(length=320), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=True),
        sa.PrimaryKeyConstraint('username', name=op.f('pk_user_contact')),
    )


def downgrade() -> None:
    op.drop_table('user_contact')
    op.drop_index('ix_notification_due', table_name='notification')
    op.drop_table('notification')
