"""kernel, revocation: a user's token version (raised to end every token issued before), and the
server-side web sessions

Revision ID: 89db20a5c575
Revises: d7d931a05d84
Create Date: 2026-12-03 12:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = '89db20a5c575'
down_revision = 'd7d931a05d84'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('auth_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('token_version', sa.Integer(), server_default='0', nullable=False))
    op.create_table('web_session',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('token', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id_hash', name=op.f('pk_web_session'))
    )
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_web_session_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_web_session_username'), ['username'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('web_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_web_session_username'))
        batch_op.drop_index(batch_op.f('ix_web_session_expires_at'))
    op.drop_table('web_session')
    with op.batch_alter_table('auth_user', schema=None) as batch_op:
        batch_op.drop_column('token_version')
