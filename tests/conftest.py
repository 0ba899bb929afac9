"""Shared fixtures. Integration tests isolate themselves: a PostgreSQL schema and a RabbitMQ vhost each.

Without PostgreSQL or RabbitMQ those tests skip with the reason, unless SOPRO_REQUIRE_SERVICES=1
(as in CI), where they fail instead (tests/support/services.py).
"""
from __future__ import annotations

import logging
import uuid
from pathlib import Path

import pytest

from services.common.config import DEFAULT_FEDERATION_FILE, load_federation, load_settings
from services.common.keys import generate_federation
from tests.support.databases import compact_catalogs, pg_schemas
from tests.support.schema_pool import SCHEMAS
from tests.support.services import AMQP_HOST, PG_ADDRESS, TEST_RATE_LIMIT, need, rabbitmqctl


# Directories whose tests run one after another on one worker when the suite runs in parallel (`make test`:
# pytest-xdist, `-n auto`). The browser tests share their worker's demo federation, and two chromiums with two
# demo federations on a 2-core machine stretch pages past the tests' 10 s timeout. The fault suite shares its worker's own broker node (restarted and alarmed
# by the tests) and times recoveries.
ONE_WORKER_EACH = ("tests/browser/", "tests/faults/")


def pytest_sessionstart(session):
    # In the process that runs the tests, or in xdist's controller before its workers start (a worker has
    # `workerinput`): no test holds a catalog lock yet.
    if not hasattr(session.config, "workerinput"):
        compact_catalogs()


def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's scope scheduling: each of ONE_WORKER_EACH is one scope, every other module one too, so
    a module's tests run in their order on one worker, as they do in one process (a module's fixtures,
    such as a member logged in once for the module, are not shared with another module's tests between
    two of its own). xdist's `loadgroup` reads `xdist_group` marks by rewriting node ids, which pytest
    9.2's node ids no longer allow. Scopes go out largest first, so the two directories start at once."""
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerEach(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            directory = next((d for d in ONE_WORKER_EACH if nodeid.startswith(d)), None)
            return directory or super()._split_scope(nodeid)

    return OneWorkerEach(config, log)


@pytest.fixture(autouse=True)
def _root_logging_restored():
    """The root logger's handlers and level as they were before the test. Tests that run the CLI in-process
    (`services.cli.main`) configure logging onto the test's captured stderr, which pytest closes after the
    test; a thread of a later test (aiosmtpd's, logging a lost client) would then write to a closed file."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture(scope="session", autouse=True)
def _schema_pool():
    """The process's kept test schemas (tests/support/schema_pool.py) are dropped when its tests are done."""
    yield SCHEMAS
    SCHEMAS.close()


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
