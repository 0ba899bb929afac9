"""The workers of a site and of the hub in threads, as `sopro serve` runs them, on whatever bus URL a
test gives them (often a fault proxy's), and a writer that keeps a site taking writes."""
from __future__ import annotations

import threading
import time
from dataclasses import replace

from services.common import bus
from services.sync.consumer import EventConsumer
from services.sync.reconcile import FeedClient, Reconciler
from services.sync.relay import Relay
from tests.support.faults.harness import CountingProcessor, Hub, Site


class Writer:
    """Keeps a site taking writes at a steady pace, in a thread, whatever happens to its links."""

    def __init__(self, site: Site, per_second: float):
        self.site = site
        self.interval = 1.0 / per_second
        self.stop_event = threading.Event()
        self.count = 0
        self.errors: list[Exception] = []
        self.thread = threading.Thread(target=self._run, name=f"writer-{site.site_id}", daemon=True)

    def _run(self) -> None:
        due = time.monotonic()
        while not self.stop_event.is_set():
            try:
                self.site.statement()
                self.count += 1
            except Exception as exc:  # noqa: BLE001 - a refused write is a finding, recorded for the test
                self.errors.append(exc)
            due += self.interval
            self.stop_event.wait(max(0.0, due - time.monotonic()))

    def start(self) -> "Writer":
        self.thread.start()
        return self

    def stop(self) -> int:
        self.stop_event.set()
        self.thread.join(10)
        return self.count


class RelayWorker:
    """The site's relay, as `sopro serve --role relay` runs it, on a given bus URL (often a proxy's)."""

    def __init__(self, runtime, bus_url: str, confirm_timeout: float = 3.0, batch_size: int = 200,
                 connect_timeout: float = 3.0, backoff: float = 0.3):
        connection = bus.connect(bus_url, heartbeat=runtime.settings.bus_heartbeat_seconds,
                                 connect_timeout=connect_timeout)
        self.relay = Relay(runtime.engine, runtime.site_id, runtime.signing_key,
                           bus.Publisher(connection, confirm_timeout=confirm_timeout), batch_size=batch_size)
        self.stop_event, self.wake = threading.Event(), threading.Event()
        runtime.hooks.add(self.wake.set)
        self.thread = threading.Thread(target=self.relay.run_forever,
                                       args=(self.stop_event, self.wake, 0.02, backoff), daemon=True)

    def start(self) -> "RelayWorker":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.wake.set()
        self.thread.join(15)
        self.relay.publisher.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class _ObservedConsumer(EventConsumer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connected_at: list[float] = []

    def on_connection_revived(self):
        self.connected_at.append(time.monotonic())  # the first connect, and every reconnect
        super().on_connection_revived()


class IngestWorker:
    """The hub's ingest consumer in a thread, as `sopro serve --role ingest` runs it, counting."""

    def __init__(self, hub: Hub, bus_url: str, processor: CountingProcessor | None = None,
                 connect_timeout: float = 3.0, **kwargs):
        self.processor = processor or hub.processor("bus")
        connection = bus.connect(bus_url, heartbeat=hub.heartbeat, connect_timeout=connect_timeout)
        self.consumer = _ObservedConsumer(connection, hub.spec, self.processor, **kwargs)
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.consumer.run_until, args=(self.stop_event, 0.3), daemon=True)

    @property
    def absorbed(self) -> int:
        return self.processor.absorbed

    def start(self) -> "IngestWorker":
        self.thread.start()
        assert self.consumer.ready.wait(20), "the hub's consumer did not start"
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(15)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class ReconcileWorker:
    """The hub's reconciler on a timer, reading the site's feed at `feed_url` (often a proxy's)."""

    def __init__(self, hub: Hub, site_id: str, feed_url: str, interval: float = 2.0, timeout: float = 3.0):
        federation = hub.runtime.settings.federation
        site = replace(federation.site(site_id), url=feed_url)
        federation = replace(federation, sites={**federation.sites, site_id: site})
        feeds = FeedClient(federation, hub.runtime.federation_token, timeout=timeout)
        self.reconciler = Reconciler(hub.processor("feed"), feeds, [f"{site_id}/registry"], page_size=200)
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.reconciler.run_forever, args=(self.stop_event, interval),
                                       daemon=True)

    def start(self) -> "ReconcileWorker":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(15)
