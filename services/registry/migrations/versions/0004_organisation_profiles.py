"""registry: an organisation's public profile (shop window) in each of the site's languages (issue 14)

Revision ID: 3f8b2d6e0a15
Revises: 9e2a6c4d1b73
Create Date: 2026-12-04 20:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = '3f8b2d6e0a15'
down_revision = '9e2a6c4d1b73'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'registry_organisation_profile',
        sa.Column('organisation_id', sa.String(length=36), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['organisation_id'], ['registry_organisation.id'],
                                name=op.f('fk_registry_organisation_profile_organisation_id_registry_organisation')),
        sa.PrimaryKeyConstraint('organisation_id', 'language', name=op.f('pk_registry_organisation_profile')),
    )


def downgrade() -> None:
    op.drop_table('registry_organisation_profile')
