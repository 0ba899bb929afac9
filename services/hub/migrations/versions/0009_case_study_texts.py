"""hub tables: a case study's title and summary in further languages, for the network's good-practice
handbook (issue 19); null for a case study published before its site sent them (event version 1)

Revision ID: 9d2e4b7c1a36
Revises: 3c8f2a6d9e14
Create Date: 2026-12-06 04:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = '9d2e4b7c1a36'
down_revision = '3c8f2a6d9e14'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hub_case_study') as batch:
        batch.add_column(sa.Column('texts', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('hub_case_study') as batch:
        batch.drop_column('texts')
