"""crossborder tables: named enquiries_crossborder_* (were enquiries_xb_*), with their indexes and primary keys

Revision ID: 022f2a625e46
Revises: c8072de2cb0e
Create Date: 2026-12-03 17:00:00.000000

Written by hand, as the hub's d2de31bbe924. PostgreSQL renames in place: the tables, their primary keys
and their indexes. SQLite keeps a primary key's name in its table's CREATE statement and cannot rename
it, so there the tables are created under the new names, the rows copied, and the old tables dropped.
"""
from alembic import op
import sqlalchemy as sa

import services.common.db


revision = '022f2a625e46'
down_revision = 'c8072de2cb0e'
branch_labels = None
depends_on = None

OLD, NEW = "enquiries_xb", "enquiries_crossborder"
INDEXES = {  # table: [(index name after the prefix, columns)]
    "consortium": [("consortium_enquiry_id", ["enquiry_id"])],
    "part": [("part_status", ["status", "received_at"])],
}


def upgrade() -> None:
    _rename(OLD, NEW)


def downgrade() -> None:
    _rename(NEW, OLD)


def _rename(old: str, new: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table, indexes in INDEXES.items():
            op.rename_table(f"{old}_{table}", f"{new}_{table}")
            op.execute(f"ALTER TABLE {new}_{table} RENAME CONSTRAINT pk_{old}_{table} TO pk_{new}_{table}")
            for name, _columns in indexes:
                op.execute(f"ALTER INDEX ix_{old}_{name} RENAME TO ix_{new}_{name}")
        return
    for table, indexes in INDEXES.items():
        elements = ELEMENTS[table](new)
        op.create_table(f"{new}_{table}", *elements)
        for name, columns in indexes:
            op.create_index(f"ix_{new}_{name}", f"{new}_{table}", columns, unique=False)
        names = ", ".join(e.name for e in elements if isinstance(e, sa.Column))
        op.execute(f"INSERT INTO {new}_{table} ({names}) SELECT {names} FROM {old}_{table}")
        for name, _columns in indexes:
            op.drop_index(f"ix_{old}_{name}", table_name=f"{old}_{table}")
        op.drop_table(f"{old}_{table}")


def _consortium(prefix: str) -> list:
    """The consortium table's columns and primary key as revision c8072de2cb0e created them."""
    return [
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('enquiry_id', sa.String(length=36), nullable=False),
        sa.Column('aggregate_version', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('snapshot', sa.JSON(), nullable=False),
        sa.Column('correlation_id', sa.String(length=200), nullable=True),
        sa.Column('updated_at', services.common.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=f'pk_{prefix}_consortium'),
    ]


def _part(prefix: str) -> list:
    """The forwarded part table's columns and primary key as revision c8072de2cb0e created them."""
    return [
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('order_id', sa.String(length=36), nullable=False),
        sa.Column('origin_site', sa.String(length=8), nullable=False),
        sa.Column('correlation_id', sa.String(length=200), nullable=False),
        sa.Column('forwarded_event_id', sa.String(length=36), nullable=False),
        sa.Column('enquiry_reference', sa.String(length=64), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('type', sa.String(length=32), nullable=False),
        sa.Column('cpv_codes', sa.JSON(), nullable=False),
        sa.Column('offer_id', sa.String(length=36), nullable=False),
        sa.Column('organisation_id', sa.String(length=36), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('unit', sa.String(length=50), nullable=True),
        sa.Column('unit_price', services.common.db.ExactDecimal(precision=18, scale=4), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('delivery_nuts3', sa.String(length=5), nullable=True),
        sa.Column('label_required', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('answered_by', sa.String(length=200), nullable=True),
        sa.Column('answered_at', services.common.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column('received_at', services.common.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=f'pk_{prefix}_part'),
    ]


ELEMENTS = {"consortium": _consortium, "part": _part}
