"""Faults on the links between a site, the broker and the hub, injected by the fault proxy."""
from __future__ import annotations

import time

import pytest

from tests.support.faults.checker import assert_clean, classify
from tests.support.faults.harness import HEARTBEAT_SECONDS, all_applied, broker_proxy, declare, through
from tests.support.faults.workers import IngestWorker, RelayWorker, Writer
from tests.support.polling import eventually

pytestmark = pytest.mark.services


def test_connections_reset_mid_batch(site, hub, amqp_url):
    """The relay's link is reset halfway through publishing a batch, the hub's link after a batch has
    committed and before its ack: the unconfirmed batch is published again, the unacknowledged one
    delivered again, and the hub applies each event once."""
    declare(hub, amqp_url)
    with broker_proxy(amqp_url) as relay_link, broker_proxy(amqp_url) as hub_link:
        site.write(400)
        relay_link.cut_after(30_000)  # about a quarter into the first batch of 200 envelopes
        with RelayWorker(site.runtime, through(relay_link, amqp_url), batch_size=200):
            assert eventually(lambda: site.backlog() == 0, timeout=60)
        assert len(relay_link.accepted) >= 2, "the relay's link was cut, and the relay came back"
        written = site.event_ids()

        cut = {}
        processor = hub.processor("bus")
        apply_batch = processor.process

        def commit_then_lose_the_link(bodies):
            outcome = apply_batch(bodies)
            if not cut and len(bodies) >= 50:
                cut.update(batch=len(bodies), connections=hub_link.cut())  # committed; the ack is lost
            return outcome

        processor.process = commit_then_lose_the_link
        # The queue holds the whole stream, so the hub takes full batches from the start.
        with IngestWorker(hub, through(hub_link, amqp_url), processor=processor) as ingest:
            assert eventually(lambda: all_applied(hub, written), timeout=60)
            time.sleep(0.5)  # let any late redelivery arrive, to be counted
        assert cut, "the hub's link was never cut mid-batch"
        figures = classify("connections reset mid-batch", written, hub.applications(), hub.routes(),
                           in_doubt=set(written), absorbed=ingest.absorbed, hub_batch_cut=cut["batch"],
                           relay_connections=len(relay_link.accepted), hub_connections=len(hub_link.accepted))
    assert_clean(figures)
    assert ingest.absorbed > cut["batch"], ("the committed but unacknowledged batch came again and was absorbed, "
                                            "and so did the envelopes published before the relay's link was cut")


def test_half_open_links_are_detected_by_heartbeats_within_bounds(site, hub, amqp_url):
    """Both links go half-open (sockets open, nothing crosses). The relay and the hub's consumer
    notice within about two heartbeat intervals (the relay sooner, by its confirm timeout, if it was
    mid-publish), reconnect, and every event arrives once; an idle, healthy link is not taken for dead."""
    confirm_timeout = 3.0
    with broker_proxy(amqp_url) as relay_link, broker_proxy(amqp_url) as hub_link:
        with IngestWorker(hub, through(hub_link, amqp_url)) as ingest, \
                RelayWorker(site.runtime, through(relay_link, amqp_url), confirm_timeout=confirm_timeout):
            assert len(hub_link.accepted) == 1, "the consumer holds one connection, all of it heartbeat-watched"
            site.write(5)
            assert eventually(lambda: all_applied(hub, site.event_ids()))
            settled = time.monotonic()
            time.sleep(2.5 * HEARTBEAT_SECONDS)  # idle for longer than two heartbeat intervals
            assert relay_link.connections_since(settled) == 0 and hub_link.connections_since(settled) == 0, \
                "a healthy idle link was taken for dead"

            writer = Writer(site, per_second=40).start()
            time.sleep(1.0)
            applied_at_strike = set(hub.applications())
            struck = time.monotonic()
            assert relay_link.blackhole() == 1 and hub_link.blackhole() == 1
            relay_back = eventually(lambda: relay_link.connections_since(struck), timeout=30, interval=0.02)
            relay_detected = time.monotonic() - struck
            hub_back = eventually(lambda: hub_link.connections_since(struck) and ingest.consumer.connected_at[-1] > struck,
                                  timeout=30, interval=0.02)
            hub_detected = ingest.consumer.connected_at[-1] - struck
            doubt = set(site.event_ids()) - applied_at_strike  # in flight, or written while the links were dead
            time.sleep(1.0)
            writer.stop()
            written = site.event_ids()
            assert eventually(lambda: all_applied(hub, written), timeout=60)
            time.sleep(0.5)
    assert relay_back and hub_back, "a half-open link was never noticed"
    # py-amqp gives up after two silent intervals; a third, plus 2 s, is slack for a loaded machine. The
    # production default (30 s) would take a minute, and without heartbeats it would never be noticed.
    bound = 3 * HEARTBEAT_SECONDS + 2.0
    figures = classify("half-open link", written, hub.applications(), hub.routes(), in_doubt=doubt,
                       absorbed=ingest.absorbed, heartbeat_s=HEARTBEAT_SECONDS,
                       relay_detected_s=round(relay_detected, 2), hub_detected_s=round(hub_detected, 2),
                       bound_s=bound)
    assert_clean(figures)
    assert writer.errors == []
    assert relay_detected <= bound, f"the relay took {relay_detected:.1f}s to notice (bound {bound}s)"
    assert hub_detected <= bound, f"the hub's consumer took {hub_detected:.1f}s to notice (bound {bound}s)"
