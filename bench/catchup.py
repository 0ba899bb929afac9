"""Catch-up after a partition: the hub's drain rate of the backlog against its max ingest rate.

The site (its own process: a writer at a steady rate, and its relay) keeps writing while the hub is cut
off for 60 s (--quick: 10 s): the hub's ingest consumer and its reconciler are stopped, as when the hub
or its link is down; the relay keeps publishing into the hub's durable queue, and the site's feed keeps
serving. Then the hub comes back: a new consumer and a new reconciler (the hub's interval), wired as
services.workers.start_hub_ingest wires them.

- drain rate: backlog events (written before the heal, not applied at the cut) / seconds from the heal
  until the hub's contiguous position passes the last of them;
- baseline, max ingest rate: the same backlog's envelopes consumed from a full queue by the same hub
  ingest (a fresh hub brought to the same position first), while the site keeps writing as it did;
- the hub received twice: the duplicates tracking absorbed, from the bus and from the feed.

Variants, one round each per run (which goes first turns over `--runs`):
- `current`: the reconciler stands back from a tail the bus delivers (services/sync/tail_watch.py);
- `both paths`: the reconciler before issue 20, whose every run pulls every stream's tail from the feed
  while the consumer drains the queue (tracking absorbs the second copies);
- `feed alone`: which path is faster: the reconciler pulls the backlog and nothing consumes the queue.
"""
from __future__ import annotations

import copy
import logging
import multiprocessing
import random
import statistics
import threading
import time
from dataclasses import replace

from sqlalchemy import func, select

from bench.common import (
    BATCH, BenchEnv, Result, organisation_registered, pika_publish_windowed, relayed_messages, statement_recorded,
)
from bench.hub_ingest import consume
from bench.relay_throughput import purge
from services.common import bus, inbox
from services.common.api import create_flask_app
from services.common.outbox import outbox
from services.serving import AppServer
from services.sync import feed
from services.sync.consumer import EventConsumer
from services.sync.reconcile import FeedClient, Reconciler
from services.workers import hub_ingest

NAME = "catchup"
STREAM_SERVICE = "registry"
WRITES_PER_SECOND = 200
MAX_QUEUE = "hub.catchup_max"
_runs = 0
LABELS = {"both paths": "before issue 20", "feed alone": "the reconciler pulls it, no consumer"}


# --- the site, in its own process --------------------------------------------------------------------------

def site_side(settings, amqp_url: str, per_second: float, stop, seed: int) -> None:
    """Write registry events at `per_second` (one transaction per 20 ms tick) and relay them, until `stop`."""
    from services.common.runtime import build_runtime
    from services.sync.relay import Relay

    runtime = build_runtime(settings)
    relay = Relay(runtime.engine, runtime.site_id, runtime.signing_key, bus.Publisher(bus.connect(amqp_url)),
                  batch_size=BATCH)
    relay_stop, wake = threading.Event(), threading.Event()
    relaying = threading.Thread(target=relay.run_forever, args=(relay_stop, wake, 0.05), daemon=True)
    relaying.start()
    rng, written, started = random.Random(seed), 0, time.monotonic()
    while not stop.is_set():
        due = int((time.monotonic() - started) * per_second) - written
        if due > 0:
            with runtime.uow() as uow:
                uow.record_events([organisation_registered(rng, written + i) if (written + i) % 3 == 0
                                   else statement_recorded(rng) for i in range(due)])
                uow.commit()
            written += due
            wake.set()
        stop.wait(0.02)
    relay_stop.set()
    relaying.join(10)
    runtime.engine.dispose()


# --- the hub's side ----------------------------------------------------------------------------------------

