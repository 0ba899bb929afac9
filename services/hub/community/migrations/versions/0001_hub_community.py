"""hub community: the sites' community events (counts only) and the stakeholder platforms' members

Revision ID: b3d6259b223b
Revises: 
Create Date: 2026-12-06 04:23:02.778127
"""
from alembic import op
import sqlalchemy as sa

import services.common.db


revision = 'b3d6259b223b'
down_revision = None
branch_labels = ('hub_community',)
depends_on = None


def upgrade() -> None:
    op.create_table('hub_community_event',
    sa.Column('site', sa.String(length=8), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('aggregate_version', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.String(length=36), nullable=False),
    sa.Column('last_occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reference', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('scope', sa.String(length=16), nullable=False),
    sa.Column('platform_forum', sa.Boolean(), nullable=False),
    sa.Column('texts', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('starts_at', services.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', services.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('venue', sa.Text(), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('nuts3', sa.String(length=5), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('registered', sa.Integer(), nullable=False),
    sa.Column('waiting', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('site', 'id', name=op.f('pk_hub_community_event'))
    )
    with op.batch_alter_table('hub_community_event', schema=None) as batch_op:
        batch_op.create_index('ix_hub_community_event_ends_at', ['ends_at'], unique=False)
        batch_op.create_index('ix_hub_community_event_forum', ['platform_forum', 'site'], unique=False)

    op.create_table('hub_platform_member',
    sa.Column('site', sa.String(length=8), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('aggregate_version', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.String(length=36), nullable=False),
    sa.Column('last_occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('joined_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('site', 'id', name=op.f('pk_hub_platform_member'))
    )
    with op.batch_alter_table('hub_platform_member', schema=None) as batch_op:
        batch_op.create_index('ix_hub_platform_member_country', ['country', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('hub_platform_member', schema=None) as batch_op:
        batch_op.drop_index('ix_hub_platform_member_country')

    op.drop_table('hub_platform_member')
    with op.batch_alter_table('hub_community_event', schema=None) as batch_op:
        batch_op.drop_index('ix_hub_community_event_forum')
        batch_op.drop_index('ix_hub_community_event_ends_at')

    op.drop_table('hub_community_event')
