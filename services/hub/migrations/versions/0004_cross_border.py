"""hub tables: cross-border orders and their forwarded parts

Revision ID: 9a7d496e4cce
Revises: 86aaa6a7ef9d
Create Date: 2026-11-22 21:35:21.484834
"""
from alembic import op
import sqlalchemy as sa

import services.common.db


revision = '9a7d496e4cce'
down_revision = '86aaa6a7ef9d'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('hub_xb_orders',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('origin_site', sa.String(length=8), nullable=False),
    sa.Column('enquiry_id', sa.String(length=36), nullable=False),
    sa.Column('correlation_id', sa.String(length=200), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('client_kind', sa.String(length=32), nullable=False),
    sa.Column('cpv_codes', sa.JSON(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=50), nullable=True),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('delivery_nuts3', sa.String(length=5), nullable=True),
    sa.Column('budget', services.common.db.ExactDecimal(precision=18, scale=4), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('label_required', sa.Boolean(), nullable=False),
    sa.Column('max_partners', sa.Integer(), nullable=False),
    sa.Column('min_lot', sa.Integer(), nullable=False),
    sa.Column('sites', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('allocation', sa.JSON(), nullable=False),
    sa.Column('created_at', services.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', services.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hub_xb_orders')),
    sa.UniqueConstraint('origin_site', 'enquiry_id', name=op.f('uq_hub_xb_orders_origin_site_enquiry_id'))
    )
    with op.batch_alter_table('hub_xb_orders', schema=None) as batch_op:
        batch_op.create_index('ix_hub_xb_orders_status', ['status'], unique=False)

    op.create_table('hub_xb_parts',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('site', sa.String(length=8), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('offer_id', sa.String(length=36), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', services.common.db.ExactDecimal(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('unit_cost_eur', services.common.db.ExactDecimal(precision=18, scale=4), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('forwarded_at', services.common.db.UtcDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', services.common.db.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['order_id'], ['hub_xb_orders.id'], name=op.f('fk_hub_xb_parts_order_id_hub_xb_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hub_xb_parts'))
    )
    with op.batch_alter_table('hub_xb_parts', schema=None) as batch_op:
        batch_op.create_index('ix_hub_xb_parts_offer_status', ['offer_id', 'status'], unique=False)
        batch_op.create_index('ix_hub_xb_parts_order', ['order_id'], unique=False)

    


def downgrade() -> None:
    
    with op.batch_alter_table('hub_xb_parts', schema=None) as batch_op:
        batch_op.drop_index('ix_hub_xb_parts_order')
        batch_op.drop_index('ix_hub_xb_parts_offer_status')

    op.drop_table('hub_xb_parts')
    with op.batch_alter_table('hub_xb_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_hub_xb_orders_status')

    op.drop_table('hub_xb_orders')
    
