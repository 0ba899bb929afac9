"""Shared fixtures. Integration tests isolate themselves: a PostgreSQL schema and a RabbitMQ vhost each.

Without PostgreSQL or RabbitMQ those tests skip with the reason, unless SOPRO_REQUIRE_SERVICES=1
(as in CI), where they fail instead (tests/support/services.py).
"""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from services.common.config import DEFAULT_FEDERATION_FILE, load_federation, load_settings
from services.common.keys import generate_federation
from tests.support.databases import pg_schemas
from tests.support.services import AMQP_HOST, PG_ADDRESS, TEST_RATE_LIMIT, need, rabbitmqctl


@pytest.fixture(scope="session")
def federation_files(tmp_path_factory):
    """Throwaway keys for every site and a federation file listing their public keys."""
    root = tmp_path_factory.mktemp("federation")
    path = generate_federation(DEFAULT_FEDERATION_FILE, root / "keys", root / "federation.yaml")
    return path, root / "keys"


@pytest.fixture(scope="session")
def federation(federation_files):
    return load_federation(federation_files[0])


@pytest.fixture
def make_settings(federation, federation_files, tmp_path):
    """Settings for a site (or the hub) with its throwaway key, on the given database and bus."""

    def make(site_id: str, db_url: str | None = None, bus_url: str = "memory://", **overrides):
        # The limits stay on, only higher (tests/integration/test_rate_limits.py sets its own low ones).
        overrides.setdefault("rate_limit", TEST_RATE_LIMIT)
        overrides.setdefault("token_rate_limit", TEST_RATE_LIMIT)
        overrides.setdefault("public_write_rate_limit", TEST_RATE_LIMIT)
        return load_settings(
            site_id,
            env={},
            federation=federation,
            db_url=db_url or f"sqlite:///{tmp_path / (site_id + '.sqlite')}",
            bus_url=bus_url,
            key_file=federation_files[1] / f"{site_id}.pem",
            var_dir=tmp_path,
            **overrides,
        )

    return make


@pytest.fixture
def pg_schema_url():
    """A factory of fresh PostgreSQL schemas; each URL's search_path points at its own schema."""
    need("PostgreSQL", *PG_ADDRESS)
    with pg_schemas("t") as make:
        yield make


@pytest.fixture
def pg_url(pg_schema_url):
    return pg_schema_url()


@pytest.fixture
def amqp_url():
    """A RabbitMQ vhost of the test's own, removed afterwards."""
    need("RabbitMQ", AMQP_HOST, 5672)
    vhost = f"t-{uuid.uuid4().hex[:10]}"
    rabbitmqctl("add_vhost", vhost)
    rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    yield f"amqp://guest:guest@{AMQP_HOST}:5672/{vhost}"
    rabbitmqctl("delete_vhost", vhost)


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parents[1]


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback that keeps what it receives (tests/support/mail.py reads it)."""
    from services.demo.mailbox import MailServer

    server = MailServer().start()
    yield server
    server.stop()
