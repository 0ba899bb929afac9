"""matching tables: projection of the site's social enterprises and offers (+ CPV divisions), capacity commitments

Revision ID: 17e1da3f4c2c
Revises: 
Create Date: 2026-11-22 19:40:33.568560
"""
from alembic import op
import sqlalchemy as sa


revision = '17e1da3f4c2c'
down_revision = None
branch_labels = ('matching',)
depends_on = None


def upgrade() -> None:
    op.create_table('matching_commitment',
    sa.Column('agreement_id', sa.String(length=36), nullable=False),
    sa.Column('offer_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('start_on', sa.Date(), nullable=False),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('agreement_id', name=op.f('pk_matching_commitment'))
    )
    with op.batch_alter_table('matching_commitment', schema=None) as batch_op:
        batch_op.create_index('ix_matching_commitment_offer', ['offer_id', 'status', 'until'], unique=False)

    op.create_table('matching_offer',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('aggregate_version', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=True),
    sa.Column('cpv_codes', sa.JSON(), nullable=True),
    sa.Column('capacity_per_week', sa.Numeric(precision=18, scale=3), nullable=True),
    sa.Column('unit', sa.String(length=50), nullable=True),
    sa.Column('lead_time_days', sa.Integer(), nullable=True),
    sa.Column('price_min', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('price_max', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('delivery_radius_km', sa.Integer(), nullable=True),
    sa.Column('cross_border', sa.Boolean(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_offer'))
    )
    with op.batch_alter_table('matching_offer', schema=None) as batch_op:
        batch_op.create_index('ix_matching_offer_organisation_id', ['organisation_id'], unique=False)

    op.create_table('matching_offer_division',
    sa.Column('division', sa.String(length=2), nullable=False),
    sa.Column('offer_id', sa.String(length=36), nullable=False),
    sa.PrimaryKeyConstraint('division', 'offer_id', name=op.f('pk_matching_offer_division'))
    )
    op.create_table('matching_organisation',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('aggregate_version', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('nuts3', sa.String(length=5), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('labour_market_segment', sa.String(length=32), nullable=True),
    sa.Column('workers_in_integration', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_matching_organisation'))
    )


def downgrade() -> None:
    op.drop_table('matching_organisation')
    op.drop_table('matching_offer_division')
    with op.batch_alter_table('matching_offer', schema=None) as batch_op:
        batch_op.drop_index('ix_matching_offer_organisation_id')

    op.drop_table('matching_offer')
    with op.batch_alter_table('matching_commitment', schema=None) as batch_op:
        batch_op.drop_index('ix_matching_commitment_offer')

    op.drop_table('matching_commitment')
