"""The harness's migrated test databases (tests/support/migrated.py, tests/support/schema_pool.py): a kept
PostgreSQL schema that a test used comes to the next test exactly as a fresh migration leaves it; a schema a
test altered, or one of a set whose migrations write rows, is dropped and never handed out; a SQLite file
that is not fresh is migrated for real."""
from __future__ import annotations

import datetime

import pytest
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from services import bootstrap as composition_root
from services.common.migrate import KERNEL, upgrade
from services.registry import handlers
from services.registry.organisations import Address
from tests.support.databases import schema_url
from tests.support.hub_api import Federation
from tests.support.migrated import bootstrap
from tests.support.schema_pool import SchemaPool

pytestmark = pytest.mark.services


PREFIX = "pooltest"  # this module's schemas, whichever of them a failing test left behind


@pytest.fixture
def pool():
    made = SchemaPool()
    yield made
    left = made.connection.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s", (f"{PREFIX}_%",))
    for (schema,) in left.fetchall():
        made.drop(schema)
    made.close()  # and the kept ones


def migrated(pool, make_settings, site_id: str, label: str):
    """A schema of `pool` migrated for real (services.bootstrap), with its runtime."""
    schema = pool.create(PREFIX, label)
    return schema, composition_root.bootstrap(make_settings(site_id, db_url=schema_url(schema)))


def names(runtime) -> tuple[str, ...]:
    return tuple(c.name for c in composition_root.components(runtime.settings))


def state(pool, schema: str) -> dict:
    """What a test could see of a schema: its structure, every table's rows counted, the revisions and
    every sequence's position."""
    conn = pool.connection
    return {
        "structure": pool.fingerprint(schema),
        "rows": {t: conn.execute(f'SELECT count(*) FROM "{schema}"."{t}"').fetchone()[0] for t in pool.tables(schema)},
        "revisions": sorted(r[0] for r in conn.execute(f'SELECT version_num FROM "{schema}".alembic_version')),
        "sequences": {s: conn.execute(f'SELECT last_value, is_called FROM "{schema}"."{s}"').fetchone()
                      for s in pool.sequences(schema)},
    }


def exists(pool, schema: str) -> bool:
    return bool(pool.connection.execute("SELECT FROM pg_namespace WHERE nspname = %s", (schema,)).fetchall())


def use_the_hub(runtime) -> None:
    """Registry events from two sites: organisations, offers, statements, a case study (and the hub's
    tallies, kept by triggers)."""
    fed = Federation(runtime)
    textil = fed.organisation("AT12", "Textilwerkstatt St. Pölten")
    fed.offer("AT12", textil, "Bags from banners", ["18930000"])
    fed.statement("AT12", "person", "AT123")
    gyor = fed.organisation("HU22", "Győri Szociális Műhely", nuts3="HU221")
    fed.withdraw("registry.organisation.withdrawn", "HU22", gyor)


def use_the_site(runtime) -> None:
    """Organisations registered through the registry's use case: rows, a reference counter and outbox rows."""
    for i in range(3):
        handlers.register_organisation(runtime.uow(), dict(
            kind="economic_enterprise", name=f"Werkstatt {i}", registration_number=f"FN {i:06d} a",
            address=Address(street="Hauptstrasse 1", postcode="1010", town="Wien", country="AT"), nuts3="AT130"),
            datetime.date(2026, 11, 1))


@pytest.mark.parametrize(("site_id", "use"), [("EU", use_the_hub), ("AT12", use_the_site)])
def test_a_used_schema_comes_back_as_a_fresh_migration_leaves_it(pool, make_settings, site_id, use):
    used, runtime = migrated(pool, make_settings, site_id, "used")
    pool.learn(used, names(runtime))
    use(runtime)
    runtime.engine.dispose()
    dirty = state(pool, used)
    assert sum(1 for table, count in dirty["rows"].items() if count and table != "alembic_version") >= 3
    pool.give_back(used)

    fresh, reference = migrated(pool, make_settings, site_id, "fresh")
    reference.engine.dispose()
    target = pool.create(PREFIX, "target")
    assert pool.take(target, names(reference))
    assert state(pool, target) == state(pool, fresh) != dirty
    assert state(pool, target)["sequences"]  # there were sequences to put back
    # What was kept went to the target under its name: nothing is left under the used schema's name.
    assert not exists(pool, used)


def test_a_schema_a_test_altered_is_dropped_and_never_handed_out(pool, make_settings):
    altered, runtime = migrated(pool, make_settings, "AT12", "altered")
    pool.learn(altered, names(runtime))
    runtime.engine.dispose()
    pool.connection.execute(f'ALTER TABLE "{altered}".outbox ADD COLUMN extra integer')
    pool.give_back(altered)
    assert not exists(pool, altered)
    assert not pool.take(pool.create(PREFIX, "target"), names(runtime))


def test_a_set_whose_migrations_write_rows_is_never_kept(pool, make_settings):
    seeded, runtime = migrated(pool, make_settings, "AT12", "seeded")
    runtime.engine.dispose()
    # As if a migration had written a row: emptying would lose it, so such schemas are dropped.
    pool.connection.execute(f"INSERT INTO \"{seeded}\".outbox_stream (stream, last_seq) VALUES ('AT12/registry', 0)")
    pool.learn(seeded, names(runtime))
    pool.give_back(seeded)
    assert not exists(pool, seeded)
    assert not pool.take(pool.create(PREFIX, "target"), names(runtime))


def test_a_sqlite_file_already_there_is_migrated_for_real(make_settings, tmp_path):
    url = f"sqlite:///{tmp_path / 'older.sqlite'}"
    engine = create_engine(url)
    upgrade(engine, [KERNEL])  # an older database: only the kernel's tables
    engine.dispose()
    runtime = bootstrap(make_settings("AT12", db_url=url))
    fresh = bootstrap(make_settings("AT12", db_url=f"sqlite:///{tmp_path / 'fresh.sqlite'}"))
    assert heads(runtime) == heads(fresh)
    assert len(heads(fresh)) == len(composition_root.components(fresh.settings))
    for made in (runtime, fresh):
        made.engine.dispose()


def heads(runtime) -> set[str]:
    with runtime.engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def test_the_sqlite_template_is_a_real_migration(make_settings, tmp_path):
    copied = bootstrap(make_settings("EU", db_url=f"sqlite:///{tmp_path / 'copied.sqlite'}"))
    real = composition_root.bootstrap(make_settings("EU", db_url=f"sqlite:///{tmp_path / 'real.sqlite'}"))
    with copied.engine.connect() as a, real.engine.connect() as b:
        schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        assert a.execute(text(schema)).all() == b.execute(text(schema)).all()
        versions = "SELECT version_num FROM alembic_version ORDER BY 1"
        assert a.execute(text(versions)).all() == b.execute(text(versions)).all()
    for made in (copied, real):
        made.engine.dispose()
