"""The hub's ingest consumer as a process of its own, for a test to kill with SIGKILL.

It runs what `sopro serve --site EU --role ingest` runs (services.workers.hub_ingest: the queue, the
processor, the hub's handlers), configured by the same environment (SOPRO_SITE, SOPRO_DB_URL,
SOPRO_BUS_URL, SOPRO_FEDERATION_FILE, SOPRO_KEY_FILE, SOPRO_BUS_HEARTBEAT), with the fault probe
counting applications. It reports on stdout, one line each: READY, then OUTCOME applied=<n>
duplicates=<n> per batch. With --hold-after-commit it stops after its first batch has committed, before
the ack, prints COMMITTED <n>, and waits there to be killed.
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading

from services.bootstrap import bootstrap
from services.common import bus
from services.common.config import load_settings
from services.sync.consumer import EventConsumer
from tests.faults.harness import Hub


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hold-after-commit", action="store_true")
    args = parser.parse_args(argv)
    settings = load_settings()
    hub = Hub(bootstrap(settings, migrate_db=False))
    processor = hub.processor("bus")
    apply_batch = processor.process

    def process(bodies):
        outcome = apply_batch(bodies)
        print(f"OUTCOME applied={len(outcome.applied)} duplicates={outcome.duplicates}", flush=True)
        if args.hold_after_commit:
            print(f"COMMITTED {len(bodies)}", flush=True)
            threading.Event().wait()  # committed, never acknowledged: wait for SIGKILL
        return outcome

    processor.process = process
    connection = bus.connect(settings.bus_url, heartbeat=settings.bus_heartbeat_seconds)
    consumer = EventConsumer(connection, hub.spec, processor)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=lambda: consumer.ready.wait() and print("READY", flush=True), daemon=True).start()
    consumer.run_until(stop)
    return 0


if __name__ == "__main__":
    sys.exit(main())
