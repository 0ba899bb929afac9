"""The site (AT12) and the hub of the guarantee tests (tests/integration/test_guarantees_*.py), each on a
PostgreSQL schema of its own and on RabbitMQ, and the seqs a relay marked published."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from services.common.outbox import outbox
from tests.support.sync import make_runtime


@pytest.fixture
def site(make_settings, pg_schema_url, amqp_url):
    return make_runtime(make_settings("AT12", db_url=pg_schema_url("site"), bus_url=amqp_url))


@pytest.fixture
def hub(make_settings, pg_schema_url, amqp_url):
    return make_runtime(make_settings("EU", db_url=pg_schema_url("hub"), bus_url=amqp_url))


def published_seqs(runtime) -> list[int]:
    with runtime.engine.connect() as conn:
        return [r.seq for r in conn.execute(
            select(outbox.c.seq).where(outbox.c.published_at.is_not(None)).order_by(outbox.c.seq))]
