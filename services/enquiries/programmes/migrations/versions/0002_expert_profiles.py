"""programmes: the consultant's public professional profile (issue 19, the expert base): region, summaries
per language, publications, and the consent to show them (when, and which staff user recorded it); no
consent means no public profile

Revision ID: 5e0b7c2d9a41
Revises: 4ad5ec7177f9
Create Date: 2026-12-06 04:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '5e0b7c2d9a41'
down_revision = '4ad5ec7177f9'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('programmes_consultant', schema=None) as batch_op:
        batch_op.add_column(sa.Column('region', sa.String(length=5), nullable=True))
        batch_op.add_column(sa.Column('summaries', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('publications', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('profile_consent_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('profile_consent_by', sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('programmes_consultant', schema=None) as batch_op:
        batch_op.drop_column('profile_consent_by')
        batch_op.drop_column('profile_consent_at')
        batch_op.drop_column('publications')
        batch_op.drop_column('summaries')
        batch_op.drop_column('region')
