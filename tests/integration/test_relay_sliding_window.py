"""The relay's sliding confirm window on real PostgreSQL and RabbitMQ: when the broker refuses a message
or stops confirming in the middle of a stream, only the confirmed prefix is marked published, and the next
run publishes the rest, in seq order (DESIGN.md §3, guarantees 1 and 3)."""
from __future__ import annotations

import json

import pytest
from kombu import Queue

from services.common import bus
from services.sync.relay import Relay
from tests.support.guarantees import published_seqs, site  # noqa: F401 - fixture
from tests.support.sync import drain_queue, write_events

pytestmark = pytest.mark.services

PROBE = "AT12.window_probe"


def probe_queue(bus_url: str, max_length: int | None = None) -> None:
    """A queue that takes the site's events; with `max_length`, the broker refuses (nacks) what overflows."""
    arguments = {"x-max-length": max_length, "x-overflow": "reject-publish"} if max_length else {}
    with bus.connect(bus_url) as conn:
        bus.declare_exchanges(conn)
        channel = conn.default_channel
        channel.queue_delete(PROBE)
        Queue(PROBE, exchange=bus.events_exchange, routing_key="AT12.#", durable=True,
              queue_arguments=arguments)(channel).declare()


def relay(runtime, publisher: bus.Publisher) -> Relay:
    return Relay(runtime.engine, runtime.site_id, runtime.signing_key, publisher, batch_size=10)


def seqs_on_the_queue(bus_url: str) -> list[int]:
    return [json.loads(m.body)["seq"] for m in drain_queue(bus_url, PROBE)]


def test_a_refusal_mid_stream_marks_the_confirmed_prefix_and_the_next_run_publishes_the_rest(site, amqp_url):
    probe_queue(amqp_url, max_length=15)
    write_events(site, 40)
    with pytest.raises(bus.PublishError, match="refused"):
        relay(site, bus.Publisher(bus.connect(amqp_url), window=4)).run_once()
    assert published_seqs(site) == list(range(1, 16)), "the 15 the queue took, not one refused after them"
    assert seqs_on_the_queue(amqp_url) == list(range(1, 16))

    probe_queue(amqp_url)
    assert relay(site, bus.Publisher(bus.connect(amqp_url), window=4)).run_once() == 25
    assert published_seqs(site) == list(range(1, 41))
    assert seqs_on_the_queue(amqp_url) == list(range(16, 41)), "the rest, republished in seq order"


class ConfirmsLostAfter(bus.Publisher):
    """A publisher whose link stops delivering the broker's confirms past ticket `limit`."""

    def __init__(self, conn, limit: int, **kwargs):
        super().__init__(conn, **kwargs)
        self.limit = limit

    def _on_ack(self, tag: int, multiple: bool) -> None:
        if self._tag_base + tag <= self.limit:
            super()._on_ack(tag, multiple)
        elif multiple:  # covers the tickets up to the limit too
            super()._on_ack(self.limit - self._tag_base, True)


def test_a_confirm_timeout_mid_stream_marks_the_confirmed_prefix_and_the_rest_is_published_again(site, amqp_url):
    probe_queue(amqp_url)
    write_events(site, 40)
    deaf = ConfirmsLostAfter(bus.connect(amqp_url), limit=12, window=4, confirm_timeout=0.5)
    with pytest.raises(bus.PublishError, match="unconfirmed"):
        relay(site, deaf).run_once()
    assert published_seqs(site) == list(range(1, 13))
    first_run = seqs_on_the_queue(amqp_url)
    assert first_run[:12] == list(range(1, 13)) and len(first_run) <= 16, "at most the window went unconfirmed"

    assert relay(site, bus.Publisher(bus.connect(amqp_url))).run_once() == 28
    assert published_seqs(site) == list(range(1, 41))
    assert seqs_on_the_queue(amqp_url) == list(range(13, 41)), "the unconfirmed again (consumers dedupe them)"


def test_a_relay_pipelines_many_batches_and_marks_every_row_once(site, amqp_url):
    probe_queue(amqp_url)
    write_events(site, 95)
    publisher = bus.Publisher(bus.connect(amqp_url), window=7)
    assert relay(site, publisher).run_once() == 95
    assert publisher.sent == publisher.confirmed == 95
    assert published_seqs(site) == list(range(1, 96))
    assert seqs_on_the_queue(amqp_url) == list(range(1, 96))
