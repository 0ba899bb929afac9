"""programme tables

Revision ID: 4ad5ec7177f9
Revises: 
Create Date: 2026-11-22 19:43:06.471105
"""
from alembic import op
import sqlalchemy as sa


revision = '4ad5ec7177f9'
down_revision = None
branch_labels = ('programmes',)
depends_on = None


def upgrade() -> None:
    op.create_table('programmes_consultant',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('expertise', sa.JSON(), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programmes_consultant'))
    )
    op.create_table('programmes_programme',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('funder', sa.String(length=200), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('places', sa.Integer(), nullable=False),
    sa.Column('first_consultation_quarters', sa.Integer(), nullable=False),
    sa.Column('further_quarters', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('last_arrival', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programmes_programme'))
    )
    op.create_table('programmes_application',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('programme_id', sa.String(length=36), nullable=False),
    sa.Column('arrival', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.String(length=36), nullable=True),
    sa.Column('firm_name', sa.String(length=200), nullable=False),
    sa.Column('firm_key', sa.String(length=250), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('applied_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes_programme.id'], name=op.f('fk_programmes_application_programme_id_programmes_programme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programmes_application')),
    sa.UniqueConstraint('programme_id', 'arrival', name=op.f('uq_programmes_application_programme_id_arrival'))
    )
    with op.batch_alter_table('programmes_application', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programmes_application_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index('uq_programmes_application_live_firm', ['programme_id', 'firm_key'], unique=True, postgresql_where=sa.text("status IN ('accepted', 'waiting')"), sqlite_where=sa.text("status IN ('accepted', 'waiting')"))

    op.create_table('programmes_booking',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('programme_id', sa.String(length=36), nullable=False),
    sa.Column('application_id', sa.String(length=36), nullable=False),
    sa.Column('consultant_id', sa.String(length=36), nullable=False),
    sa.Column('delivered_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('quarters', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('booked_by', sa.String(length=100), nullable=False),
    sa.Column('booked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['programmes_application.id'], name=op.f('fk_programmes_booking_application_id_programmes_application')),
    sa.ForeignKeyConstraint(['consultant_id'], ['programmes_consultant.id'], name=op.f('fk_programmes_booking_consultant_id_programmes_consultant')),
    sa.ForeignKeyConstraint(['programme_id'], ['programmes_programme.id'], name=op.f('fk_programmes_booking_programme_id_programmes_programme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_programmes_booking'))
    )
    with op.batch_alter_table('programmes_booking', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_programmes_booking_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programmes_booking_consultant_id'), ['consultant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_programmes_booking_programme_id'), ['programme_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('programmes_booking', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_programmes_booking_programme_id'))
        batch_op.drop_index(batch_op.f('ix_programmes_booking_consultant_id'))
        batch_op.drop_index(batch_op.f('ix_programmes_booking_application_id'))

    op.drop_table('programmes_booking')
    with op.batch_alter_table('programmes_application', schema=None) as batch_op:
        batch_op.drop_index('uq_programmes_application_live_firm', postgresql_where=sa.text("status IN ('accepted', 'waiting')"), sqlite_where=sa.text("status IN ('accepted', 'waiting')"))
        batch_op.drop_index(batch_op.f('ix_programmes_application_organisation_id'))

    op.drop_table('programmes_application')
    op.drop_table('programmes_programme')
    op.drop_table('programmes_consultant')
