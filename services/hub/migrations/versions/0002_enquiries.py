"""hub tables: consolidated enquiries (+ CPV codes), agreements and impact records

Revision ID: 7cdd3a7ad048
Revises: e626ff17d044
Create Date: 2026-11-22 19:41:37.858511
"""
from alembic import op
import sqlalchemy as sa


revision = '7cdd3a7ad048'
down_revision = 'e626ff17d044'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hub_agreements',
    sa.Column('site', sa.String(length=8), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('aggregate_version', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.String(length=36), nullable=False),
    sa.Column('last_occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('enquiry_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('offer_id', sa.String(length=36), nullable=True),
    sa.Column('quantity', sa.Numeric(precision=18, scale=3), nullable=False),
    sa.Column('unit', sa.String(length=50), nullable=False),
    sa.Column('price', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('delivery_date', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.PrimaryKeyConstraint('site', 'id', name=op.f('pk_hub_agreements'))
    )
    with op.batch_alter_table('hub_agreements', schema=None) as batch_op:
        batch_op.create_index('ix_hub_agreements_enquiry', ['site', 'enquiry_id'], unique=False)

    op.create_table('hub_enquiries',
    sa.Column('site', sa.String(length=8), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('aggregate_version', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.String(length=36), nullable=False),
    sa.Column('last_occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('state', sa.String(length=32), nullable=False),
    sa.Column('client_kind', sa.String(length=32), nullable=False),
    sa.Column('client_organisation_id', sa.String(length=36), nullable=True),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('cpv_codes', sa.JSON(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=18, scale=3), nullable=True),
    sa.Column('unit', sa.String(length=50), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('delivery_nuts3', sa.String(length=5), nullable=True),
    sa.Column('budget', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('label_required', sa.Boolean(), nullable=False),
    sa.Column('cross_border_allowed', sa.Boolean(), nullable=False),
    sa.Column('cross_border_flagged', sa.Boolean(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_year', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('site', 'id', name=op.f('pk_hub_enquiries'))
    )
    with op.batch_alter_table('hub_enquiries', schema=None) as batch_op:
        batch_op.create_index('ix_hub_enquiries_site_state', ['site', 'state'], unique=False)
        batch_op.create_index('ix_hub_enquiries_submitted_year', ['submitted_year'], unique=False)

    op.create_table('hub_impact',
    sa.Column('site', sa.String(length=8), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('aggregate_version', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.String(length=36), nullable=False),
    sa.Column('last_occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('agreement_id', sa.String(length=36), nullable=False),
    sa.Column('enquiry_id', sa.String(length=36), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value_paid', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('value_paid_eur', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('material_diverted_kg', sa.Numeric(precision=18, scale=3), nullable=True),
    sa.Column('regional_share', sa.Numeric(precision=7, scale=4), nullable=True),
    sa.Column('distance_km', sa.Numeric(precision=18, scale=3), nullable=True),
    sa.Column('production_nuts3', sa.String(length=5), nullable=True),
    sa.Column('integration_hours', sa.Numeric(precision=18, scale=3), nullable=True),
    sa.PrimaryKeyConstraint('site', 'id', name=op.f('pk_hub_impact'))
    )
    with op.batch_alter_table('hub_impact', schema=None) as batch_op:
        batch_op.create_index('ix_hub_impact_enquiry', ['site', 'enquiry_id'], unique=False)
        batch_op.create_index('ix_hub_impact_site_year', ['site', 'year'], unique=False)

    op.create_table('hub_enquiry_cpv',
    sa.Column('site', sa.String(length=8), nullable=False),
    sa.Column('enquiry_id', sa.String(length=36), nullable=False),
    sa.Column('cpv_code', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['site', 'enquiry_id'], ['hub_enquiries.site', 'hub_enquiries.id'], name=op.f('fk_hub_enquiry_cpv_site_hub_enquiries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site', 'enquiry_id', 'cpv_code', name=op.f('pk_hub_enquiry_cpv'))
    )
    with op.batch_alter_table('hub_enquiry_cpv', schema=None) as batch_op:
        batch_op.create_index('ix_hub_enquiry_cpv_code', ['cpv_code'], unique=False, postgresql_ops={'cpv_code': 'varchar_pattern_ops'})


def downgrade() -> None:
    with op.batch_alter_table('hub_enquiry_cpv', schema=None) as batch_op:
        batch_op.drop_index('ix_hub_enquiry_cpv_code', postgresql_ops={'cpv_code': 'varchar_pattern_ops'})

    op.drop_table('hub_enquiry_cpv')
    with op.batch_alter_table('hub_impact', schema=None) as batch_op:
        batch_op.drop_index('ix_hub_impact_site_year')
        batch_op.drop_index('ix_hub_impact_enquiry')

    op.drop_table('hub_impact')
    with op.batch_alter_table('hub_enquiries', schema=None) as batch_op:
        batch_op.drop_index('ix_hub_enquiries_submitted_year')
        batch_op.drop_index('ix_hub_enquiries_site_state')

    op.drop_table('hub_enquiries')
    with op.batch_alter_table('hub_agreements', schema=None) as batch_op:
        batch_op.drop_index('ix_hub_agreements_enquiry')

    op.drop_table('hub_agreements')
