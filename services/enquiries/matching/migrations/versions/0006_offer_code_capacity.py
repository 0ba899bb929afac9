"""matching offer code capacity: the offer's weekly capacity (indexed per division) and its organisation's
labour-market segment on each offer code row

The shortlist bounds each offer's score from its code rows alone and scores first the offers that may score
the most; when a split is sure, it scores the offers of the request's best CPV level and those with the
largest weekly capacities, reading the latter in capacity order from an index of the code rows, before any
offer is read (sql_ranking.py). Filled here from the offers and organisations; store.refresh_eligibility
keeps them in the consumers' transactions. An index on offer_id finds an offer's code rows (a labelled
offer's, and the rows store.replace_offer_divisions deletes).

Revision ID: 6d1f84a3b2c7
Revises: 5c0e73f2a1b6
Create Date: 2026-12-06 15:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '6d1f84a3b2c7'
down_revision = '5c0e73f2a1b6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('matching_offer_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('capacity_per_week', sa.Numeric(precision=18, scale=3), nullable=True))
        batch_op.add_column(sa.Column('labour_market_segment', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_matching_offer_code_capacity', ['division', 'capacity_per_week'], unique=False)
        batch_op.create_index('ix_matching_offer_code_offer', ['offer_id'], unique=False)
    op.execute("UPDATE matching_offer_code SET capacity_per_week = (SELECT o.capacity_per_week FROM matching_offer o "
               "WHERE o.id = matching_offer_code.offer_id)")
    op.execute("UPDATE matching_offer_code SET labour_market_segment = (SELECT g.labour_market_segment "
               "FROM matching_offer o JOIN matching_organisation g ON g.id = o.organisation_id "
               "WHERE o.id = matching_offer_code.offer_id)")


def downgrade() -> None:
    with op.batch_alter_table('matching_offer_code', schema=None) as batch_op:
        batch_op.drop_index('ix_matching_offer_code_offer')
        batch_op.drop_index('ix_matching_offer_code_capacity')
        batch_op.drop_column('labour_market_segment')
        batch_op.drop_column('capacity_per_week')
