"""Stopping a process's workers ends every worker thread at once, whatever its idle wait: a hub's ingest
consumer and its reconciler (which waits `reconcile_interval_seconds` between rounds), a site's relay,
consumers and mail sender. An embedded federation (`sopro demo`, the tests' federations) stops with them."""
from __future__ import annotations

import pytest

from services.bootstrap import start_consumers
from services.workers import Workers, start_relay
from tests.support.migrated import bootstrap


@pytest.mark.parametrize("site_id", ["EU", "AT12"])
def test_shutdown_ends_every_worker_thread_within_its_timeout(make_settings, site_id):
    runtime = bootstrap(make_settings(site_id, reconcile_interval_seconds=3600, relay_idle_seconds=3600))
    workers = Workers()
    start_consumers(runtime, workers)
    if site_id != "EU":
        start_relay(runtime, workers)
    assert workers.threads
    workers.shutdown(timeout=2.0)
    assert [t.name for t in workers.threads if t.is_alive()] == []
    runtime.engine.dispose()
