"""Many rows in one short INSERT: on PostgreSQL each column travels as one array, `unnest`ed by the server.

A multi-row VALUES list of 200 rows has thousands of placeholders, and psycopg parses such a query anew
on every execution (it caches only short ones): that parsing cost the hub's ingest more than the
database did. Here the statement has one parameter per column, so it is parsed once, and each column's
own type (its SQLAlchemy bind processing included) turns the values into the array. Elsewhere (SQLite)
the statement is the plain one-row INSERT, which SQLAlchemy executes for many rows.

    statement = bulk.insert(dialect, table, columns).on_conflict_do_nothing()   # build once, cache it
    conn.execute(statement, bulk.parameters(dialect, table, columns, rows))
"""
from __future__ import annotations

import json

from sqlalchemy import JSON, Table, Text, bindparam, cast, func, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import Insert

from services.common.db import dialect_insert


def insert(dialect: str, table: Table, columns: tuple[str, ...]) -> Insert:
    """The dialect's INSERT of rows with these columns (ON CONFLICT and RETURNING may be added to it)."""
    if dialect != "postgresql":
        return dialect_insert(dialect, table)
    arrays = [cast(bindparam(f"u_{c}", type_=postgresql.ARRAY(_carrier(table.c[c].type))),
                   postgresql.ARRAY(table.c[c].type)) for c in columns]
    source = func.unnest(*arrays).table_valued(*columns).render_derived(name="incoming")
    return dialect_insert(dialect, table).from_select(list(columns), select(*(source.c[c] for c in columns)))


def parameters(dialect: str, table: Table, columns: tuple[str, ...], rows: list[dict]) -> dict | list[dict]:
    """The execution parameters of `insert(dialect, table, columns)` for `rows` (each with those keys)."""
    if dialect != "postgresql":
        return rows
    return {f"u_{c}": [_json(row[c]) for row in rows] if _is_json(table.c[c].type) else [row[c] for row in rows]
            for c in columns}


def _is_json(column_type) -> bool:
    return isinstance(column_type, JSON)


def _carrier(column_type):
    # A JSON value travels as its text (an array of lists would read as a 2-D array), cast to JSON by the
    # server, which keeps the text as given: the same text SQLAlchemy's JSON type writes (json.dumps).
    return Text() if _is_json(column_type) else column_type


def _json(value):
    return None if value is None else json.dumps(value)
