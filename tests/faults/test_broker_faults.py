"""Faults of the broker itself, on a RabbitMQ node of the suite's own (never the shared one): a restart
mid-stream, and a memory alarm."""
from __future__ import annotations

import time
from urllib.parse import unquote, urlsplit

import pytest

from services.bootstrap import create_app
from tests.support.faults.checker import assert_clean, classify
from tests.support.faults.harness import all_applied, declare
from tests.support.faults.workers import IngestWorker, RelayWorker, Writer
from tests.support.polling import eventually

pytestmark = pytest.mark.services


def test_broker_restart_mid_stream(site, hub, own_broker, own_broker_url):
    """The broker stops and starts again while the site writes 50 events a second: durable queues and
    persistent messages survive, the relay and the hub reconnect, and each event is applied once."""
    declare(hub, own_broker_url)
    with IngestWorker(hub, own_broker_url) as ingest, RelayWorker(site.runtime, own_broker_url):
        writer = Writer(site, per_second=50).start()
        assert eventually(lambda: len(hub.applications()) >= 100, timeout=30)
        applied_before = set(hub.applications())
        started = time.monotonic()
        own_broker.restart()
        restart_s = time.monotonic() - started
        time.sleep(1.0)
        written_by_then = site.event_ids()
        writer.stop()
        written = site.event_ids()
        assert eventually(lambda: all_applied(hub, written), timeout=60)
        caught_up_s = time.monotonic() - started
        time.sleep(0.5)
    figures = classify("broker restart mid-stream", written, hub.applications(), hub.routes(),
                       in_doubt=set(written_by_then) - applied_before, absorbed=ingest.absorbed,
                       restart_s=round(restart_s, 1), caught_up_after_s=round(caught_up_s, 1),
                       consumer_connections=len(ingest.consumer.connected_at))
    assert_clean(figures)
    assert writer.errors == [], "the site took every write while its broker restarted"
    assert len(ingest.consumer.connected_at) >= 2, "the hub's consumer lost its connection and came back"


def test_memory_alarm_blocks_publishers_but_not_the_site(site, hub, own_broker, own_broker_url):
    """A memory alarm on the broker blocks every publisher. The site still takes writes through its API
    and its handlers, nothing is published while the alarm lasts, and after it clears everything
    arrives once."""
    vhost = unquote(urlsplit(own_broker_url).path[1:])
    declare(hub, own_broker_url)
    api = create_app(site.runtime).test_client()
    with IngestWorker(hub, own_broker_url) as ingest, \
            RelayWorker(site.runtime, own_broker_url, confirm_timeout=2.0):
        site.write(20)
        assert eventually(lambda: all_applied(hub, site.event_ids()))
        applied_before = set(hub.applications())

        own_broker.memory_alarm(True)
        try:
            assert "memory" in own_broker.alarms()
            answers = [api.post("/api/v1/support-statements", json={
                "kind": "person", "first_name": "Ilse", "last_name": "Alarm", "consent": True, "nuts3": "AT127",
            }).status_code for _ in range(20)]
            site.write(100)
            blocked = eventually(lambda: "blocked" in own_broker.connection_states(vhost), timeout=15)
            time.sleep(2.5)  # longer than the relay's confirm timeout: it has tried, and was held
            during = set(site.event_ids()) - applied_before
            backlog = site.backlog()
            depth = own_broker.queue_depth(vhost, hub.spec.name)
            applied_during = set(hub.applications()) - applied_before
        finally:
            own_broker.memory_alarm(False)
        cleared = time.monotonic()
        written = site.event_ids()
        assert eventually(lambda: all_applied(hub, written), timeout=60)
        drained_s = time.monotonic() - cleared
        time.sleep(0.5)
    figures = classify("broker memory alarm", written, hub.applications(), hub.routes(), in_doubt=during,
                       absorbed=ingest.absorbed, api_writes_accepted=answers.count(201),
                       backlog_during_alarm=backlog, drained_after_clear_s=round(drained_s, 1))
    assert_clean(figures)
    assert answers == [201] * 20, "the site's API took every write during the alarm"
    assert blocked, "the broker blocked the publishing connection"
    assert len(during) == 120 and backlog == 120, "nothing was published while the alarm lasted"
    assert depth == 0 and applied_during == set(), "and nothing reached the queue or the hub"
