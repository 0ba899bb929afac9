"""hub tables: cross-border reasons as codes, parts' production, delivery, failure and impact, the
orders' timeline (issue 13)

Revision ID: 5e0c7a41b2d8
Revises: d2de31bbe924
Create Date: 2026-12-04 16:40:00.000000

Written by hand. A part's `reason` and `answer` become JSON: a reason stored as an English sentence
stays readable as a JSON string (services.contracts.reasons.describe shows a plain string as it is);
an answer's free text moves to `note`, and a declined part's answer becomes the code `other`.
PostgreSQL converts the columns in place (ALTER ... USING); SQLite rewrites the values with its JSON
functions and then copies the table with the new types (batch mode). The downgrade turns a coded
reason back into its code, an answer back into the broker's note (or its code), and maps the new
part and order states onto the ones the previous version knows.
"""
from alembic import op
import sqlalchemy as sa

import services.common.db


revision = '5e0c7a41b2d8'
down_revision = 'd2de31bbe924'
branch_labels = None
depends_on = None

PARTS, ORDERS, TIMELINE = "hub_crossborder_parts", "hub_crossborder_orders", "hub_crossborder_timeline"
OTHER = '{"code": "other", "params": {}}'


def _progress_columns() -> list[sa.Column]:
    return [
        sa.Column('delivered', sa.Integer(), server_default='0', nullable=False),
        sa.Column('deliveries', sa.JSON(), nullable=True),
        sa.Column('failure', sa.JSON(), nullable=True),
        sa.Column('impact', sa.JSON(), nullable=True),
        sa.Column('progress_version', sa.Integer(), nullable=True),
        sa.Column('progressed_at', services.common.db.UtcDateTime(timezone=True), nullable=True),
    ]


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def upgrade() -> None:
    op.add_column(ORDERS, sa.Column('agreed_at', services.common.db.UtcDateTime(timezone=True), nullable=True))
    op.execute(f"UPDATE {ORDERS} SET agreed_at = updated_at WHERE status = 'agreed'")
    op.add_column(PARTS, sa.Column('note', sa.Text(), nullable=True))
    op.execute(f"UPDATE {PARTS} SET note = answer")
    if _postgres():
        op.execute(f"ALTER TABLE {PARTS} ALTER COLUMN reason TYPE JSON USING to_json(reason)")
        op.execute(f"ALTER TABLE {PARTS} ALTER COLUMN answer TYPE JSON "
                   f"USING CASE WHEN status = 'declined' THEN '{OTHER}'::json END")
        for column in _progress_columns():
            op.add_column(PARTS, column)
    else:
        op.execute(f"UPDATE {PARTS} SET reason = json_quote(reason), "
                   f"answer = CASE WHEN status = 'declined' THEN '{OTHER}' END")
        with op.batch_alter_table(PARTS) as batch:
            batch.alter_column('reason', type_=sa.JSON(), existing_type=sa.Text(), existing_nullable=False)
            batch.alter_column('answer', type_=sa.JSON(), existing_type=sa.Text(), existing_nullable=True)
            for column in _progress_columns():
                batch.add_column(column)
    op.create_table(
        TIMELINE,
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
        sa.Column('order_id', sa.String(length=36), nullable=False),
        sa.Column('at', services.common.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('part_id', sa.String(length=36), nullable=True),
        sa.Column('site', sa.String(length=8), nullable=True),
        sa.Column('quantity', sa.Integer(), nullable=True),
        sa.Column('code', sa.String(length=64), nullable=True),
        sa.Column('params', sa.JSON(), nullable=False),
        sa.Column('event_id', sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(['order_id'], [f'{ORDERS}.id'],
                                name=op.f('fk_hub_crossborder_timeline_order_id_hub_crossborder_orders')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_hub_crossborder_timeline')),
    )
    op.create_index('ix_hub_crossborder_timeline_order', TIMELINE, ['order_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_hub_crossborder_timeline_order', table_name=TIMELINE)
    op.drop_table(TIMELINE)
    # The states this revision added, as the previous version understands them: still to deliver, or gone.
    op.execute(f"UPDATE {PARTS} SET status = 'accepted' WHERE status IN ('in_production', 'delivered')")
    op.execute(f"UPDATE {PARTS} SET status = 'withdrawn' WHERE status = 'failed'")
    op.execute(f"UPDATE {ORDERS} SET status = 'agreed' WHERE status IN ('in_production', 'delivered')")
    progress = [c.name for c in _progress_columns()]
    if _postgres():
        op.execute(f"ALTER TABLE {PARTS} ALTER COLUMN reason TYPE TEXT USING CASE WHEN json_typeof(reason) = 'string' "
                   f"THEN reason #>> '{{}}' ELSE reason ->> 'code' END")
        op.execute(f"ALTER TABLE {PARTS} ALTER COLUMN answer TYPE TEXT USING COALESCE(note, answer ->> 'code')")
        for name in progress + ['note']:
            op.drop_column(PARTS, name)
    else:
        op.execute(f"UPDATE {PARTS} SET reason = CASE WHEN json_type(reason) = 'text' THEN json_extract(reason, '$') "
                   f"ELSE json_extract(reason, '$.code') END, answer = COALESCE(note, json_extract(answer, '$.code'))")
        with op.batch_alter_table(PARTS) as batch:
            batch.alter_column('reason', type_=sa.Text(), existing_type=sa.JSON(), existing_nullable=False)
            batch.alter_column('answer', type_=sa.Text(), existing_type=sa.JSON(), existing_nullable=True)
            for name in progress + ['note']:
                batch.drop_column(name)
    op.drop_column(ORDERS, 'agreed_at')
