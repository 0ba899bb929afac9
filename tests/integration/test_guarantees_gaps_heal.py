"""DESIGN.md §3, guarantee 4 on real PostgreSQL and RabbitMQ: gaps heal themselves.

A hub that was stopped catches up from the durable queue; a message deleted from the broker is healed
from the site's feed; a new hub rebuilds its store from the feeds, which refuse callers without a
federation token.
"""
from __future__ import annotations

import json

import pytest
import requests

from services.common import bus, inbox
from tests.support.guarantees import hub, site  # noqa: F401 - fixture
from tests.support.polling import eventually
from tests.support.sync import (
    QUEUE, FeedServer, RunningConsumer, applied_counts, declare, drain_queue, make_runtime, processor_for,
    reconciler_for, relay_for, write_events,
)
from tests.support.tokens import bearer

pytestmark = pytest.mark.services


def test_hub_stopped_while_site_writes_then_catches_up(site, hub, amqp_url):
    declare(amqp_url)
    processor = processor_for(hub)
    first = write_events(site, 20)
    relay_for(site, amqp_url).run_once()
    with RunningConsumer(amqp_url, processor):
        eventually(lambda: len(applied_counts(hub)) == 20)
    # The hub is down; the site keeps writing and relaying into the durable queue.
    later = write_events(site, 200)
    relay_for(site, amqp_url).run_once()
    assert len(applied_counts(hub)) == 20
    with RunningConsumer(amqp_url, processor):
        eventually(lambda: len(applied_counts(hub)) == 220)
    assert applied_counts(hub) == {i: 1 for i in first + later}


def test_message_deleted_from_broker_is_healed_from_the_feed(site, hub, amqp_url):
    declare(amqp_url)
    ids = write_events(site, 30)
    relay_for(site, amqp_url).run_once()
    messages = drain_queue(amqp_url, QUEUE.name)
    # Put everything back but seq 7 and the last one: one hole, and one missing tail.
    keep = [m for m in messages if json.loads(m.body)["seq"] not in (7, 30)]
    with bus.connect(amqp_url) as conn:
        bus.Publisher(conn).publish([bus.OutgoingMessage("AT12.registry.support_statement.recorded",
                                                         m.body, str(i)) for i, m in enumerate(keep)])
    processor = processor_for(hub)
    outcomes = []
    with RunningConsumer(amqp_url, processor, on_outcome=outcomes.append):
        eventually(lambda: len(applied_counts(hub)) == 28)
    assert any(o.gaps for o in outcomes), "the consumer noticed the gap"
    with FeedServer(site) as feed:
        healed = reconciler_for(hub, processor, site, feed.url).run_once()
    assert healed == {"AT12/registry": 2}
    assert applied_counts(hub) == {i: 1 for i in ids}
    with hub.engine.connect() as conn:
        assert inbox.positions(conn, QUEUE.name)["AT12/registry"] == (30, 30)


def test_new_hub_rebuilds_its_store_from_the_feeds(site, make_settings, pg_schema_url, amqp_url):
    ids = write_events(site, 120)
    declare(amqp_url)
    relay_for(site, amqp_url).run_once()
    fresh_hub = make_runtime(make_settings("EU", db_url=pg_schema_url("fresh"), bus_url=amqp_url))
    with FeedServer(site) as feed:
        reconciler_for(fresh_hub, processor_for(fresh_hub), site, feed.url).run_once()
    assert applied_counts(fresh_hub) == {i: 1 for i in ids}


def test_feed_refuses_without_a_federation_token(site):
    with FeedServer(site) as feed:
        assert requests.get(f"{feed.url}/federation/feed/AT12/registry").status_code == 401
        assert requests.get(f"{feed.url}/federation/feed/AT12/registry",
                            headers=bearer(site, ["member"], "someone")).status_code == 403
