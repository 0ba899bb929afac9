"""kernel, dead letters keep a digest, not the message: the envelope without `data`, SHA-256 of `data`
and of the message, its length. Existing bodies are digested and dropped.

Revision ID: 5c2e8f4a9d17
Revises: 89db20a5c575
Create Date: 2026-12-03 14:00:00
"""
from alembic import op
import sqlalchemy as sa

from services.common.inbox import dead_letter_digest  # a pure function of the body: the rule of the code


revision = '5c2e8f4a9d17'
down_revision = '89db20a5c575'
branch_labels = None
depends_on = None

_rows = sa.table('dead_letter', sa.column('id', sa.BigInteger()), sa.column('body', sa.Text()),
                 sa.column('envelope', sa.Text()), sa.column('data_sha256', sa.String(64)),
                 sa.column('body_sha256', sa.String(64)), sa.column('body_length', sa.Integer()))


def upgrade() -> None:
    with op.batch_alter_table('dead_letter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('envelope', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('data_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('body_sha256', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('body_length', sa.Integer(), nullable=True))
    conn = op.get_bind()
    for letter_id, body in conn.execute(sa.select(_rows.c.id, _rows.c.body)).all():
        conn.execute(_rows.update().where(_rows.c.id == letter_id).values(**dead_letter_digest(body)))
    with op.batch_alter_table('dead_letter', schema=None) as batch_op:
        batch_op.alter_column('body_sha256', existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column('body_length', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('body')


def downgrade() -> None:
    # The bodies are gone; the envelope (without its data) is what can be put back.
    with op.batch_alter_table('dead_letter', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body', sa.Text(), nullable=True))
    op.execute(_rows.update().values(body=sa.func.coalesce(_rows.c.envelope, '')))
    with op.batch_alter_table('dead_letter', schema=None) as batch_op:
        batch_op.alter_column('body', existing_type=sa.Text(), nullable=False)
        batch_op.drop_column('body_length')
        batch_op.drop_column('body_sha256')
        batch_op.drop_column('data_sha256')
        batch_op.drop_column('envelope')
