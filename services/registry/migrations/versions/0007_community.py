"""registry, knowledge and community (issue 19): case studies' titles and summaries in further languages,
the good-practice handbook's PDFs, and the registered organisation an organisation's statement of support
names

Revision ID: d1e2a7c4b903
Revises: c5d81f3a9e27
Create Date: 2026-12-06 04:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'd1e2a7c4b903'
down_revision = 'c5d81f3a9e27'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'registry_case_study_text',
        sa.Column('case_study_id', sa.String(length=36), nullable=False),
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['case_study_id'], ['registry_case_study.id'], ondelete='CASCADE',
                                name=op.f('fk_registry_case_study_text_case_study_id_registry_case_study')),
        sa.PrimaryKeyConstraint('case_study_id', 'language', name=op.f('pk_registry_case_study_text')),
    )
    op.create_table(
        'registry_handbook',
        sa.Column('language', sa.String(length=2), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('pdf', sa.LargeBinary(), nullable=False),
        sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('language', name=op.f('pk_registry_handbook')),
    )
    with op.batch_alter_table('registry_support_statement') as batch:
        batch.add_column(sa.Column('organisation_id', sa.String(length=36), nullable=True))
        batch.create_index(batch.f('ix_registry_support_statement_organisation_id'), ['organisation_id'])
        batch.create_foreign_key(
            batch.f('fk_registry_support_statement_organisation_id_registry_organisation'),
            'registry_organisation', ['organisation_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('registry_support_statement') as batch:
        batch.drop_constraint(batch.f('fk_registry_support_statement_organisation_id_registry_organisation'),
                              type_='foreignkey')
        batch.drop_index(batch.f('ix_registry_support_statement_organisation_id'))
        batch.drop_column('organisation_id')
    op.drop_table('registry_handbook')
    op.drop_table('registry_case_study_text')
