"""community platforms: the national stakeholder platform's member organisations

Revision ID: 5b7e0c2d9a41
Revises: 
Create Date: 2026-12-06 04:30:00
"""
from alembic import op
import sqlalchemy as sa

from services.common.db import UtcDateTime


revision = '5b7e0c2d9a41'
down_revision = None
branch_labels = ('community_platforms',)
depends_on = None


def upgrade() -> None:
    op.create_table(
        'community_platform_member',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('country', sa.String(length=2), nullable=False),
        sa.Column('role', sa.String(length=32), nullable=False),
        sa.Column('joined_on', sa.Date(), nullable=False),
        sa.Column('left_on', sa.Date(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('created_at', UtcDateTime(), nullable=False),
        sa.Column('updated_at', UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_community_platform_member')),
    )
    op.create_index(op.f('ix_community_platform_member_country'), 'community_platform_member', ['country'])
    op.create_index(op.f('ix_community_platform_member_status'), 'community_platform_member', ['status'])


def downgrade() -> None:
    op.drop_index(op.f('ix_community_platform_member_status'), table_name='community_platform_member')
    op.drop_index(op.f('ix_community_platform_member_country'), table_name='community_platform_member')
    op.drop_table('community_platform_member')
