"""enquiries: the client-facing agreement of a cross-border order, one line per part (issue 13)

Revision ID: 7c41d2e8b0f5
Revises: 5b0e3c1d9a27
Create Date: 2026-12-04 16:40:00.000000
"""
from alembic import op
import sqlalchemy as sa

# services.common.db.ExactDecimal as the database sees it (frozen here, as a migration must be).
MONEY = sa.Numeric(precision=18, scale=4).with_variant(sa.String(length=20), 'sqlite')
RATE = sa.Numeric(precision=18, scale=8).with_variant(sa.String(length=20), 'sqlite')


revision = '7c41d2e8b0f5'
down_revision = '5b0e3c1d9a27'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('enquiries_consortium_agreement',
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('enquiry_id', sa.String(length=36), nullable=False),
    sa.Column('made_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('unit', sa.String(length=50), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('rate_to_eur', RATE, nullable=False),
    sa.ForeignKeyConstraint(['enquiry_id'], ['enquiries_enquiry.id'],
                            name=op.f('fk_enquiries_consortium_agreement_enquiry_id_enquiries_enquiry')),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_enquiries_consortium_agreement')),
    sa.UniqueConstraint('enquiry_id', name=op.f('uq_enquiries_consortium_agreement_enquiry_id'))
    )
    op.create_table('enquiries_consortium_agreement_line',
    sa.Column('part_id', sa.String(length=36), nullable=False),
    sa.Column('order_id', sa.String(length=36), nullable=False),
    sa.Column('site', sa.String(length=8), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=False),
    sa.Column('organisation_name', sa.String(length=300), nullable=True),
    sa.Column('offer_id', sa.String(length=36), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('unit_price', MONEY, nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('unit_price_eur', MONEY, nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('delivered', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['enquiries_consortium_agreement.order_id'],
                            name=op.f('fk_enquiries_consortium_agreement_line_order_id_enquiries_consortium_agreement')),
    sa.PrimaryKeyConstraint('part_id', name=op.f('pk_enquiries_consortium_agreement_line'))
    )
    with op.batch_alter_table('enquiries_consortium_agreement_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enquiries_consortium_agreement_line_order_id'), ['order_id'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('enquiries_consortium_agreement_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enquiries_consortium_agreement_line_order_id'))
    op.drop_table('enquiries_consortium_agreement_line')
    op.drop_table('enquiries_consortium_agreement')
