"""hub tables: the cross-border tables are named hub_crossborder_* (were hub_xb_*), with their indexes and constraints

Revision ID: d2de31bbe924
Revises: 9a7d496e4cce
Create Date: 2026-12-03 16:40:00.000000

Written by hand. PostgreSQL renames in place: the tables (ALTER TABLE ... RENAME), their constraints
and their indexes. SQLite keeps a constraint's name in its table's CREATE statement and cannot rename
it; renaming the tables and then copying each into one declared with the new names would drop the
orders table under parts that refer to it, which SQLite's foreign key check refuses at commit. So
SQLite creates the tables under the new names, copies the rows (orders first) and drops the old tables
(parts first): no part is ever without its order.
"""
from alembic import op
import sqlalchemy as sa

import services.common.db


revision = 'd2de31bbe924'
down_revision = '9a7d496e4cce'
branch_labels = None
depends_on = None

OLD, NEW = "hub_xb", "hub_crossborder"
TABLES = ("orders", "parts")  # parts refer to orders
INDEXES = {  # table: [(index name after the prefix, columns)]
    "orders": [("orders_status", ["status"])],
    "parts": [("parts_offer_status", ["offer_id", "status"]), ("parts_order", ["order_id"])],
}
CONSTRAINTS = {  # table: constraint names, {p} standing for the tables' prefix
    "orders": ["pk_{p}_orders", "uq_{p}_orders_origin_site_enquiry_id"],
    "parts": ["pk_{p}_parts", "fk_{p}_parts_order_id_{p}_orders"],
}


def upgrade() -> None:
    _rename(OLD, NEW)


def downgrade() -> None:
    _rename(NEW, OLD)


def _rename(old: str, new: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.rename_table(f"{old}_{table}", f"{new}_{table}")
            for name in CONSTRAINTS[table]:
                op.execute(f"ALTER TABLE {new}_{table} RENAME CONSTRAINT {name.format(p=old)} TO {name.format(p=new)}")
            for name, _columns in INDEXES[table]:
                op.execute(f"ALTER INDEX ix_{old}_{name} RENAME TO ix_{new}_{name}")
        return
    for table in TABLES:
        elements = ELEMENTS[table](new)
        op.create_table(f"{new}_{table}", *elements)
        for name, columns in INDEXES[table]:
            op.create_index(f"ix_{new}_{name}", f"{new}_{table}", columns, unique=False)
        names = ", ".join(e.name for e in elements if isinstance(e, sa.Column))
        op.execute(f"INSERT INTO {new}_{table} ({names}) SELECT {names} FROM {old}_{table}")
    for table in reversed(TABLES):
        for name, _columns in INDEXES[table]:
            op.drop_index(f"ix_{old}_{name}", table_name=f"{old}_{table}")
        op.drop_table(f"{old}_{table}")


def _orders(prefix: str) -> list:
    """The orders table's columns and constraints as revision 9a7d496e4cce created them, named with `prefix`."""
    return [
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('origin_site', sa.String(length=8), nullable=False),
        sa.Column('enquiry_id', sa.String(length=36), nullable=False),
        sa.Column('correlation_id', sa.String(length=200), nullable=False),
        sa.Column('reference', sa.String(length=64), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('type', sa.String(length=32), nullable=False),
        sa.Column('client_kind', sa.String(length=32), nullable=False),
        sa.Column('cpv_codes', sa.JSON(), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('unit', sa.String(length=50), nullable=True),
        sa.Column('deadline', sa.Date(), nullable=False),
        sa.Column('delivery_nuts3', sa.String(length=5), nullable=True),
        sa.Column('budget', services.common.db.ExactDecimal(precision=18, scale=4), nullable=True),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('label_required', sa.Boolean(), nullable=False),
        sa.Column('max_partners', sa.Integer(), nullable=False),
        sa.Column('min_lot', sa.Integer(), nullable=False),
        sa.Column('sites', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('allocation', sa.JSON(), nullable=False),
        sa.Column('created_at', services.common.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', services.common.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=f'pk_{prefix}_orders'),
        sa.UniqueConstraint('origin_site', 'enquiry_id', name=f'uq_{prefix}_orders_origin_site_enquiry_id'),
    ]


def _parts(prefix: str) -> list:
    """The parts table's columns and constraints as revision 9a7d496e4cce created them, named with `prefix`."""
    return [
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('order_id', sa.String(length=36), nullable=False),
        sa.Column('site', sa.String(length=8), nullable=False),
        sa.Column('organisation_id', sa.String(length=36), nullable=False),
        sa.Column('offer_id', sa.String(length=36), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('unit_price', services.common.db.ExactDecimal(precision=18, scale=4), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=False),
        sa.Column('unit_cost_eur', services.common.db.ExactDecimal(precision=18, scale=4), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('answer', sa.Text(), nullable=True),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('forwarded_at', services.common.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column('answered_at', services.common.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['order_id'], [f'{prefix}_orders.id'],
                                name=f'fk_{prefix}_parts_order_id_{prefix}_orders'),
        sa.PrimaryKeyConstraint('id', name=f'pk_{prefix}_parts'),
    ]


ELEMENTS = {"orders": _orders, "parts": _parts}
