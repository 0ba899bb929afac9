"""The WAN option of deploy/WAN.md: a site with a RabbitMQ node of its own, linked to the hub's broker by
shovels, keeps publishing through a 30-second WAN cut, and the links drain it afterwards.

- The site's node is a real RabbitMQ node started here (tests/support/rabbit_node.py) with the shovel
  plugin and the site node's definitions (deploy/rabbitmq/wan/site.definitions.json) imported.
- The hub's node is the machine's broker on 5672, in a vhost of the test's own; the shovels reach it as
  the site's link user, with the permissions of deploy/rabbitmq/wan/hub-links.definitions.json.
- The WAN is a fault proxy between the site node's shovels and the hub's node; the cut is its
  partition: nothing crosses, on open or new connections, until healed.

The site (AT12) writes throughout, its relay publishes to its own node, the hub ingests from its node.
Asserted: every event written reaches the hub's store exactly once (nothing lost, nothing applied twice,
nothing made up), the relay kept publishing during the cut, and a message the hub directs at the
site during the cut reaches the site node's inbox once, after the heal.
"""
from __future__ import annotations

import json
import os
import secrets
import subprocess
import time
import uuid
from urllib.parse import quote

import amqp
import pytest

from services.common import bus
from tests.support import rabbit_node
from tests.support.faults.checker import assert_clean, classify
from tests.support.faults.harness import all_applied, declare
from tests.support.faults.proxy import FaultProxy
from tests.support.faults.workers import IngestWorker, RelayWorker, Writer
from tests.support.polling import eventually
from tests.support.services import AMQP_HOST, REQUIRE, rabbitmqctl

pytestmark = pytest.mark.services

SITE = "AT12"
CUT_SECONDS = float(os.environ.get("SOPRO_WAN_CUT_SECONDS", "30"))
WRITES_PER_SECOND = 20
VHOST = "sopro"  # the site node's vhost, as deploy/rabbitmq/wan/site.definitions.json names it


@pytest.fixture
def site_node(tmp_path):
    """AT12's own RabbitMQ node, killed afterwards whatever happened."""
    if not rabbit_node.available():
        message = "rabbitmq-server is not installed, so the test cannot start a site's own RabbitMQ node"
        if REQUIRE:
            pytest.fail(message + " and SOPRO_REQUIRE_SERVICES=1")
        pytest.skip(message)
    node = rabbit_node.SiteNode(tmp_path / "site-node")
    try:
        try:
            node.start(timeout=60)
        except (AssertionError, OSError, subprocess.SubprocessError) as exc:
            message = f"the site's RabbitMQ node did not start: {exc}"
            if REQUIRE:
                pytest.fail(message)
            pytest.skip(message)
        yield node
    finally:
        node.stop(timeout=15)


@pytest.fixture
def link_user(amqp_url):
    """The site's link user on the hub's node, with the permissions deploy/rabbitmq/wan/hub-links.definitions.json
    gives it, limited to the test's vhost; removed afterwards."""
    vhost = amqp_url.rsplit("/", 1)[1]
    password = secrets.token_urlsafe(16)
    values = {f"{s}_LINK_PASSWORD": password for s in ("AT11", "AT12", "AT13", "AT22", "HU22")}
    hub_links = rabbit_node.render(rabbit_node.WAN_DIR / "hub-links.definitions.json", values)
    committed = f"{SITE.lower()}-link"
    name = f"{vhost}-{committed}"  # users are node-wide: a name of the test's own
    permission = next(p for p in hub_links["permissions"] if p["user"] == committed)
    topic = next(p for p in hub_links["topic_permissions"] if p["user"] == committed)
    rabbitmqctl("add_user", name, password)
    try:
        rabbitmqctl("set_permissions", "-p", vhost, name, permission["configure"], permission["write"],
                    permission["read"])
        rabbitmqctl("set_topic_permissions", "-p", vhost, name, topic["exchange"], topic["write"], topic["read"])
        yield vhost, name, password
    finally:
        rabbitmqctl("delete_user", name)


def test_a_site_keeps_publishing_through_a_wan_cut_and_the_shovels_drain_it(site, hub, amqp_url, site_node,
                                                                              link_user):
    began = time.monotonic()
    hub_vhost, link_name, link_password = link_user
    # The hub's node as deploy/rabbitmq/definitions.json provisions it: its ingest queue and AT12's inbox.
    declare(hub, amqp_url)
    with bus.connect(amqp_url, heartbeat=0) as conn:
        bus.declare_queue(conn, bus.QueueSpec(f"{SITE}.inbox", (f"to.{SITE}.#",)))

    with FaultProxy(AMQP_HOST, 5672) as wan:
        site_password = secrets.token_urlsafe(16)
        hub_uri = (f"amqp://{quote(link_name, safe='')}:{quote(link_password, safe='')}@127.0.0.1:{wan.port}/"
                   f"{quote(hub_vhost, safe='')}?heartbeat=2&connection_timeout=3000")
        site_node.import_definitions(rabbit_node.render(
            rabbit_node.WAN_DIR / "site.definitions.json",
            {"SITE": SITE, "SITE_USER": SITE.lower(), "SITE_BUS_PASSWORD": site_password, "HUB_AMQP_URI": hub_uri}))
        assert eventually(lambda: set(site_node.shovel_status().values()) == {"running"}, timeout=20), \
            f"the shovels did not start: {site_node.shovel_status()}\n{site_node.log_tail()}"
        site_url = site_node.user_url(SITE.lower(), site_password, VHOST)

        ingest = IngestWorker(hub, amqp_url).start()
        relay = RelayWorker(site.runtime, site_url).start()
        writer = Writer(site, per_second=WRITES_PER_SECOND).start()
        try:
            figures, directed = _cut_and_heal(site, hub, site_node, wan, writer, amqp_url, site_url)
        finally:
            writer.stop()
            relay.stop()
            ingest.stop()
    figures.absorbed_duplicates = ingest.absorbed
    elapsed = time.monotonic() - began
    print(f"[wan] the test's body took {elapsed:.1f}s (the site node's start not counted)")
    assert_clean(figures)
    assert writer.errors == [], "the site took every write, cut or not"
    assert figures.extra["writes_during_cut"] > 0
    assert figures.extra["max_relay_backlog_during_cut"] <= 2 * WRITES_PER_SECOND, \
        "the relay kept publishing to the site's own node during the cut"
    assert figures.extra["uplink_depth_at_heal"] > 0, "during the cut the events waited on the site's node"
    assert directed == [DIRECTED_ID], "the hub's directed message reached the site's inbox once"
    # The hub's positions: AT12's registry stream is contiguous up to the last event written.
    contiguous, max_seen = hub.positions()[f"{SITE}/registry"]
    assert contiguous == max_seen == figures.written
    _link_user_is_confined(amqp_url, link_name, link_password)


