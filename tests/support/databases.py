"""The database a test runs on: SQLite, or a PostgreSQL schema of its own.

A test (or fixture) run on both takes its parameters from `BACKENDS`, where only the PostgreSQL case is
marked `services`, and asks for PostgreSQL only in that case (`pg_url_if`): so the SQLite case runs, and
does not skip, without PostgreSQL, and `-m "not services"` keeps it.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text

from tests.support.services import PG_ADDRESS, PG_BASE, need

BACKENDS = ("sqlite", pytest.param("postgresql", marks=pytest.mark.services))


def pg_url_if(request: pytest.FixtureRequest, backend: str, sqlite_url: str | None = None) -> str | None:
    """A fresh PostgreSQL schema's URL for "postgresql", else `sqlite_url`.

    The PostgreSQL fixture is asked for only here, so the SQLite variant runs (and does not skip)
    where PostgreSQL is missing.
    """
    return request.getfixturevalue("pg_url") if backend == "postgresql" else sqlite_url


@contextmanager
def pg_schemas(prefix: str = "t"):
    """A factory of fresh PostgreSQL schemas, `make(label) -> URL` (its search_path the schema), for
    fixtures that live longer than a test (tests use conftest's `pg_url`); every schema is dropped at
    the end. PostgreSQL is asked for (skip, or fail with SOPRO_REQUIRE_SERVICES=1) only when a schema
    is made."""
    admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
    created: list[str] = []

    def make(label: str = "db") -> str:
        need("PostgreSQL", *PG_ADDRESS)
        schema = f"{prefix}_{label.lower()}_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        created.append(schema)
        return f"{PG_BASE}?options=-csearch_path%3D{schema}"

    try:
        yield make
    finally:
        if created:
            with admin.connect() as conn:
                for schema in created:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
