"""matching offer code bounds: indexes of the offer code rows holding every column the shortlist reads
from them

A single offer's tier is first scored on the LIKELIEST code rows of the request's best CPV level, chosen by
an upper bound computed from the code row alone (its prefix, offer, place, weekly capacity and segment;
sql_ranking._likeliest_bound), and that level's rows are all read. With every one of those columns in the
index, PostgreSQL reads them from the index's few leaf pages (an index-only scan, once the table is
vacuumed) instead of one table page per row: the reads stop growing with the site. The capacity index gets
the prefix and the offer likewise: when a split is sure, the largest capacities' rows under the request's
prefixes come from it alone (otherwise the planner would rather scan the whole division in the new index).

Revision ID: 7e2a95b4c3d8
Revises: 6d1f84a3b2c7
Create Date: 2026-12-06 15:10:00
"""
from alembic import op

revision = '7e2a95b4c3d8'
down_revision = '6d1f84a3b2c7'
branch_labels = None
depends_on = None

BOUNDS = ['division', 'prefix', 'offer_id', 'ux', 'uy', 'uz', 'capacity_per_week', 'labour_market_segment']


def upgrade() -> None:
    with op.batch_alter_table('matching_offer_code', schema=None) as batch_op:
        batch_op.create_index('ix_matching_offer_code_bounds', BOUNDS, unique=False)
        batch_op.drop_index('ix_matching_offer_code_capacity')
        batch_op.create_index('ix_matching_offer_code_capacity', ['division', 'capacity_per_week', 'prefix', 'offer_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('matching_offer_code', schema=None) as batch_op:
        batch_op.drop_index('ix_matching_offer_code_capacity')
        batch_op.create_index('ix_matching_offer_code_capacity', ['division', 'capacity_per_week'], unique=False)
        batch_op.drop_index('ix_matching_offer_code_bounds')
