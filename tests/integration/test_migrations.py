"""The Alembic migrations build exactly the tables the code declares, on PostgreSQL and on SQLite."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from services.bootstrap import components
from services.common.db import make_engine
from services.common.fulltext import derived_table
from services.common.migrate import upgrade
from tests.support.databases import BACKENDS, pg_url_if


@pytest.mark.parametrize("site_id", ["AT12", "EU"])
@pytest.mark.parametrize("database", BACKENDS)
def test_migrations_match_the_tables_in_code(make_settings, request, tmp_path, site_id, database):
    url = pg_url_if(request, database, f"sqlite:///{tmp_path / 'migrations.sqlite'}")
    settings = make_settings(site_id, db_url=url)
    engine = make_engine(url)
    parts = components(settings)
    upgrade(engine, parts)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, [c.metadata for c in parts])
    engine.dispose()
    assert [d for d in diff if not (d[0] == "remove_table" and d[1].name == "alembic_version")
            and not derived(d)] == []


def derived(difference) -> bool:
    """A full-text index's table or its index: hand-written DDL on no component's metadata
    (services.common.fulltext)."""
    kind, obj = difference[0], difference[1]
    return (kind == "remove_table" and derived_table(obj.name)) or (kind == "remove_index"
                                                                     and derived_table(obj.table.name))
