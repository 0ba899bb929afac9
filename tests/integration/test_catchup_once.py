"""After a partition the backlog reaches the hub once (issue 20): the bus delivers it, the feed stands back
(services/sync/tail_watch.py); and a published message that never arrives is still pulled from the feed.

The reconciler looks far more often than in production (every 0.1 s), so a feed that did not stand back
would pull the backlog while the consumer drains it.
"""
from __future__ import annotations

import threading
import time

import pytest

from services.common import inbox
from services.sync.tail_watch import TailWatch
from tests.support.guarantees import hub, site  # noqa: F401 - fixture
from tests.support.polling import eventually
from tests.support.sync import (
    QUEUE, FeedServer, RunningConsumer, applied_counts, declare, drain_queue, processor_for, reconciler_for,
    relay_for, write_events,
)

pytestmark = pytest.mark.services

STREAM = "AT12/registry"


class Looking:
    """The reconciler's timer, every `interval` seconds, remembering what each run pulled."""

    def __init__(self, reconciler, interval: float = 0.1):
        self.reconciler, self.interval = reconciler, interval
        self.pulled: list[dict[str, int]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self.stop.is_set():
            self.pulled.append(self.reconciler.run_once())
            self.stop.wait(self.interval)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(30)

    @property
    def total(self) -> int:
        return sum(count for run in self.pulled for count in run.values())


def _origin(hub_runtime) -> int:
    """The origin's last seq the hub's reconciler noted for the stream (what the metrics show)."""
    position = inbox.stream_position
    with hub_runtime.engine.connect() as conn:
        return conn.execute(position.select().where(position.c.consumer == QUEUE.name,
                                                    position.c.stream == STREAM)).one().source_last_seq


def test_hub_partitioned_then_the_queue_delivers_the_backlog_once(site, hub, amqp_url):
    declare(amqp_url)
    processor = processor_for(hub)
    relay = relay_for(site, amqp_url)
    before = write_events(site, 20)
    relay.run_once()
    with RunningConsumer(amqp_url, processor):
        eventually(lambda: len(applied_counts(hub)) == 20)
    # The hub is cut off (its consumer and its reconciler stopped); the site writes and relays on.
    backlog = write_events(site, 400)
    assert relay.run_once() == 400
    outcomes = []
    with FeedServer(site) as feed, RunningConsumer(amqp_url, processor, on_outcome=outcomes.append):
        reconciler = reconciler_for(hub, processor, site, feed.url)
        with Looking(reconciler) as looking:
            assert eventually(lambda: len(applied_counts(hub)) == 420, timeout=60)
            assert eventually(lambda: len(looking.pulled) >= 3)  # it looked after the drain too
    assert applied_counts(hub) == {i: 1 for i in before + backlog}, "each event applied once"
    assert looking.total == 0, f"the feed pulled what the queue delivered: {looking.pulled}"
    assert sum(o.duplicates for o in outcomes) == 0, "the bus brought nothing twice"
    assert _origin(hub) == 420, "the reconciler still read how far the site is"


def test_relay_cut_off_from_the_broker_then_the_relay_delivers_the_backlog_once(site, hub, amqp_url):
    declare(amqp_url)
    processor = processor_for(hub)
    relay = relay_for(site, amqp_url)
    before = write_events(site, 20)
    relay.run_once()
    outcomes = []
    with FeedServer(site) as feed, RunningConsumer(amqp_url, processor, on_outcome=outcomes.append):
        eventually(lambda: len(applied_counts(hub)) == 20)
        reconciler = reconciler_for(hub, processor, site, feed.url)
        reconciler.tails = TailWatch(grace=0.2)  # impatient: the feed would pull a stalled published tail
        with Looking(reconciler) as looking:
            backlog = write_events(site, 300)
            cut_off = relay_for(site, "amqp://guest:guest@127.0.0.1:1//")  # no broker behind this port
            with pytest.raises(Exception):  # noqa: B017 - whatever the client raises for a refused connection
                cut_off.run_once()  # it numbers the rows (the feed serves them), but cannot publish
            time.sleep(1.5)  # the partition: many looks, the hub's position standing still
            assert len(applied_counts(hub)) == 20, "the feed left the unpublished backlog to the relay"
            assert relay.run_once() == 300  # healed: the relay publishes its backlog
            assert eventually(lambda: len(applied_counts(hub)) == 320, timeout=60)
    assert applied_counts(hub) == {i: 1 for i in before + backlog}
    assert looking.total == 0, f"the feed pulled what the relay delivered: {looking.pulled}"
    assert sum(o.duplicates for o in outcomes) == 0


def test_published_tail_that_never_arrives_is_pulled_after_the_grace(site, hub, amqp_url):
    declare(amqp_url)
    processor = processor_for(hub)
    relay = relay_for(site, amqp_url)
    first = write_events(site, 5)
    relay.run_once()
    with RunningConsumer(amqp_url, processor):
        eventually(lambda: len(applied_counts(hub)) == 5)
    lost = write_events(site, 3)
    relay.run_once()
    assert len(drain_queue(amqp_url, QUEUE.name)) == 3  # published, then lost on the way: no hole shows it
    with FeedServer(site) as feed:
        reconciler = reconciler_for(hub, processor, site, feed.url)
        reconciler.tails = TailWatch(grace=0.3)
        assert reconciler.run_once() == {}, "a first look gives the bus time"
        time.sleep(0.4)
        assert reconciler.run_once() == {STREAM: 3}, "the position stood still: the feed heals the tail"
    assert applied_counts(hub) == {i: 1 for i in first + lost}
    with hub.engine.connect() as conn:
        assert inbox.positions(conn, QUEUE.name)[STREAM] == (8, 8)
