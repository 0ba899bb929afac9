"""hub tables: the tallies and indexes of the remaining keyset-paged lists (issue 20): labels per site,
cross-border orders per origin site and status; the enquiries' and the orders' listing orders

The tallies are kept as those of migration 0010 are (its `Tally`, PostgreSQL statement triggers over the
transition tables, SQLite row triggers) and filled from the rows already there.

The listing indexes have the lists' mixed orders (newest first, ties ascending) so that a page after a
cursor is one index range on PostgreSQL and SQLite alike.

Revision ID: b5d8f3a0c2e1
Revises: a4c7e2f9b1d0
Create Date: 2026-12-06 08:40:00
"""
import importlib.util
from pathlib import Path

from alembic import op
import sqlalchemy as sa


revision = 'b5d8f3a0c2e1'
down_revision = 'a4c7e2f9b1d0'
branch_labels = None
depends_on = None


def _migration_0010():
    """0010's tally machinery (a revision file is not an importable module by name)."""
    path = Path(__file__).with_name("0010_tallies_and_list_indexes.py")
    spec = importlib.util.spec_from_file_location("hub_migration_0010", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_0010 = _migration_0010()

TALLIES = (
    _0010.Tally("hub_tally_labels_t", "hub_tally_labels", "hub_labels", "1 = 1", {"site": "{R}.site"},
                {"labels": "1"}, ("site",)),
    _0010.Tally("hub_tally_crossborder_orders_t", "hub_tally_crossborder_orders", "hub_crossborder_orders", "1 = 1",
                {"origin_site": "{R}.origin_site", "status": "{R}.status"}, {"orders": "1"}, ("origin_site", "status")),
)

BACKFILL = {
    "hub_tally_labels": "SELECT site, count(*) FROM hub_labels GROUP BY site",
    "hub_tally_crossborder_orders": "SELECT origin_site, status, count(*) FROM hub_crossborder_orders "
                                    "GROUP BY origin_site, status",
}

LIST_INDEXES = (
    ("ix_hub_enquiries_listing", "hub_enquiries", [sa.text("submitted_at DESC"), "site", "reference", "id"]),
    ("ix_hub_crossborder_orders_listing", "hub_crossborder_orders", [sa.text("created_at DESC"), "id"]),
)


def _create_tables() -> None:
    op.create_table('hub_tally_labels', sa.Column('site', sa.String(8), nullable=False), _0010._count('labels'),
                    sa.PrimaryKeyConstraint('site'))
    op.create_table('hub_tally_crossborder_orders', sa.Column('origin_site', sa.String(8), nullable=False),
                    sa.Column('status', sa.String(16), nullable=False), _0010._count('orders'),
                    sa.PrimaryKeyConstraint('origin_site', 'status'))


def upgrade() -> None:
    _create_tables()
    _0010.install(TALLIES, BACKFILL, LIST_INDEXES, locked="hub_labels, hub_crossborder_orders")


def downgrade() -> None:
    _0010.uninstall(TALLIES, BACKFILL, LIST_INDEXES)
