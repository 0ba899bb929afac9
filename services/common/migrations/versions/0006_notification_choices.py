"""kernel, notification choices: delivery now or in a digest, one-click unsubscribe links, the people's
per-kind choices, and single-use account links (invitation, password reset)

Revision ID: 8b4e02d1f6c3
Revises: 7a3d91c0e5b2
Create Date: 2026-12-04 23:55:00
"""
from alembic import op
import sqlalchemy as sa


revision = '8b4e02d1f6c3'
down_revision = '7a3d91c0e5b2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('notification', sa.Column('subscriber', sa.String(length=340), nullable=True))
    op.add_column('notification', sa.Column('delivery', sa.String(length=8), server_default='now', nullable=False))
    op.add_column('notification', sa.Column('digest_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                                            nullable=True))
    op.add_column('notification', sa.Column('action_url', sa.String(length=600), nullable=True))
    op.add_column('notification', sa.Column('unsubscribe_url', sa.String(length=600), nullable=True))
    op.create_index('ix_notification_digest_waiting', 'notification', ['created_at'], unique=False,
                    postgresql_where=sa.text("delivery = 'digest' AND digest_id IS NULL AND sent_at IS NULL"),
                    sqlite_where=sa.text("delivery = 'digest' AND digest_id IS NULL AND sent_at IS NULL"))
    op.create_table(
        'notification_preference',
        sa.Column('subscriber', sa.String(length=340), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('mode', sa.String(length=8), nullable=False),
        sa.PrimaryKeyConstraint('subscriber', 'kind', name=op.f('pk_notification_preference')),
    )
    op.create_table(
        'notification_unsubscribe',
        sa.Column('token', sa.String(length=64), nullable=False),
        sa.Column('subscriber', sa.String(length=340), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('token', name=op.f('pk_notification_unsubscribe')),
        sa.UniqueConstraint('subscriber', 'kind', name='uq_notification_unsubscribe_subscriber'),
    )
    op.create_table(
        'account_link',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('username', sa.String(length=100), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_account_link')),
    )
    op.create_index(op.f('ix_account_link_username'), 'account_link', ['username'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_account_link_username'), table_name='account_link')
    op.drop_table('account_link')
    op.drop_table('notification_unsubscribe')
    op.drop_table('notification_preference')
    op.drop_index('ix_notification_digest_waiting', table_name='notification')
    for column in ('unsubscribe_url', 'action_url', 'digest_id', 'delivery', 'subscriber'):
        op.drop_column('notification', column)
