"""The consumer checks messages on two threads at once (services/sync/consumer.py, CHECKERS), and still applies
them in the order they arrived, on real PostgreSQL and RabbitMQ.

The first chunk's checks are slowed down so that the second chunk is checked meanwhile, on the other thread:
the stream must still be applied seq after seq, each event once.
"""
from __future__ import annotations

import threading
import time

import pytest

from services.sync.consumer import CHECK_CHUNK, CHECKERS
from services.sync.processing import EventProcessor
from tests.support.guarantees import hub, site  # noqa: F401 - fixture
from tests.support.polling import eventually
from tests.support.sync import EVENT_TYPE, RunningConsumer, declare, probe_handler, relay_for, write_events

pytestmark = pytest.mark.services


class WatchedProcessor(EventProcessor):
    """Records which thread checked each message and when, slows the first chunk's checks, and records the
    order in which the events are applied."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.checks: list[tuple[str, float, float]] = []
        self.applied: list[int] = []
        self._lock = threading.Lock()

    def check(self, body):
        started = time.monotonic()
        found = super().check(body)
        if found[0] is not None and found[0].seq <= CHECK_CHUNK:
            time.sleep(0.02)
        with self._lock:
            self.checks.append((threading.current_thread().name, started, time.monotonic()))
        return found


def test_two_threads_check_at_once_and_the_stream_is_applied_in_order(site, hub, amqp_url):
    declare(amqp_url)
    n = 4 * CHECK_CHUNK
    write_events(site, n)
    assert relay_for(site, amqp_url, batch_size=n).run_once() == n

    def applying(conn, env):
        probe_handler(conn, env)
        processor.applied.append(env.seq)

    processor = WatchedProcessor("hub.ingest", hub.engine, hub.verifier, hub.validator, {EVENT_TYPE: applying})
    with RunningConsumer(amqp_url, processor, batch_size=n):
        assert eventually(lambda: len(processor.applied) >= n, timeout=30), f"applied {len(processor.applied)}"

    assert processor.applied == list(range(1, n + 1)), "the stream was not applied in the order it arrived"
    threads = {name for name, _, _ in processor.checks}
    assert len(threads) == CHECKERS == 2, f"checked on {threads}"
    at_once = [(a, b) for a in processor.checks for b in processor.checks
               if a[0] != b[0] and a[1] < b[2] and b[1] < a[2]]
    assert at_once, "the two threads never checked messages at the same time"
