"""label, a trusted mark: renewal by re-assessment (application purpose), the agency's criteria catalogues,
evidence documents, appeals, spot-check draws, and the link a complainant follows a complaint by

Revision ID: 4455b45f2d09
Revises: f0dafc818893
Create Date: 2026-12-05 21:11:02.776685
"""
from alembic import op
import sqlalchemy as sa


revision = '4455b45f2d09'
down_revision = 'f0dafc818893'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('label_appeal',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('against', sa.String(length=16), nullable=False),
    sa.Column('application_id', sa.String(length=36), nullable=True),
    sa.Column('label_number', sa.String(length=40), nullable=True),
    sa.Column('holder_organisation_id', sa.String(length=36), nullable=False),
    sa.Column('grounds', sa.Text(), nullable=False),
    sa.Column('filed_by', sa.String(length=100), nullable=False),
    sa.Column('excluded', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=True),
    sa.Column('decision_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_label_appeal'))
    )
    with op.batch_alter_table('label_appeal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_label_appeal_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_label_appeal_holder_organisation_id'), ['holder_organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_label_appeal_label_number'), ['label_number'], unique=False)

    op.create_table('label_criteria',
    sa.Column('version', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('applies_from', sa.Date(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_label_criteria'))
    )
    op.create_table('label_document',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('application_id', sa.String(length=36), nullable=False),
    sa.Column('criterion_id', sa.String(length=64), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('media_type', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=True),
    sa.Column('uploaded_by', sa.String(length=100), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_label_document'))
    )
    with op.batch_alter_table('label_document', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_label_document_application_id'), ['application_id'], unique=False)

    op.create_table('label_spot_check_draw',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('share', sa.Numeric(precision=5, scale=4), nullable=False),
    sa.Column('population', sa.JSON(), nullable=False),
    sa.Column('drawn', sa.JSON(), nullable=False),
    sa.Column('drawn_by', sa.String(length=100), nullable=False),
    sa.Column('drawn_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_label_spot_check_draw')),
    sa.UniqueConstraint('year', name=op.f('uq_label_spot_check_draw_year'))
    )
    with op.batch_alter_table('label_application', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=16), server_default='new', nullable=False))

    with op.batch_alter_table('label_complaint', schema=None) as batch_op:
        batch_op.add_column(sa.Column('tracking_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_label_complaint_tracking_hash'), ['tracking_hash'])




def downgrade() -> None:
    
    with op.batch_alter_table('label_complaint', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_label_complaint_tracking_hash'), type_='unique')
        batch_op.drop_column('tracking_hash')

    with op.batch_alter_table('label_application', schema=None) as batch_op:
        batch_op.drop_column('purpose')

    op.drop_table('label_spot_check_draw')
    with op.batch_alter_table('label_document', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_label_document_application_id'))

    op.drop_table('label_document')
    op.drop_table('label_criteria')
    with op.batch_alter_table('label_appeal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_label_appeal_label_number'))
        batch_op.drop_index(batch_op.f('ix_label_appeal_holder_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_label_appeal_application_id'))

    op.drop_table('label_appeal')

