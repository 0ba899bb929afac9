"""registry: statements count once confirmed (by their e-mail link or a broker); erasure audits keep a
ground, never a free-text reason

Revision ID: 5c1d0e7a9b42
Revises: e2bb5975218d
Create Date: 2026-12-03 12:30:00

Statements filed before this revision stay unconfirmed: a broker confirms those that should count.
The free-text reasons already kept in the audit of erased statements are removed.
"""
from alembic import op
import sqlalchemy as sa


revision = '5c1d0e7a9b42'
down_revision = 'e2bb5975218d'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('registry_support_statement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('confirmed_by', sa.String(length=100), nullable=True))
    with op.batch_alter_table('registry_support_statement_audit', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ground', sa.String(length=32), nullable=True))
    op.execute("UPDATE registry_support_statement_audit SET reason = NULL WHERE statement_id IN "
               "(SELECT id FROM registry_support_statement WHERE status = 'erased')")
    op.create_table('registry_statement_confirmation',
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['statement_id'], ['registry_support_statement.id'], name=op.f('fk_registry_statement_confirmation_statement_id_registry_support_statement')),
    sa.PrimaryKeyConstraint('statement_id', name=op.f('pk_registry_statement_confirmation')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_registry_statement_confirmation_token_hash'))
    )
    op.create_table('registry_confirmation_mail',
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('link', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['statement_id'], ['registry_support_statement.id'], name=op.f('fk_registry_confirmation_mail_statement_id_registry_support_statement')),
    sa.PrimaryKeyConstraint('statement_id', name=op.f('pk_registry_confirmation_mail'))
    )


def downgrade() -> None:
    op.drop_table('registry_confirmation_mail')
    op.drop_table('registry_statement_confirmation')
    with op.batch_alter_table('registry_support_statement_audit', schema=None) as batch_op:
        batch_op.drop_column('ground')
    with op.batch_alter_table('registry_support_statement', schema=None) as batch_op:
        batch_op.drop_column('confirmed_by')
        batch_op.drop_column('confirmed_at')
