"""DESIGN.md §3, guarantee 6 on real PostgreSQL and RabbitMQ: sites stay autonomous.

A site keeps writing while the broker is down and drains after; the relay and the consumer survive the
broker dropping their connections, and the consumer its database failing.
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from services.common.bus import PublishError
from services.common.outbox import outbox
from tests.support.guarantees import hub, site  # noqa: F401 - fixture
from tests.support.polling import eventually
from tests.support.services import rabbitmqctl
from tests.support.sync import RunningConsumer, applied_counts, declare, processor_for, relay_for, write_events

pytestmark = pytest.mark.services


def test_site_keeps_writing_while_broker_is_down_and_drains_after(site, hub, amqp_url):
    down = relay_for(site, "amqp://guest:guest@127.0.0.1:1//")
    ids = []
    for _ in range(5):
        ids += write_events(site, 20)  # writes succeed with no broker
        with pytest.raises((PublishError, OSError)):
            down.run_once()
    with site.engine.connect() as conn:
        backlog = conn.execute(select(outbox.c.id).where(outbox.c.published_at.is_(None))).all()
    assert len(backlog) == 100
    declare(amqp_url)
    assert relay_for(site, amqp_url).run_once() == 100
    with RunningConsumer(amqp_url, processor_for(hub)):
        eventually(lambda: len(applied_counts(hub)) == 100)
    assert applied_counts(hub) == {i: 1 for i in ids}


def test_relay_and_consumer_survive_the_broker_dropping_their_connections(site, hub, amqp_url):
    declare(amqp_url)
    vhost = amqp_url.rsplit("/", 1)[1]
    relay = relay_for(site, amqp_url)
    stop, wake = threading.Event(), threading.Event()
    thread = threading.Thread(target=relay.run_forever, args=(stop, wake, 0.02, 0.2), daemon=True)
    thread.start()
    ids = write_events(site, 50)
    with RunningConsumer(amqp_url, processor_for(hub)):
        eventually(lambda: len(applied_counts(hub)) == 50)
        rabbitmqctl("close_all_connections", "--vhost", vhost, "fault injection")
        ids += write_events(site, 50)
        wake.set()
        eventually(lambda: len(applied_counts(hub)) == 100, timeout=30)
    stop.set()
    thread.join(10)
    assert applied_counts(hub) == {i: 1 for i in ids}


def test_consumer_survives_its_database_failing_and_applies_everything_after(site, hub, amqp_url):
    """A failing hub transaction leaves the batch unacknowledged; it is redelivered and applied once."""
    from services.sync import processing

    declare(amqp_url)
    ids = write_events(site, 30)
    relay_for(site, amqp_url).run_once()
    processor = processor_for(hub)
    failures = {"left": 2}
    real_apply = processing.EventProcessor._apply

    def flaky_apply(self, checked):
        if failures["left"]:
            failures["left"] -= 1
            from sqlalchemy.exc import OperationalError

            raise OperationalError("INSERT", {}, Exception("the database went away"))
        return real_apply(self, checked)

    processor._apply = flaky_apply.__get__(processor)
    running = RunningConsumer(amqp_url, processor)
    running.thread = threading.Thread(target=running.consumer.run_until, args=(running.stop_event, 0.2),
                                      daemon=True)
    with running:
        eventually(lambda: len(applied_counts(hub)) == 30, timeout=30)
    assert failures["left"] == 0
    assert applied_counts(hub) == {i: 1 for i in ids}
