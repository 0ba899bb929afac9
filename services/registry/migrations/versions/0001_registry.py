"""registry tables

Revision ID: e2bb5975218d
Revises: 
Create Date: 2026-11-22 18:50:40.347324
"""
from alembic import op
import sqlalchemy as sa

# services.common.db.ExactDecimal as the database sees it (frozen here, as a migration must be).
EXACT_DECIMAL = sa.Numeric(precision=18, scale=4).with_variant(sa.String(length=20), 'sqlite')

revision = 'e2bb5975218d'
down_revision = None
branch_labels = ('registry',)
depends_on = None


def upgrade() -> None:
    op.create_table('registry_counter',
    sa.Column('letter', sa.String(length=1), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('letter', 'year', name=op.f('pk_registry_counter'))
    )
    op.create_table('registry_organisation',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('registration_number', sa.String(length=64), nullable=False),
    sa.Column('registration_key', sa.String(length=64), nullable=False),
    sa.Column('street', sa.String(length=200), nullable=False),
    sa.Column('postcode', sa.String(length=16), nullable=False),
    sa.Column('town', sa.String(length=100), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('nuts3', sa.String(length=5), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('labour_market_segment', sa.String(length=32), nullable=True),
    sa.Column('workers_in_integration', sa.Integer(), nullable=True),
    sa.Column('website', sa.String(length=300), nullable=True),
    sa.Column('contact_name', sa.String(length=200), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('contact_phone', sa.String(length=32), nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_organisation')),
    sa.UniqueConstraint('reference', name=op.f('uq_registry_organisation_reference')),
    sa.UniqueConstraint('registration_key', name=op.f('uq_registry_organisation_registration_key'))
    )
    with op.batch_alter_table('registry_organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_organisation_nuts3'), ['nuts3'], unique=False)

    op.create_table('registry_support_statement',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('first_name', sa.String(length=100), nullable=True),
    sa.Column('last_name', sa.String(length=100), nullable=True),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('phone_kind', sa.String(length=8), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('organisation_name', sa.String(length=200), nullable=True),
    sa.Column('organisation_kind', sa.String(length=32), nullable=True),
    sa.Column('consent', sa.Boolean(), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('nuts3', sa.String(length=5), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_support_statement')),
    sa.UniqueConstraint('reference', name=op.f('uq_registry_support_statement_reference'))
    )
    with op.batch_alter_table('registry_support_statement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_support_statement_nuts3'), ['nuts3'], unique=False)

    op.create_table('registry_case_study',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('cpv_codes', sa.JSON(), nullable=False),
    sa.Column('client_organisation_id', sa.String(length=36), nullable=True),
    sa.Column('social_enterprise_id', sa.String(length=36), nullable=True),
    sa.Column('value_paid_eur', EXACT_DECIMAL, nullable=True),
    sa.Column('material_diverted_kg', EXACT_DECIMAL, nullable=True),
    sa.Column('integration_hours', EXACT_DECIMAL, nullable=True),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['client_organisation_id'], ['registry_organisation.id'], name=op.f('fk_registry_case_study_client_organisation_id_registry_organisation')),
    sa.ForeignKeyConstraint(['social_enterprise_id'], ['registry_organisation.id'], name=op.f('fk_registry_case_study_social_enterprise_id_registry_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_case_study')),
    sa.UniqueConstraint('reference', name=op.f('uq_registry_case_study_reference'))
    )
    op.create_table('registry_offer',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('reference', sa.String(length=32), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('cpv_codes', sa.JSON(), nullable=False),
    sa.Column('capacity_per_week', EXACT_DECIMAL, nullable=False),
    sa.Column('unit', sa.String(length=50), nullable=False),
    sa.Column('lead_time_days', sa.Integer(), nullable=False),
    sa.Column('price_min', EXACT_DECIMAL, nullable=True),
    sa.Column('price_max', EXACT_DECIMAL, nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('delivery_radius_km', sa.Integer(), nullable=True),
    sa.Column('cross_border', sa.Boolean(), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['registry_organisation.id'], name=op.f('fk_registry_offer_organisation_id_registry_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_offer')),
    sa.UniqueConstraint('reference', name=op.f('uq_registry_offer_reference'))
    )
    with op.batch_alter_table('registry_offer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_offer_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('registry_support_statement_audit',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['statement_id'], ['registry_support_statement.id'], name=op.f('fk_registry_support_statement_audit_statement_id_registry_support_statement')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_support_statement_audit'))
    )
    with op.batch_alter_table('registry_support_statement_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_support_statement_audit_statement_id'), ['statement_id'], unique=False)

    op.create_table('registry_case_study_cpv',
    sa.Column('case_study_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['case_study_id'], ['registry_case_study.id'], name=op.f('fk_registry_case_study_cpv_case_study_id_registry_case_study'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('case_study_id', 'code', name=op.f('pk_registry_case_study_cpv'))
    )
    with op.batch_alter_table('registry_case_study_cpv', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_case_study_cpv_code'), ['code'], unique=False)

    op.create_table('registry_offer_cpv',
    sa.Column('offer_id', sa.String(length=36), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['offer_id'], ['registry_offer.id'], name=op.f('fk_registry_offer_cpv_offer_id_registry_offer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('offer_id', 'code', name=op.f('pk_registry_offer_cpv'))
    )
    with op.batch_alter_table('registry_offer_cpv', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_offer_cpv_code'), ['code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('registry_offer_cpv', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_offer_cpv_code'))

    op.drop_table('registry_offer_cpv')
    with op.batch_alter_table('registry_case_study_cpv', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_case_study_cpv_code'))

    op.drop_table('registry_case_study_cpv')
    with op.batch_alter_table('registry_support_statement_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_support_statement_audit_statement_id'))

    op.drop_table('registry_support_statement_audit')
    with op.batch_alter_table('registry_offer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_offer_organisation_id'))

    op.drop_table('registry_offer')
    op.drop_table('registry_case_study')
    with op.batch_alter_table('registry_support_statement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_support_statement_nuts3'))

    op.drop_table('registry_support_statement')
    with op.batch_alter_table('registry_organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_organisation_nuts3'))

    op.drop_table('registry_organisation')
    op.drop_table('registry_counter')
