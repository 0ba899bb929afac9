"""The fast tier's sites: SQLite files migrated once per session and copied for each test, so that a test
starts from an empty, fully migrated site in milliseconds (migrating one takes seconds)."""
from __future__ import annotations

import shutil

import pytest

from services.bootstrap import bootstrap
from services.common.config import load_settings


@pytest.fixture(scope="session")
def migrated(federation, federation_files, tmp_path_factory):
    """migrated(site_id) -> the path of an empty SQLite database of that site, every migration applied."""
    made = {}

    def make(site_id: str):
        if site_id not in made:
            root = tmp_path_factory.mktemp(f"migrated-{site_id}")
            path = root / "migrated.sqlite"
            runtime = bootstrap(load_settings(site_id, env={}, federation=federation, db_url=f"sqlite:///{path}",
                                              bus_url="memory://", key_file=federation_files[1] / f"{site_id}.pem",
                                              var_dir=root))
            runtime.engine.dispose()  # the last connection checkpoints the write-ahead log into the file
            made[site_id] = path
        return made[site_id]

    return make


@pytest.fixture
def site_db(migrated, tmp_path):
    """site_db(site_id) -> the URL of a fresh site database of the test's own, a copy of `migrated`."""

    def make(site_id: str) -> str:
        path = tmp_path / f"{site_id}.sqlite"
        shutil.copyfile(migrated(site_id), path)
        return f"sqlite:///{path}"

    return make


@pytest.fixture
def site_runtime(site_db, make_settings):
    """site_runtime(site_id) -> the runtime of a fresh site of the test's own (`site_db`)."""
    made = []

    def make(site_id: str):
        runtime = bootstrap(make_settings(site_id, db_url=site_db(site_id)), migrate_db=False)
        made.append(runtime)
        return runtime

    yield make
    for runtime in made:
        runtime.engine.dispose()
