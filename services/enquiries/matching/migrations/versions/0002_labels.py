"""matching labels: projection of the site's labels (number, holder, CPV codes, status, validity) from label events

Revision ID: 27d64af80810
Revises: 17e1da3f4c2c
Create Date: 2026-11-22 20:57:11.070321
"""
from alembic import op
import sqlalchemy as sa


revision = '27d64af80810'
down_revision = '17e1da3f4c2c'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('matching_label',
    sa.Column('label_id', sa.String(length=36), nullable=False),
    sa.Column('aggregate_version', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.String(length=36), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('holder_organisation_id', sa.String(length=36), nullable=False),
    sa.Column('cpv_codes', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.PrimaryKeyConstraint('label_id', name=op.f('pk_matching_label'))
    )
    with op.batch_alter_table('matching_label', schema=None) as batch_op:
        batch_op.create_index('ix_matching_label_holder', ['holder_organisation_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('matching_label', schema=None) as batch_op:
        batch_op.drop_index('ix_matching_label_holder')

    op.drop_table('matching_label')
