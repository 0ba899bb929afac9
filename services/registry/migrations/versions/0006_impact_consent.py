"""registry: a social enterprise's consent to show its impact totals on its public profile (issue 18), with
who decided and when; no row means not shown

Revision ID: c5d81f3a9e27
Revises: 7a4c1e9d2b60
Create Date: 2026-12-06 01:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'c5d81f3a9e27'
down_revision = '7a4c1e9d2b60'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'registry_impact_consent',
        sa.Column('organisation_id', sa.String(length=36), nullable=False),
        sa.Column('shown', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column('decided_by', sa.String(length=100), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['registry_organisation.id'],
                                name=op.f('fk_registry_impact_consent_organisation_id_registry_organisation')),
        sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_registry_impact_consent')),
    )


def downgrade() -> None:
    op.drop_table('registry_impact_consent')
