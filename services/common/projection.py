"""Projections built from events: a snapshot overwrites a row only when it is newer.

Consumers apply events per aggregate in `aggregate_version` order and ignore stale ones (DESIGN.md §3).
With snapshots that is one statement: INSERT ... ON CONFLICT DO UPDATE ... WHERE stored < incoming.
"""
from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Connection, Table

from services.common.db import dialect_insert


def upsert_newer(conn: Connection, table: Table, values: dict, keys: tuple[str, ...] = ("id",)) -> bool:
    """Insert the row, or overwrite it only if `values['aggregate_version']` is newer than the stored one.

    True when written; False when the stored row is as new or newer (a stale or replayed event).
    Columns absent from `values` keep their stored value (a withdrawal keeps the last snapshot).
    """
    stmt = _upsert_statement(conn.dialect.name, table, tuple(sorted(values)), keys)
    return conn.execute(stmt, values).first() is not None


@lru_cache(maxsize=256)
def _upsert_statement(dialect: str, table: Table, columns: tuple[str, ...], keys: tuple[str, ...]):
    # Built once per table and column set: building it per event cost more than the database did.
    stmt = dialect_insert(dialect, table)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={name: stmt.excluded[name] for name in columns if name not in keys},
        where=table.c.aggregate_version < stmt.excluded.aggregate_version,
    )
    # RETURNING (not rowcount, which drivers report differently for upserts) says whether it was written.
    return stmt.returning(table.c.aggregate_version)
