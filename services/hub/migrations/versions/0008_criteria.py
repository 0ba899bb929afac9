"""hub tables: the label's criteria catalogues the agency published (issue 17)

Revision ID: 3c8f2a6d9e14
Revises: 7b41c9e2d5a0
Create Date: 2026-12-05 21:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '3c8f2a6d9e14'
down_revision = '7b41c9e2d5a0'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'hub_criteria',
        sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('applies_from', sa.Date(), nullable=False),
        sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('body', sa.JSON(), nullable=False),
        sa.Column('published_by', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('version', name=op.f('pk_hub_criteria')),
    )


def downgrade() -> None:
    op.drop_table('hub_criteria')
