"""How the hub's tables are keyed and written: the metadata every hub table is on, the bookkeeping
columns of a row built from events, and the writes that keep the newest snapshot.

Every sub-package's tables (`register.store`, `enquiries.store`, `labels.store`, `crossborder.store`)
are defined on `metadata`; `services.hub.store` imports them all, so its `COMPONENT` describes every table.
"""
from __future__ import annotations

from sqlalchemy import Column, Connection, DateTime, Integer, Numeric, String, Table, delete, insert

from services.common import projection
from services.common.db import new_metadata

metadata = new_metadata()

SITE = String(8)
UUID_STR = String(36)
MONEY = Numeric(18, 4)
QUANTITY = Numeric(18, 3)


def bookkeeping_columns() -> list[Column]:
    """Where a row came from and which event last wrote it."""
    return [
        Column("site", SITE, nullable=False),
        Column("id", UUID_STR, nullable=False),
        Column("aggregate_version", Integer, nullable=False),
        Column("last_event_id", UUID_STR, nullable=False),
        Column("last_occurred_at", DateTime(timezone=True), nullable=False),
    ]


def upsert_newer(conn: Connection, table: Table, values: dict) -> bool:
    """A snapshot overwrites the row of its (site, id) only when it is newer (see common.projection)."""
    return projection.upsert_newer(conn, table, values, keys=("site", "id"))


def replace_codes(conn: Connection, codes_table: Table, owner_column: Column, site: str, owner_id: str,
                  codes: list[str]) -> None:
    """Make the CPV code rows of one offer, enquiry or label exactly `codes`."""
    conn.execute(delete(codes_table).where(codes_table.c.site == site, owner_column == owner_id))
    unique_codes = sorted(set(codes))
    if unique_codes:
        conn.execute(insert(codes_table), [
            {"site": site, owner_column.name: owner_id, "cpv_code": code} for code in unique_codes
        ])


def searchable(*parts: str | None) -> str:
    """The text a free-text search looks in, folded the same way as the search term."""
    return "\n".join(p for p in parts if p).casefold()
