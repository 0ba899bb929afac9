"""A 60-second partition between a site and the hub while the site keeps taking writes, then catch-up.

The site reaches the broker (next to the hub) and the hub reaches the site's feed over a WAN; both
cross the partition through a fault proxy. The hub's consumer talks to its broker directly, and its
reconciler pulls the site's feed on a timer. The test reports the drain rate after the partition
against the steady rate measured before it; it asserts no timings (DESIGN.md: record, never assert).
"""
from __future__ import annotations

import os
import time

import pytest

from services.bootstrap import create_app
from services.serving import AppServer
from tests.support.faults.checker import assert_clean, classify
from tests.support.faults.harness import all_applied, broker_proxy, declare, through
from tests.support.faults.proxy import FaultProxy
from tests.support.faults.workers import IngestWorker, ReconcileWorker, RelayWorker, Writer
from tests.support.polling import eventually

pytestmark = pytest.mark.services

PARTITION_SECONDS = float(os.environ.get("SOPRO_FAULTS_PARTITION_SECONDS", "60"))
WRITES_PER_SECOND = 30
STEADY_SECONDS = 5


def test_partition_between_a_site_and_the_hub_then_catch_up(site, hub, amqp_url):
    declare(hub, amqp_url)
    server = AppServer(create_app(site.runtime), "127.0.0.1", 0).start()  # the site's API and its feed
    try:
        with broker_proxy(amqp_url) as wan_bus, FaultProxy("127.0.0.1", server.port) as wan_feed:
            ingest = IngestWorker(hub, amqp_url).start()
            relay = RelayWorker(site.runtime, through(wan_bus, amqp_url)).start()
            reconcile = ReconcileWorker(hub, site.site_id, wan_feed.url("http"), interval=2.0, timeout=3.0).start()
            writer = Writer(site, per_second=WRITES_PER_SECOND).start()
            try:
                figures = _partition_and_catch_up(site, hub, writer, wan_bus, wan_feed)
            finally:
                writer.stop()
                reconcile.stop()
                relay.stop()
                ingest.stop()
    finally:
        server.stop()
    figures.absorbed_duplicates = ingest.absorbed
    assert_clean(figures)
    assert writer.errors == [], "the site took every write, partitioned or not"
    assert figures.extra["writes_during_partition"] > 0


def _partition_and_catch_up(site, hub, writer, wan_bus, wan_feed):
    # Steady state: how many events a second reach the hub while the site writes and the links are up.
    assert eventually(lambda: len(hub.applications()) >= WRITES_PER_SECOND, timeout=30)
    steady_from, applied_from = time.monotonic(), len(hub.applications())
    time.sleep(STEADY_SECONDS)
    steady_rate = (len(hub.applications()) - applied_from) / (time.monotonic() - steady_from)

    wan_bus.partition()
    wan_feed.partition()
    cut_off = set(site.event_ids())
    applied_at_cut = set(hub.applications())
    time.sleep(PARTITION_SECONDS)
    written_at_heal = site.event_ids()
    applied_at_heal = set(hub.applications())
    during = [i for i in written_at_heal if i not in cut_off]
    assert not set(during) & applied_at_heal, "nothing written during the partition crossed it"
    backlog = [i for i in written_at_heal if i not in applied_at_heal]

    healed = time.monotonic()
    wan_bus.heal()
    wan_feed.heal()
    resumed = eventually(lambda: set(hub.applications()) & set(backlog) and time.monotonic(), timeout=120,
                         interval=0.01)
    assert eventually(lambda: all_applied(hub, written_at_heal), timeout=120, interval=0.01), \
        "the backlog never drained"
    drain_seconds = time.monotonic() - healed
    drain_rate = len(backlog) / drain_seconds  # from the heal: reconnecting is part of catching up
    flow_rate = len(backlog) / max(drain_seconds - (resumed - healed), 1e-3)  # once events flow again

    writer.stop()
    written = site.event_ids()
    assert eventually(lambda: all_applied(hub, written), timeout=60)
    time.sleep(0.5)
    routes = hub.routes()
    print(f"[fault] catch-up: {len(backlog)} events drained in {drain_seconds:.1f}s after the heal = "
          f"{drain_rate:.0f}/s against a steady {steady_rate:.1f}/s (x{drain_rate / steady_rate:.1f}); the first "
          f"arrived after {resumed - healed:.1f}s, then {flow_rate:.0f}/s; "
          f"{sum(1 for i in backlog if routes.get(i) == 'feed')} of the backlog came from the feed")
    return classify(
        f"{PARTITION_SECONDS:.0f}s partition between a site and the hub", written, hub.applications(), routes,
        in_doubt=set(cut_off) - applied_at_cut | set(backlog),
        partition_s=PARTITION_SECONDS, writes_during_partition=len(during), backlog_at_heal=len(backlog),
        steady_rate_per_s=round(steady_rate, 1), drain_s=round(drain_seconds, 2),
        drain_rate_per_s=round(drain_rate, 1), drain_vs_steady=round(drain_rate / steady_rate, 1),
        first_after_heal_s=round(resumed - healed, 2), flow_rate_per_s=round(flow_rate, 1),
        backlog_via_feed=sum(1 for i in backlog if routes.get(i) == "feed"),
    )
