"""registry: a case study of a cross-border order credits the consortium's social enterprises (issue 13)

Revision ID: 9e2a6c4d1b73
Revises: 5c1d0e7a9b42
Create Date: 2026-12-04 16:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = '9e2a6c4d1b73'
down_revision = '5c1d0e7a9b42'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('registry_case_study', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partners', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('registry_case_study', schema=None) as batch_op:
        batch_op.drop_column('partners')
