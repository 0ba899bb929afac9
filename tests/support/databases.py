"""The database a test runs on, for tests parametrised over SQLite and PostgreSQL."""
from __future__ import annotations

import pytest


def pg_url_if(request: pytest.FixtureRequest, backend: str, sqlite_url: str | None = None) -> str | None:
    """A fresh PostgreSQL schema's URL for "postgresql", else `sqlite_url`.

    The PostgreSQL fixture is asked for only here, so the SQLite variant runs (and does not skip)
    where PostgreSQL is missing.
    """
    return request.getfixturevalue("pg_url") if backend == "postgresql" else sqlite_url
