"""crossborder parts: reasons as JSON (codes with parameters), the answer's note, production, deliveries,
impact figures, impact and failure (issue 13)

Revision ID: a3d90149f2ee
Revises: 022f2a625e46
Create Date: 2026-12-04 16:40:00

Existing rows keep what they said: the hub's English share reason becomes a JSON string (shown as it is,
services.contracts.reasons.describe), and so does a withdrawn part's `answer` (the hub's reason) in
`withdrawal_reason`. A declined part's `answer` was the broker's own words: they become its note, with the
reason code `other` (as the hub's migration 0006 does). An accepted part's answer was its note.
The downgrade gives the previous version the four states it knows: a part in production, delivered or
failed is shown as accepted, and reasons as their text or code.
"""
from alembic import op
import sqlalchemy as sa

import services.common.db


revision = 'a3d90149f2ee'
down_revision = '022f2a625e46'
branch_labels = None
depends_on = None

TABLE = 'enquiries_crossborder_part'
_parts = sa.table(TABLE, sa.column('id', sa.String(36)), sa.column('status', sa.String(16)),
                  sa.column('reason', sa.Text()), sa.column('answer', sa.Text()), sa.column('share_reason', sa.JSON()),
                  sa.column('note', sa.Text()), sa.column('decline_reason', sa.JSON()),
                  sa.column('withdrawal_reason', sa.JSON()), sa.column('figures', sa.JSON()))
OTHER = {"code": "other", "params": {}}


def upgrade() -> None:
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.add_column(sa.Column('share_reason', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('decline_reason', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('withdrawal_reason', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('started_at', services.common.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_at', services.common.db.UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('figures', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('impact', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('failure', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('failure_note', sa.Text(), nullable=True))
    conn = op.get_bind()
    for part_id, status, reason, answer in conn.execute(
            sa.select(_parts.c.id, _parts.c.status, _parts.c.reason, _parts.c.answer)).all():
        values = {"share_reason": reason, "figures": {}}
        if status == "withdrawn":
            values["withdrawal_reason"] = answer
        else:
            values["note"] = answer
        if status == "declined":
            values["decline_reason"] = OTHER
        conn.execute(_parts.update().where(_parts.c.id == part_id).values(**values))
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_column('reason')
        batch_op.drop_column('answer')
        batch_op.alter_column('share_reason', new_column_name='reason', existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column('figures', existing_type=sa.JSON(), nullable=False)
        batch_op.create_index('ix_enquiries_crossborder_part_organisation', ['organisation_id', 'received_at'],
                              unique=False)
    op.create_table(
        'enquiries_crossborder_part_delivery',
        sa.Column('part_id', sa.String(length=36), nullable=False),
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('delivered_on', sa.Date(), nullable=False),
        sa.Column('recorded_by', sa.String(length=200), nullable=False),
        sa.Column('recorded_at', services.common.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['part_id'], [f'{TABLE}.id'],
                                name=op.f('fk_enquiries_crossborder_part_delivery_part_id_enquiries_crossborder_part')),
        sa.PrimaryKeyConstraint('part_id', 'id', name=op.f('pk_enquiries_crossborder_part_delivery')),
    )


def downgrade() -> None:
    # Production, deliveries and impact have no place in the older schema; reasons become text again.
    op.drop_table('enquiries_crossborder_part_delivery')
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index('ix_enquiries_crossborder_part_organisation')
        batch_op.alter_column('reason', new_column_name='share_reason', existing_type=sa.JSON())
    with op.batch_alter_table(TABLE, schema=None) as batch_op:  # (SQLite: not in the batch that renames)
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('answer', sa.Text(), nullable=True))
    conn = op.get_bind()
    rows = conn.execute(sa.select(_parts.c.id, _parts.c.status, _parts.c.share_reason, _parts.c.note,
                                  _parts.c.decline_reason, _parts.c.withdrawal_reason)).all()
    for part_id, status, share, note, declined, withdrawn in rows:
        answer = _text(withdrawn) if status == "withdrawn" else note or _text(declined)
        conn.execute(_parts.update().where(_parts.c.id == part_id).values(
            reason=_text(share), answer=answer,
            # an older site knows only these four states
            status=status if status in ("pending", "accepted", "declined", "withdrawn") else "accepted"))
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.alter_column('reason', existing_type=sa.Text(), nullable=False)
        for column in ('share_reason', 'note', 'decline_reason', 'withdrawal_reason', 'started_at', 'closed_at',
                       'figures', 'impact', 'failure', 'failure_note'):
            batch_op.drop_column(column)


def _text(value) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return value.get("code", "")
