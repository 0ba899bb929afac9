"""hub tables: consolidated organisations, offers (+ CPV codes), support statements, case studies

Revision ID: e626ff17d044
Revises: 
Create Date: 2026-11-22 18:48:09.666812
"""
from alembic import op
import sqlalchemy as sa


revision = 'e626ff17d044'
down_revision = None
branch_labels = ('hub',)
depends_on = None


def upgrade() -> None:
    op.create_table('hub_case_study',
    sa.Column('site', sa.String(length=8), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('aggregate_version', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.String(length=36), nullable=False),
    sa.Column('last_occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('client_organisation_id', sa.String(length=36), nullable=True),
    sa.Column('social_enterprise_id', sa.String(length=36), nullable=True),
    sa.Column('cpv_codes', sa.JSON(), nullable=True),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('value_paid_eur', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('material_diverted_kg', sa.Numeric(precision=18, scale=3), nullable=True),
    sa.Column('integration_hours', sa.Numeric(precision=18, scale=3), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('site', 'id', name=op.f('pk_hub_case_study'))
    )
    op.create_table('hub_offer',
    sa.Column('site', sa.String(length=8), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('aggregate_version', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.String(length=36), nullable=False),
    sa.Column('last_occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('cpv_codes', sa.JSON(), nullable=True),
    sa.Column('capacity_per_week', sa.Numeric(precision=18, scale=3), nullable=True),
    sa.Column('unit', sa.String(length=50), nullable=True),
    sa.Column('lead_time_days', sa.Integer(), nullable=True),
    sa.Column('price_min', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('price_max', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=True),
    sa.Column('delivery_radius_km', sa.Integer(), nullable=True),
    sa.Column('cross_border', sa.Boolean(), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('site', 'id', name=op.f('pk_hub_offer'))
    )
    with op.batch_alter_table('hub_offer', schema=None) as batch_op:
        batch_op.create_index('ix_hub_offer_organisation', ['site', 'organisation_id'], unique=False)

    op.create_table('hub_organisation',
    sa.Column('site', sa.String(length=8), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('aggregate_version', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.String(length=36), nullable=False),
    sa.Column('last_occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=True),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('town', sa.String(length=200), nullable=True),
    sa.Column('postcode', sa.String(length=20), nullable=True),
    sa.Column('country', sa.String(length=2), nullable=True),
    sa.Column('nuts3', sa.String(length=5), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('labour_market_segment', sa.String(length=32), nullable=True),
    sa.Column('workers_in_integration', sa.Integer(), nullable=True),
    sa.Column('website', sa.String(length=500), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('site', 'id', name=op.f('pk_hub_organisation'))
    )
    with op.batch_alter_table('hub_organisation', schema=None) as batch_op:
        batch_op.create_index('ix_hub_organisation_nuts3', ['nuts3'], unique=False)
        batch_op.create_index('ix_hub_organisation_status_kind', ['status', 'kind'], unique=False)

    op.create_table('hub_support_statement',
    sa.Column('site', sa.String(length=8), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('aggregate_version', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.String(length=36), nullable=False),
    sa.Column('last_occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=True),
    sa.Column('organisation_kind', sa.String(length=32), nullable=True),
    sa.Column('nuts3', sa.String(length=5), nullable=True),
    sa.Column('given_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('site', 'id', name=op.f('pk_hub_support_statement'))
    )
    with op.batch_alter_table('hub_support_statement', schema=None) as batch_op:
        batch_op.create_index('ix_hub_support_statement_status', ['status', 'site'], unique=False)

    op.create_table('hub_offer_cpv',
    sa.Column('site', sa.String(length=8), nullable=False),
    sa.Column('offer_id', sa.String(length=36), nullable=False),
    sa.Column('cpv_code', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['site', 'offer_id'], ['hub_offer.site', 'hub_offer.id'], name=op.f('fk_hub_offer_cpv_site_hub_offer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site', 'offer_id', 'cpv_code', name=op.f('pk_hub_offer_cpv'))
    )
    with op.batch_alter_table('hub_offer_cpv', schema=None) as batch_op:
        batch_op.create_index('ix_hub_offer_cpv_code', ['cpv_code'], unique=False, postgresql_ops={'cpv_code': 'varchar_pattern_ops'})


def downgrade() -> None:
    with op.batch_alter_table('hub_offer_cpv', schema=None) as batch_op:
        batch_op.drop_index('ix_hub_offer_cpv_code')

    op.drop_table('hub_offer_cpv')
    with op.batch_alter_table('hub_support_statement', schema=None) as batch_op:
        batch_op.drop_index('ix_hub_support_statement_status')

    op.drop_table('hub_support_statement')
    with op.batch_alter_table('hub_organisation', schema=None) as batch_op:
        batch_op.drop_index('ix_hub_organisation_status_kind')
        batch_op.drop_index('ix_hub_organisation_nuts3')

    op.drop_table('hub_organisation')
    with op.batch_alter_table('hub_offer', schema=None) as batch_op:
        batch_op.drop_index('ix_hub_offer_organisation')

    op.drop_table('hub_offer')
    op.drop_table('hub_case_study')
