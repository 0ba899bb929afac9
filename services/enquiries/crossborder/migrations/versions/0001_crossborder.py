"""crossborder tables: forwarded parts and the consortium of own orders

Revision ID: c8072de2cb0e
Revises: 
Create Date: 2026-11-22 21:36:33.689034
"""
from alembic import op
import sqlalchemy as sa

import services.common.db


revision = 'c8072de2cb0e'
down_revision = None
branch_labels = ('enquiries_crossborder',)
depends_on = None


def upgrade() -> None:
    
    op.create_table('enquiries_xb_consortium',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('enquiry_id', sa.String(length=36), nullable=False),
    sa.Column('aggregate_version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('correlation_id', sa.String(length=200), nullable=True),
    sa.Column('updated_at', services.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enquiries_xb_consortium'))
    )
    with op.batch_alter_table('enquiries_xb_consortium', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enquiries_xb_consortium_enquiry_id'), ['enquiry_id'], unique=False)

    op.create_table('enquiries_xb_part',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('origin_site', sa.String(length=8), nullable=False),
    sa.Column('correlation_id', sa.String(length=200), nullable=False),
    sa.Column('forwarded_event_id', sa.String(length=36), nullable=False),
    sa.Column('enquiry_reference', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('cpv_codes', sa.JSON(), nullable=False),
    sa.Column('offer_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=50), nullable=True),
    sa.Column('unit_price', services.common.db.ExactDecimal(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('delivery_nuts3', sa.String(length=5), nullable=True),
    sa.Column('label_required', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by', sa.String(length=200), nullable=True),
    sa.Column('answered_at', services.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.Column('received_at', services.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enquiries_xb_part'))
    )
    with op.batch_alter_table('enquiries_xb_part', schema=None) as batch_op:
        batch_op.create_index('ix_enquiries_xb_part_status', ['status', 'received_at'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('enquiries_xb_part', schema=None) as batch_op:
        batch_op.drop_index('ix_enquiries_xb_part_status')

    op.drop_table('enquiries_xb_part')
    with op.batch_alter_table('enquiries_xb_consortium', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enquiries_xb_consortium_enquiry_id'))

    op.drop_table('enquiries_xb_consortium')
    
