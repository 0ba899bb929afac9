"""How the hub's tables are keyed and written: the metadata every hub table is on, the bookkeeping
columns of a row built from events, and the writes that keep the newest snapshot.

Every sub-package's tables (`register.store`, `enquiries.store`, `labels.store`, `crossborder.store`)
are defined on `metadata`; `services.hub.store` imports them all, so its `COMPONENT` describes every table.
"""
from __future__ import annotations

from sqlalchemy import BigInteger, Column, Connection, DateTime, Integer, Numeric, String, Table, delete, insert, text, tuple_

from services.common.db import new_metadata

metadata = new_metadata()

SITE = String(8)
UUID_STR = String(36)
MONEY = Numeric(18, 4)
QUANTITY = Numeric(18, 3)


def tally_count(name: str) -> Column:
    """A count column of a tally table (services/hub/register/tallies.py), kept by triggers from zero."""
    return Column(name, BigInteger, nullable=False, server_default=text("0"))


def bookkeeping_columns() -> list[Column]:
    """Where a row came from and which event last wrote it."""
    return [
        Column("site", SITE, nullable=False),
        Column("id", UUID_STR, nullable=False),
        Column("aggregate_version", Integer, nullable=False),
        Column("last_event_id", UUID_STR, nullable=False),
        Column("last_occurred_at", DateTime(timezone=True), nullable=False),
    ]


def replace_codes(conn: Connection, codes_table: Table, owner_column: Column,
                  owners: list[tuple[str, str, list[str]]]) -> None:
    """Make the CPV code rows of each (site, owner id, codes) exactly its codes: of a batch's offers,
    enquiries or labels, one DELETE and one INSERT."""
    if not owners:
        return
    latest = {(site, owner_id): codes for site, owner_id, codes in owners}  # an owner's last codes win
    conn.execute(delete(codes_table).where(tuple_(codes_table.c.site, owner_column).in_(list(latest))))
    code_rows = [{"site": site, owner_column.name: owner_id, "cpv_code": code}
                 for (site, owner_id), codes in latest.items() for code in sorted(set(codes))]
    if code_rows:
        conn.execute(insert(codes_table), code_rows)


def searchable(*parts: str | None) -> str:
    """The text a free-text search looks in, folded the same way as the search term."""
    return "\n".join(p for p in parts if p).casefold()
