"""`bootstrap` for tests: a test's fresh database comes migrated without running every migration again.

A suite bootstraps hundreds of sites and hubs; migrating one costs ~0.4 s on PostgreSQL and ~0.15 s on
SQLite. Here each process migrates once per set of components, for real, and then:

- SQLite: a fresh file (one that does not exist yet) is a copy of a template migrated once per process;
- PostgreSQL: a fresh schema from `pg_schemas` is swapped for a kept one that an earlier test of the same
  components was given and emptied (tests/support/schema_pool.py).

Any other database (already migrated, or not made by the harness) is migrated as services.bootstrap does,
so a test that bootstraps its site twice, or upgrades from an older revision, sees the real migrations.
"""
from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from services import bootstrap as composition_root
from services.common.config import Settings
from services.common.db import Component, make_engine
from services.common.migrate import upgrade
from services.common.runtime import Runtime
from tests.support.databases import schema_of
from tests.support.schema_pool import SCHEMAS

_templates: dict[tuple[str, ...], Path] = {}  # component names -> a migrated SQLite file


def bootstrap(settings: Settings) -> Runtime:
    """services.bootstrap.bootstrap(settings), the database migrated by `prepare`."""
    prepare(settings)
    return composition_root.bootstrap(settings, migrate_db=False)


def prepare(settings: Settings) -> None:
    """Bring the database of `settings` to the head of its components: from a copy when it is a fresh test
    database, otherwise through its migrations."""
    parts = composition_root.components(settings)
    names = tuple(c.name for c in parts)
    fresh_file = _fresh_sqlite_file(settings.db_url)
    if fresh_file is not None:
        shutil.copyfile(_sqlite_template(names, parts), fresh_file)
        return
    schema = schema_of(settings.db_url)
    if schema is not None and SCHEMAS.take(schema, names):
        return
    _migrate(settings.db_url, parts)
    if schema is not None:
        SCHEMAS.learn(schema, names)


def _migrate(url: str, parts: list[Component]) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine, parts)
    finally:
        engine.dispose()  # on SQLite the last connection checkpoints the write-ahead log into the file


def _fresh_sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    path = Path(parsed.database)
    return path if not path.exists() else None


def _sqlite_template(names: tuple[str, ...], parts: list[Component]) -> Path:
    if names not in _templates:
        folder = Path(tempfile.mkdtemp(prefix="sopro-migrated-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = folder / "migrated.sqlite"
        _migrate(f"sqlite:///{path}", parts)
        _templates[names] = path
    return _templates[names]