class BothPaths(Reconciler):
    """The reconciler before issue 20: every run heals every expected stream and every gap from the feed."""

    def run_once(self) -> dict[str, int]:
        streams = set(self.expected_streams) | {s for s, (c, m) in self.positions().items() if m > c}
        return {stream: self.heal(stream) for stream in sorted(streams)}


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.applied = {"bus": 0, "feed": 0}
        self.duplicates = {"bus": 0, "feed": 0}

    def add(self, path: str, outcome) -> None:
        with self.lock:
            self.applied[path] += len(outcome.applied)
            self.duplicates[path] += outcome.duplicates


class HubIngest:
    """The hub's consumer and reconciler threads (services.workers.start_hub_ingest), counting per path."""

    def __init__(self, env: BenchEnv, hub, site_id: str, site_url: str, reconciler_cls, tally: Tally):
        self.spec, processor, streams = hub_ingest(hub)
        streams = [s for s in streams if s.startswith(f"{site_id}/")]  # the federation's other sites are not up
        federation = hub.settings.federation
        federation = replace(federation, sites={**federation.sites,
                                                site_id: replace(federation.site(site_id), url=site_url)})
        feed_processor = copy.copy(processor)
        feed_processor.process = lambda bodies: _counted(processor.process(bodies), tally, "feed")
        self.reconciler = reconciler_cls(feed_processor, FeedClient(federation, hub.federation_token), streams)
        self.interval = hub.settings.reconcile_interval_seconds
        self.heal_now = heal_now = threading.Event()

        def on_outcome(outcome):
            tally.add("bus", outcome)
            if outcome.gaps:
                heal_now.set()

        self.connection = bus.connect(env.amqp_url)
        self.consumer = EventConsumer(self.connection, self.spec, processor, on_outcome=on_outcome)
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.consumer.run_until, args=(self.stop,), daemon=True),
                        threading.Thread(target=self.reconciler.run_forever, args=(self.stop, self.interval, heal_now),
                                         daemon=True)]

    def start(self) -> HubIngest:
        for thread in self.threads:
            thread.start()
        return self

    def close(self) -> None:
        self.stop.set()
        self.heal_now.set()  # the reconciler waits on it between runs
        for thread in self.threads:
            if thread.is_alive():
                thread.join(30)
        self.connection.release()


def _counted(outcome, tally: Tally, path: str):
    tally.add(path, outcome)
    return outcome


def contiguous(hub, stream: str) -> int:
    with hub.engine.connect() as conn:
        return inbox.positions(conn, "hub.ingest").get(stream, (0, 0))[0]


def written(site, stream: str) -> int:
    with site.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(outbox).where(outbox.c.stream == stream)).scalar()


