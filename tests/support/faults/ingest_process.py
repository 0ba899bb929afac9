"""The hub's ingest consumer as a process of its own, for a test to kill with SIGKILL.

It runs what `sopro serve --site EU --role ingest` runs (services.workers.hub_ingest: the queue, the
processor, the hub's handlers), configured by the same environment (SOPRO_SITE, SOPRO_DB_URL,
SOPRO_BUS_URL, SOPRO_FEDERATION_FILE, SOPRO_KEY_FILE, SOPRO_BUS_HEARTBEAT), with the fault probe
counting applications. It reports on stdout, one line each: READY, then OUTCOME applied=<n>
duplicates=<n> per batch. With --hold-after-commit it stops after its first batch has committed, before
the ack, prints COMMITTED <n>, and waits there to be killed; with --hold-in-allocation it stops inside
a consortium allocation's transaction, once the parts are written, and prints ALLOCATING <n>.
"""
from __future__ import annotations

import argparse
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading

from services.bootstrap import bootstrap
from services.common import bus
from services.common.config import REPO_ROOT, load_settings
from services.sync.consumer import EventConsumer
from tests.support.faults.harness import Hub


class IngestProcess:
    """This module in a process of its own, for a test: its stdout read line by line."""

    def __init__(self, hub, bus_url: str, federation_file, *options: str):
        settings = hub.runtime.settings
        env = {**os.environ, "SOPRO_SITE": settings.site_id, "SOPRO_DB_URL": settings.db_url,
               "SOPRO_BUS_URL": bus_url, "SOPRO_FEDERATION_FILE": str(federation_file),
               "SOPRO_KEY_FILE": str(settings.key_file),
               "SOPRO_BUS_HEARTBEAT": str(settings.bus_heartbeat_seconds), "PYTHONPATH": str(REPO_ROOT)}
        args = [sys.executable, "-m", "tests.support.faults.ingest_process", *options]
        self.stderr = tempfile.TemporaryFile(mode="w+")
        self.process = subprocess.Popen(args, env=env, cwd=REPO_ROOT, stdout=subprocess.PIPE,
                                        stderr=self.stderr, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.strip())

    def expect(self, prefix: str, timeout: float = 90.0) -> str:
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                self.stderr.seek(0)
                raise AssertionError(f"the ingest process never said {prefix}; its stderr ends:\n"
                                     f"{self.stderr.read()[-3000:]}") from None
            self.seen.append(line)
            if line.startswith(prefix):
                return line

    def duplicates(self) -> int:
        while not self.lines.empty():
            self.seen.append(self.lines.get())
        return sum(int(line.rsplit("=", 1)[1]) for line in self.seen if line.startswith("OUTCOME"))

    def end(self, sig: int = signal.SIGTERM) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)  # our own child, by its pid
        self.process.wait(20)
        self.stderr.close()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hold-after-commit", action="store_true")
    parser.add_argument("--hold-in-allocation", action="store_true",
                        help="stop inside the transaction of a consortium allocation, once its parts are written")
    args = parser.parse_args(argv)
    if args.hold_in_allocation:
        _hold_in_allocation()
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


def _hold_in_allocation() -> None:
    from services.hub.crossborder import store as consortium_store

    add_parts = consortium_store.add_parts

    def add_parts_then_hold(conn, rows):
        add_parts(conn, rows)
        print(f"ALLOCATING {len(rows)}", flush=True)
        threading.Event().wait()  # parts written, nothing committed: wait for SIGKILL

    consortium_store.add_parts = add_parts_then_hold


if __name__ == "__main__":
    sys.exit(main())
