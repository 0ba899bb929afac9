"""matching division counts: eligible offers per CPV division, kept by the consumers

A shortlist reports how many eligible offers share the request's division: read from one row instead of
counting the division's rows of matching_offer_division. Backfilled from those rows here; the consumers
keep it in the transaction that changes them (store.replace_offer_divisions, store.refresh_eligibility).

Revision ID: 4b9d62e1f0a5
Revises: 3a8c51d0e9b4
Create Date: 2026-12-06 08:55:00
"""
import sqlalchemy as sa
from alembic import op

revision = '4b9d62e1f0a5'
down_revision = '3a8c51d0e9b4'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('matching_division_count',
    sa.Column('division', sa.String(length=2), nullable=False),
    sa.Column('eligible', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('division', name=op.f('pk_matching_division_count'))
    )
    op.execute("INSERT INTO matching_division_count (division, eligible) "
               "SELECT division, COUNT(*) FROM matching_offer_division WHERE eligible GROUP BY division")


def downgrade() -> None:
    op.drop_table('matching_division_count')
