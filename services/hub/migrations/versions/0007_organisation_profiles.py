"""hub tables: organisations' public profiles (shop windows), for the agency's directory (issue 14)

Revision ID: 7b41c9e2d5a0
Revises: 5e0c7a41b2d8
Create Date: 2026-12-04 20:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '7b41c9e2d5a0'
down_revision = '5e0c7a41b2d8'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'hub_organisation_profile',
        sa.Column('site', sa.String(length=8), nullable=False),
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('aggregate_version', sa.Integer(), nullable=False),
        sa.Column('last_event_id', sa.String(length=36), nullable=False),
        sa.Column('last_occurred_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('texts', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('site', 'id', name=op.f('pk_hub_organisation_profile')),
    )


def downgrade() -> None:
    op.drop_table('hub_organisation_profile')
