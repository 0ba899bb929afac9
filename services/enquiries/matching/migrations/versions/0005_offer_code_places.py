"""matching offer code places: the organisation's unit vector on each offer code row

The shortlist scores the offers of its best CPV level nearest the delivery place first (sql_ranking.py),
choosing them from the code rows alone, before reading any offer or organisation. Filled here from the
organisations' unit vectors; store.refresh_eligibility keeps them in the consumers' transactions. A row
without a place is always scored.

Revision ID: 5c0e73f2a1b6
Revises: 4b9d62e1f0a5
Create Date: 2026-12-06 11:20:00
"""
import sqlalchemy as sa
from alembic import op

revision = '5c0e73f2a1b6'
down_revision = '4b9d62e1f0a5'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('matching_offer_code', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ux', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('uy', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('uz', sa.Float(), nullable=True))
    place = ("(SELECT g.{0} FROM matching_offer o JOIN matching_organisation g ON g.id = o.organisation_id "
             "WHERE o.id = matching_offer_code.offer_id)")
    op.execute("UPDATE matching_offer_code SET " + ", ".join(f"{c} = {place.format(c)}" for c in ("ux", "uy", "uz")))


def downgrade() -> None:
    with op.batch_alter_table('matching_offer_code', schema=None) as batch_op:
        batch_op.drop_column('uz')
        batch_op.drop_column('uy')
        batch_op.drop_column('ux')
