"""The database a test runs on: SQLite, or a PostgreSQL schema of its own.

A test (or fixture) run on both takes its parameters from `BACKENDS`, where only the PostgreSQL case is
marked `services`, and asks for PostgreSQL only in that case (`pg_url_if`): so the SQLite case runs, and
does not skip, without PostgreSQL, and `-m "not services"` keeps it.
"""
from __future__ import annotations

from contextlib import contextmanager

import psycopg
import pytest

from tests.support.schema_pool import SCHEMAS
from tests.support.services import PG_BASE, PG_CONNINFO

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
    fixtures that live longer than a test (tests use conftest's `pg_url`). At the end every schema is given
    back to the process's pool (tests/support/schema_pool.py): kept, emptied, for a later test migrating the
    same components, or dropped. PostgreSQL is asked for (skip, or fail with SOPRO_REQUIRE_SERVICES=1) only
    when a schema is made."""
    created: list[str] = []

    def make(label: str = "db") -> str:
        schema = SCHEMAS.create(prefix, label)
        created.append(schema)
        return schema_url(schema)

    try:
        yield make
    finally:
        for schema in created:
            SCHEMAS.give_back(schema)


def schema_url(schema: str) -> str:
    return f"{PG_BASE}?options=-csearch_path%3D{schema}"


def schema_of(url: str) -> str | None:
    """The schema of a URL `pg_schemas` made, or None."""
    base, _, schema = url.partition("?options=-csearch_path%3D")
    return schema if base == PG_BASE and schema else None


# The catalogs that creating and dropping tables, indexes, functions and schemas leave dead rows in.
_CATALOGS = ("pg_attribute", "pg_attrdef", "pg_class", "pg_constraint", "pg_depend", "pg_index", "pg_namespace",
             "pg_proc", "pg_sequence", "pg_trigger", "pg_type")


def compact_catalogs() -> None:
    """Rewrite the test database's catalogs without the dead rows of earlier runs (VACUUM FULL), if PostgreSQL
    is there. CI's PostgreSQL runs without autovacuum: every schema a run made and dropped stays in the
    catalogs, and one run of the suite grew pg_attribute to 350 MB, which made each catalog lookup of the
    next run (a migration, a schema's fingerprint) up to 30 times slower. Once per session, before the
    workers start; ~1 s on such a catalog, ~0.1 s on a clean one."""
    try:
        connection = psycopg.connect(PG_CONNINFO, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        return  # no PostgreSQL: its tests skip (or fail, in CI) on their own
    with connection:
        connection.execute("VACUUM FULL " + ", ".join(f"pg_catalog.{name}" for name in _CATALOGS))
