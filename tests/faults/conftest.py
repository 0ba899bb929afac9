"""Fixtures of the fault-injection suite: a site and the hub on PostgreSQL (a schema each), short AMQP
heartbeats, and a RabbitMQ node of the suite's own for the faults that restart or alarm a broker.

Like every test needing services, these skip when PostgreSQL or RabbitMQ is missing, and fail
instead under SOPRO_REQUIRE_SERVICES=1.
"""
from __future__ import annotations

import pytest

from services.common import bus
from tests.support.faults import broker
from tests.support.faults.harness import HEARTBEAT_SECONDS, Hub, Site
from tests.support.migrated import bootstrap
from tests.support.services import REQUIRE


@pytest.fixture
def make_site(make_settings, pg_schema_url):
    def make(site_id: str = "AT12") -> Site:
        settings = make_settings(site_id, db_url=pg_schema_url(site_id), bus_heartbeat_seconds=HEARTBEAT_SECONDS)
        return Site(bootstrap(settings))

    return make


@pytest.fixture
def site(make_site) -> Site:
    return make_site("AT12")


@pytest.fixture
def hub(make_settings, pg_schema_url) -> Hub:
    settings = make_settings("EU", db_url=pg_schema_url("hub"), bus_heartbeat_seconds=HEARTBEAT_SECONDS)
    return Hub(bootstrap(settings))


@pytest.fixture(scope="session")
def own_broker(tmp_path_factory):
    """A RabbitMQ node of the suite's own, started once; tests that need a restart restart it."""
    if not broker.available():
        message = "rabbitmq-server is not installed, so the suite cannot start a broker of its own"
        if REQUIRE:
            pytest.fail(message + " and SOPRO_REQUIRE_SERVICES=1")
        pytest.skip(message)
    node = broker.BrokerNode(tmp_path_factory.mktemp("rabbit"))
    node.start()
    yield node
    node.stop()


@pytest.fixture
def own_broker_url(own_broker):
    """The own node's default vhost, its queues emptied of what an earlier test left (through AMQP:
    faster than a vhost of its own through rabbitmqctl)."""
    url = own_broker.url("/")
    with bus.connect(url, heartbeat=0) as conn:
        channel = conn.channel()
        for queue in ("hub.ingest", "hub.ingest.dlq", bus.UNROUTED_QUEUE):
            channel.queue_delete(queue)
    return url