def _link_user_is_confined(hub_url: str, name: str, password: str) -> None:
    """The shovels' user on the hub's node publishes only AT12's routing keys and reads only AT12.inbox."""
    url = hub_url.replace("guest:guest@", f"{quote(name, safe='')}:{quote(password, safe='')}@", 1)
    with bus.connect(url, heartbeat=0) as conn:
        publisher = bus.Publisher(conn, confirm_timeout=5)
        with pytest.raises(bus.PublishError):
            publisher.publish([bus.OutgoingMessage("HU22.registry.organisation.registered", "{}", str(uuid.uuid4()))])
        publisher.publish([bus.OutgoingMessage(f"{SITE}.wan.probe", "{}", str(uuid.uuid4()))])  # its own: allowed
        for queue in ("hub.ingest", "HU22.inbox"):
            channel = conn.connection.channel()
            with pytest.raises(amqp.exceptions.AccessRefused):
                channel.basic_get(queue)


DIRECTED_ID = str(uuid.uuid4())


def _cut_and_heal(site, hub, site_node, wan, writer, hub_url, site_url):
    assert eventually(lambda: len(hub.applications()) >= WRITES_PER_SECOND, timeout=30), \
        f"no events crossed before the cut: {site_node.shovel_status()}\n{site_node.log_tail()}"

    wan.partition()
    cut_at = time.monotonic()
    written_at_cut = set(site.event_ids())
    applied_at_cut = set(hub.applications())
    # The hub directs a message at AT12 while the WAN is cut: it waits in AT12.inbox on the hub's node.
    _publish_directed(hub_url)
    max_backlog = 0
    while time.monotonic() - cut_at < CUT_SECONDS:
        max_backlog = max(max_backlog, site.backlog())
        time.sleep(0.5)
    written_at_heal = site.event_ids()
    applied_at_heal = set(hub.applications())
    during = [i for i in written_at_heal if i not in written_at_cut]
    unpublished_at_heal = site.backlog()
    uplink_depth = site_node.queue_depth(VHOST, f"{SITE}.uplink")
    assert not set(during) & applied_at_heal, "nothing written during the cut crossed it"
    backlog = [i for i in written_at_heal if i not in applied_at_heal]

    healed = time.monotonic()
    wan.heal()
    drained = eventually(lambda: all_applied(hub, written_at_heal), timeout=60, interval=0.1)
    drain_seconds = time.monotonic() - healed
    assert drained, f"the backlog never drained: {site_node.shovel_status()}\n{site_node.log_tail()}"
    time.sleep(1.0)
    writer.stop()
    written = site.event_ids()
    assert eventually(lambda: all_applied(hub, written), timeout=30), "the last writes never reached the hub"
    directed = eventually(lambda: _directed_at_site(site_url), timeout=20)
    time.sleep(0.5)  # a late duplicate would show now
    figures = classify(
        f"{CUT_SECONDS:.0f}s WAN cut between a site's RabbitMQ node and the hub's", written, hub.applications(),
        hub.routes(), in_doubt=(written_at_cut - applied_at_cut) | set(backlog),
        cut_s=CUT_SECONDS, writes_during_cut=len(during), backlog_at_heal=len(backlog),
        max_relay_backlog_during_cut=max_backlog, unpublished_at_heal=unpublished_at_heal,
        uplink_depth_at_heal=uplink_depth, drain_s=round(drain_seconds, 2),
    )
    return figures, directed


def _publish_directed(hub_url: str) -> None:
    with bus.connect(hub_url, heartbeat=0) as conn:
        publisher = bus.Publisher(conn)
        publisher.publish([bus.OutgoingMessage(f"to.{SITE}.wan.ping", json.dumps({"ping": True}), DIRECTED_ID)])
        publisher.close()


def _directed_at_site(site_url: str) -> list[str]:
    """The message ids waiting in AT12.inbox on the site's node, read as the site's own user."""
    with bus.connect(site_url, heartbeat=0) as conn:
        channel: amqp.Channel = conn.connection.channel()
        ids = []
        while (message := channel.basic_get(f"{SITE}.inbox", no_ack=False)) is not None:
            ids.append(message.properties.get("message_id"))
        channel.close()  # unacknowledged: they stay for the site's consumer
        return ids
