"""hub tables: the network-wide label register (+ CPV codes)

Revision ID: 86aaa6a7ef9d
Revises: 7cdd3a7ad048
Create Date: 2026-11-22 20:32:56.682350
"""
from alembic import op
import sqlalchemy as sa


revision = '86aaa6a7ef9d'
down_revision = '7cdd3a7ad048'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hub_labels',
    sa.Column('site', sa.String(length=8), nullable=False),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('aggregate_version', sa.Integer(), nullable=False),
    sa.Column('last_event_id', sa.String(length=36), nullable=False),
    sa.Column('last_occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('holder_organisation_id', sa.String(length=36), nullable=False),
    sa.Column('holder_name', sa.String(length=200), nullable=False),
    sa.Column('product', sa.String(length=300), nullable=False),
    sa.Column('cpv_codes', sa.JSON(), nullable=False),
    sa.Column('catalogue_version', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('suspended_until', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('holder_search', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('site', 'id', name=op.f('pk_hub_labels')),
    sa.UniqueConstraint('number', name=op.f('uq_hub_labels_number'))
    )
    with op.batch_alter_table('hub_labels', schema=None) as batch_op:
        batch_op.create_index('ix_hub_labels_site_status', ['site', 'status'], unique=False)

    op.create_table('hub_label_cpv',
    sa.Column('site', sa.String(length=8), nullable=False),
    sa.Column('label_id', sa.String(length=36), nullable=False),
    sa.Column('cpv_code', sa.String(length=8), nullable=False),
    sa.ForeignKeyConstraint(['site', 'label_id'], ['hub_labels.site', 'hub_labels.id'], name=op.f('fk_hub_label_cpv_site_hub_labels'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site', 'label_id', 'cpv_code', name=op.f('pk_hub_label_cpv'))
    )
    with op.batch_alter_table('hub_label_cpv', schema=None) as batch_op:
        batch_op.create_index('ix_hub_label_cpv_code', ['cpv_code'], unique=False, postgresql_ops={'cpv_code': 'varchar_pattern_ops'})


def downgrade() -> None:
    with op.batch_alter_table('hub_label_cpv', schema=None) as batch_op:
        batch_op.drop_index('ix_hub_label_cpv_code', postgresql_ops={'cpv_code': 'varchar_pattern_ops'})

    op.drop_table('hub_label_cpv')
    with op.batch_alter_table('hub_labels', schema=None) as batch_op:
        batch_op.drop_index('ix_hub_labels_site_status')

    op.drop_table('hub_labels')
