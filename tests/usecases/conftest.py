"""The fast tier's sites: SQLite files of the test's own, each a copy of one migrated once per process
(tests/support/migrated.py), so that a test starts from an empty, fully migrated site in milliseconds."""
from __future__ import annotations

import pytest

from tests.support.migrated import bootstrap


@pytest.fixture
def site_db(tmp_path):
    """site_db(site_id) -> the URL of a fresh site database of the test's own, migrated when bootstrapped."""

    def make(site_id: str) -> str:
        return f"sqlite:///{tmp_path / f'{site_id}.sqlite'}"

    return make


@pytest.fixture
def site_runtime(site_db, make_settings):
    """site_runtime(site_id) -> the runtime of a fresh site of the test's own (`site_db`)."""
    made = []

    def make(site_id: str):
        runtime = bootstrap(make_settings(site_id, db_url=site_db(site_id)))
        made.append(runtime)
        return runtime

    yield make
    for runtime in made:
        runtime.engine.dispose()
