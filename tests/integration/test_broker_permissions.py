"""The broker itself keeps a site to its own routing keys and queues (deploy/rabbitmq/definitions.json).

The permissions of the site user `at12` are read from the definitions file and applied to a test
vhost, so this test fails if the file is changed to something the site's own code cannot live with,
or to something that lets a site speak for another.
"""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from kombu import Connection

from services.common import bus
from tests.conftest import rabbitmqctl

pytestmark = pytest.mark.services

DEFINITIONS = Path(__file__).resolve().parents[2] / "deploy" / "rabbitmq" / "definitions.json"


@pytest.fixture
def site_user_url(amqp_url):
    definitions = json.loads(DEFINITIONS.read_text())
    perm = next(p for p in definitions["permissions"] if p["user"] == "at12")
    topic = next(p for p in definitions["topic_permissions"] if p["user"] == "at12")
    vhost = amqp_url.rsplit("/", 1)[1]
    with bus.connect(amqp_url) as admin:  # the broker is provisioned before sites connect
        bus.declare_exchanges(admin)
    user, password = f"t-at12-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
    rabbitmqctl("add_user", user, password)
    try:
        rabbitmqctl("set_permissions", "-p", vhost, user, perm["configure"], perm["write"], perm["read"])
        rabbitmqctl("set_topic_permissions", "-p", vhost, user, topic["exchange"], topic["write"], topic["read"])
        yield f"amqp://{user}:{password}@127.0.0.1:5672/{vhost}"
    finally:
        rabbitmqctl("delete_user", user)


def publish(url: str, routing_key: str) -> None:
    with bus.connect(url) as conn:
        bus.Publisher(conn).publish([bus.OutgoingMessage(routing_key, "{}", str(uuid.uuid4()))])


def test_a_site_declares_its_own_queue_and_publishes_its_own_keys(site_user_url):
    with bus.connect(site_user_url) as conn:
        bus.declare_queue(conn, bus.QueueSpec("AT12.enquiries.members", ("AT12.registry.organisation.*",)))
    publish(site_user_url, "AT12.registry.organisation.registered")
    with Connection(site_user_url) as conn:
        delivered = conn.channel().basic_get(queue="AT12.enquiries.members")
    assert delivered is not None and delivered.delivery_info["routing_key"] == "AT12.registry.organisation.registered"


@pytest.mark.parametrize("routing_key", ["HU22.registry.organisation.registered", "EU.hub.x", "to.HU22.x"])
def test_a_site_cannot_publish_as_another(site_user_url, routing_key):
    with pytest.raises(bus.PublishError, match="ACCESS_REFUSED"):
        publish(site_user_url, routing_key)


def test_a_site_cannot_read_the_hubs_queue_or_bind_another_sites_keys(site_user_url, amqp_url):
    with bus.connect(amqp_url) as admin:
        bus.declare_queue(admin, bus.QueueSpec("hub.ingest", ("*.registry.#",)))
    with Connection(site_user_url) as conn:
        with pytest.raises(Exception, match="ACCESS_REFUSED"):
            conn.channel().basic_get(queue="hub.ingest")
    with bus.connect(site_user_url) as conn:
        with pytest.raises(Exception, match="ACCESS_REFUSED"):
            bus.declare_queue(conn, bus.QueueSpec("AT12.spy", ("HU22.registry.#",)))