def wait_until(predicate, timeout: float, interval: float = 0.01) -> float:
    """Poll until `predicate()`; the monotonic time it first held."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the hub did not catch up")
        time.sleep(interval)
    return time.monotonic()


# --- one round -------------------------------------------------------------------------------------------

def one_round(env: BenchEnv, label: str, reconciler_cls, partition: float, seed: int) -> dict:
    site, hub = env.site(f"cu_site_{label}"), env.hub(f"cu_hub_{label}")
    stream = f"{site.site_id}/{STREAM_SERVICE}"
    spec = hub_ingest(hub)[0]
    purge(env, spec)
    app, api = create_flask_app("catchup-feed", "feed", site)
    api.register_blueprint(feed.blp)
    server = AppServer(app, "127.0.0.1", 0).start()
    stop_site = multiprocessing.get_context("spawn").Event()
    site_process = multiprocessing.get_context("spawn").Process(
        target=site_side, args=(site.settings, env.amqp_url, WRITES_PER_SECOND, stop_site, seed), daemon=True)
    site_process.start()
    tally = Tally()  # counts from the heal on
    try:
        ingest = HubIngest(env, hub, site.site_id, f"http://127.0.0.1:{server.port}", reconciler_cls or Reconciler,
                           Tally()).start()
        wait_until(lambda: contiguous(hub, stream) >= 2 * WRITES_PER_SECOND, 120)  # steady state
        ingest.close()  # the partition: the hub's consumer and reconciler stop
        at_cut = contiguous(hub, stream)
        time.sleep(partition)
        target = written(site, stream)
        healed_at = time.monotonic()
        ingest = HubIngest(env, hub, site.site_id, f"http://127.0.0.1:{server.port}", reconciler_cls or Reconciler,
                           tally)
        if reconciler_cls is None:  # the feed path alone: the reconciler pulls the stream, nothing consumes
            ingest.threads = [threading.Thread(target=ingest.reconciler.heal, args=(stream,), daemon=True)]
        ingest.start()
        drained_at = wait_until(lambda: contiguous(hub, stream) >= target, 600)
        ingest.close()
        backlog = target - at_cut
        # The site still writes, as during the drain; the median of three fresh hubs.
        max_seconds = statistics.median(max_ingest(env, site, at_cut, target) for _ in range(3))
    finally:
        stop_site.set()
        site_process.join(30)
        server.stop()
    purge(env, spec)
    site.engine.dispose()
    hub.engine.dispose()
    return {"backlog": backlog, "drain_seconds": drained_at - healed_at, "max_seconds": max_seconds,
            "duplicates": sum(tally.duplicates.values()), "by_bus": tally.applied["bus"],
            "by_feed": tally.applied["feed"], "dup_bus": tally.duplicates["bus"], "dup_feed": tally.duplicates["feed"]}


def max_ingest(env: BenchEnv, site, at_cut: int, through: int) -> float:
    """Seconds a fresh hub, at the same position, takes to consume seqs at_cut+1..through from a full queue."""
    fresh = env.hub("cu_max_hub")
    _, processor, _ = hub_ingest(fresh)
    spec = bus.QueueSpec(MAX_QUEUE, ())
    purge(env, spec)
    bodies = relayed_messages(site)[:through]
    for start in range(0, at_cut, BATCH):  # untimed: up to the position the partition found
        processor.process([body for _, body, _ in bodies[start:min(start + BATCH, at_cut)]])
    backlog = [(MAX_QUEUE, body, mid) for _, body, mid in bodies[at_cut:]]
    pika_publish_windowed(env.pika_params(), backlog, "", BATCH)
    seconds, _ = consume(env, spec, processor, len(backlog))
    purge(env, spec)
    fresh.engine.dispose()  # PostgreSQL's connections are shared with every other benchmark on the machine
    return seconds


def run(env: BenchEnv, quick: bool = False) -> list[Result]:
    partition = 10.0 if quick else 60.0
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the feed server's request log
    global _runs
    variants = {"current": Reconciler, "both paths": BothPaths, "feed alone": None}
    figures = {name: [] for name in variants}
    order = list(variants)[_runs % 3:] + list(variants)[:_runs % 3]  # --runs N turns who goes first
    _runs += 1
    for seed, name in enumerate(order):
        figures[name].append(one_round(env, name.replace(" ", "_"), variants[name], partition, seed))
    results = []
    for name, rounds in figures.items():
        backlog = sum(r["backlog"] for r in rounds)
        drain = backlog / sum(r["drain_seconds"] for r in rounds)
        peak = backlog / sum(r["max_seconds"] for r in rounds)
        r = rounds[0]
        results.append(Result(
            "catchup" if name == "current" else f"catchup ({name}, {LABELS[name]})",
            f"drain after a {partition:.0f}s partition, {WRITES_PER_SECOND}/s writes", "msg/s", drain,
            "max ingest, same events from a full queue", peak, goal=">= 0.8" if name == "current" else "",
            note=f"backlog {backlog}, drained in {sum(x['drain_seconds'] for x in rounds):.2f}s; received twice "
                 f"{sum(x['duplicates'] for x in rounds)} (bus {r['dup_bus']}, feed {r['dup_feed']}); applied from "
                 f"the bus {r['by_bus']}, from the feed {r['by_feed']}"))
    return results
