"""enquiries: the public version of an enquiry's title and description, approved by a broker

Revision ID: 5b0e3c1d9a27
Revises: 1efb2fbc3097
Create Date: 2026-12-03 12:30:00.000000
"""
from alembic import op
import sqlalchemy as sa


revision = '5b0e3c1d9a27'
down_revision = '1efb2fbc3097'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('enquiries_enquiry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_title', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('public_description', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('public_approved_by', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('public_approved_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('enquiries_enquiry', schema=None) as batch_op:
        batch_op.drop_column('public_approved_at')
        batch_op.drop_column('public_approved_by')
        batch_op.drop_column('public_description')
        batch_op.drop_column('public_title')
