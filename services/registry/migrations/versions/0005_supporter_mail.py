"""registry: supporters get mail (issue 15): the confirmation link goes through the site's notification
outbox, so the table of links waiting to be mailed goes; a statement keeps the page language of its
supporter and their choice of the newsletter; the newsletters sent

Revision ID: 7a4c1e9d2b60
Revises: 3f8b2d6e0a15
Create Date: 2026-12-04 23:55:00
"""
from alembic import op
import sqlalchemy as sa


revision = '7a4c1e9d2b60'
down_revision = '3f8b2d6e0a15'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('registry_support_statement') as batch:
        batch.add_column(sa.Column('language', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('newsletter', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        'registry_newsletter',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('texts', sa.JSON(), nullable=False),
        sa.Column('sent_by', sa.String(length=100), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recipients', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_newsletter')),
    )
    # Links still waiting here were never mailed (no sender existed): a broker confirms those statements.
    op.drop_table('registry_confirmation_mail')


def downgrade() -> None:
    op.create_table(
        'registry_confirmation_mail',
        sa.Column('statement_id', sa.String(length=36), nullable=False),
        sa.Column('link', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['statement_id'], ['registry_support_statement.id'],
                                name=op.f('fk_registry_confirmation_mail_statement_id_registry_support_statement')),
        sa.PrimaryKeyConstraint('statement_id', name=op.f('pk_registry_confirmation_mail')),
    )
    op.drop_table('registry_newsletter')
    with op.batch_alter_table('registry_support_statement') as batch:
        batch.drop_column('newsletter')
        batch.drop_column('language')
