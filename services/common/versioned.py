"""Saving an aggregate's row with optimistic locking, on SQLite and PostgreSQL alike.

An update names the version the aggregate was loaded at; a concurrent change in between turns into a
409 instead of a lost update, and so does a unique value a concurrent writer took after our check.
"""
from __future__ import annotations

from sqlalchemy import Connection, Table, insert, update
from sqlalchemy.exc import IntegrityError

from services.common.clock import utcnow
from services.common.errors import Conflict


def save_versioned(conn: Connection, table: Table, row: dict, expected_version: int, what: str) -> None:
    """Insert a new aggregate (expected version 0) or update the one loaded at `expected_version`."""
    now = utcnow()
    try:
        if expected_version == 0:
            conn.execute(insert(table).values(**row, created_at=now, updated_at=now))
            return
        done = conn.execute(update(table).where(table.c.id == row["id"], table.c.version == expected_version)
                            .values(**row, updated_at=now))
    except IntegrityError:
        raise Conflict(f"{what} conflicts with a record saved meanwhile", code="concurrent_write") from None
    if done.rowcount != 1:
        raise Conflict(f"{what} {row['id']} was changed concurrently; reload and retry", code="concurrent_update")
