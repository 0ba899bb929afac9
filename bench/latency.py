"""p50/p99 latency from a site's commit to the hub's store, at half the pipeline's capacity; every part in
a process of its own, as in a deployment:

- writers: WRITERS processes (multiprocessing, spawn), each committing the registry's use case
  services.registry.handlers.register_organisation (one transaction, its OrganisationRegistered event in
  the outbox), paced together at a given rate (each at rate / WRITERS, staggered);
- the relay: services.workers.start_relay in its own process, so no commit hook of a writer reaches it: it
  is woken by PostgreSQL LISTEN/NOTIFY (services/sync/relay_wakeup.py), else it polls every
  `relay_idle_seconds` (the site's setting: its poll interval);
- the hub's ingest: EventConsumer with services.workers.hub_ingest in its own process; its on_applied fires
  after the hub's transaction committed, and records the time per organisation id.

Latency = the hub's time of applying minus the time the writer's commit returned, on CLOCK_MONOTONIC
(time.monotonic: one clock for every process of the machine). First the pipeline's capacity is measured:
the writers commit as fast as they can for a few seconds; capacity = events / seconds until the hub applied
the last of them. Then the writers are paced at half that rate.

Baselines: the goal's, 3 x the relay's poll interval (p99 <= it); and raw pika at the same rate, as
before: a publisher (persistent, publisher confirms, one message at a time as a single commit would) and a
consumer (manual ack, prefetch 500) in two threads; latency = delivery time minus the time before
basic_publish, the same exchange, routing key and body size.
"""
from __future__ import annotations

import datetime
import multiprocessing
import queue as queue_module
import threading
import time

from bench.common import SITE, BenchEnv, Result, percentile
from bench.outbox_write import fields
from bench.relay_throughput import purge
from services.common import bus

NAME = "latency"
WRITERS = 3
_spawn = multiprocessing.get_context("spawn")


# --- the processes ---------------------------------------------------------------------------------------

def writer_process(settings, tag: str, rate: float | None, offset: float, ready, go, start, seconds: float,
                   results) -> None:
    """Once warmed up (`ready`) and started (`go`, at `start.value`), commit register_organisation for
    `seconds` at `rate` per second (None: flat out), the first at `start + offset`; put [(organisation id,
    commit time)] on `results`."""
    from services.common.runtime import build_runtime
    from services.registry import handlers

    runtime = build_runtime(settings)
    today = datetime.date(2026, 11, 1)
    for i in range(10):  # connect, let psycopg prepare the statements
        handlers.register_organisation(runtime.uow(), fields(i, f"{tag}w"), today)
    ready.wait()
    go.wait()
    start_at = start.value
    committed = []
    next_at = start_at + offset
    time.sleep(max(0.0, next_at - time.monotonic()))
    i = 1
    while time.monotonic() - start_at < seconds:
        if rate:
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            next_at += 1 / rate
        org = handlers.register_organisation(runtime.uow(), fields(i, tag), today)
        committed.append((org.id, time.monotonic()))
        i += 1
    results.put(committed)
    runtime.engine.dispose()


def relay_process(settings, stop, ready) -> None:
    """The site's relay as `sopro serve` starts it (services.workers.start_relay), until `stop`."""
    from services.common.runtime import build_runtime
    from services.workers import Workers, start_relay

    runtime = build_runtime(settings)
    workers = Workers()
    start_relay(runtime, workers)
    ready.set()
    stop.wait()
    workers.shutdown()
    runtime.engine.dispose()


def hub_process(settings, amqp_url: str, stop, ready, applied) -> None:
    """The hub's ingest consumer; puts [(organisation id, time applied)] on `applied` every 20 ms."""
    from services.common.runtime import build_runtime
    from services.sync.consumer import EventConsumer
    from services.workers import hub_ingest

    runtime = build_runtime(settings)
    spec, processor, _ = hub_ingest(runtime)
    pending: list[tuple[str, float]] = []
    lock = threading.Lock()

    def on_applied(env) -> None:
        at = time.monotonic()
        with lock:
            pending.append((env.aggregate_id, at))

    processor.on_applied = on_applied
    consumer = EventConsumer(bus.connect(amqp_url), spec, processor)
    thread = threading.Thread(target=consumer.run_until, args=(stop,), daemon=True)
    thread.start()
    if consumer.ready.wait(30):
        ready.set()
    while not stop.wait(0.02) or pending:
        with lock:
            batch, pending[:] = list(pending), []
        if batch:
            applied.put(batch)
    thread.join(10)
    runtime.engine.dispose()


# --- the pipeline ----------------------------------------------------------------------------------------

class Pipeline:
    def __init__(self, env: BenchEnv, writers: int = WRITERS):
        self.env = env
        self.writers = writers
        self.site = env.site("lat_site", registry=True)
        self.hub = env.hub("lat_hub")
        from services.workers import hub_ingest

        self.spec = hub_ingest(self.hub)[0]
        purge(env, self.spec)
        self.applied: dict[str, float] = {}
        self.stop = _spawn.Event()
        self.applied_queue = _spawn.Queue()
        self.phase = 0

    def __enter__(self):
        relay_ready, hub_ready = _spawn.Event(), _spawn.Event()
        self.processes = [
            _spawn.Process(target=hub_process, args=(self.hub.settings, self.env.amqp_url, self.stop, hub_ready,
                                                     self.applied_queue), daemon=True),
            _spawn.Process(target=relay_process, args=(self.site.settings, self.stop, relay_ready), daemon=True),
        ]
        for p in self.processes:
            p.start()
        if not (hub_ready.wait(60) and relay_ready.wait(60)):
            raise RuntimeError("the hub's consumer or the relay did not start")
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.collect(0.5)
        for p in self.processes:
            p.join(15)
            if p.is_alive():
                p.terminate()

    def collect(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                batch = self.applied_queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue_module.Empty:
                return
            self.applied.update(batch)

    def write(self, seconds: float, rate: float | None) -> list[tuple[str, float]]:
        """All writers for `seconds` at `rate` in all (None: flat out); [(organisation id, commit time)]."""
        self.phase += 1
        results = _spawn.Queue()
        ready, go, start = _spawn.Barrier(self.writers + 1), _spawn.Event(), _spawn.Value("d", 0.0)
        each = rate / self.writers if rate else None
        procs = [_spawn.Process(target=writer_process, daemon=True,
                                args=(self.site.settings, f"p{self.phase}w{i}", each, (i / rate) if rate else 0.0,
                                      ready, go, start, seconds, results))
                 for i in range(self.writers)]
        for p in procs:
            p.start()
        ready.wait(120)  # every writer warmed up
        time.sleep(0.5)
        self.collect(0)
        start_at = start.value = time.monotonic() + 0.05
        go.set()
        committed: list[tuple[str, float]] = []
        for _ in procs:
            committed += results.get(timeout=seconds + 120)
            self.collect(0)
        for p in procs:
            p.join(30)
        self.start_at = start_at
        return committed

    def wait_applied(self, ids: list[str], timeout: float = 120) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(i in self.applied for i in ids):
                return True
            self.collect(0.1)
        return False


def raw_round_trip(env: BenchEnv, spec: bus.QueueSpec, body: bytes, rate: float, seconds: float) -> list[float]:
    import pika

    purge(env, spec)
    sent: dict[str, float] = {}
    received: dict[str, float] = {}
    ready = threading.Event()
    done = threading.Event()

    def consume():
        conn = pika.BlockingConnection(env.pika_params())
        ch = conn.channel()
        ch.basic_qos(prefetch_count=spec.prefetch)

        def on_message(channel, method, properties, _body):
            received[properties.message_id] = time.perf_counter()
            channel.basic_ack(method.delivery_tag)

        ch.basic_consume(spec.name, on_message, auto_ack=False)
        ready.set()
        while not done.is_set() or len(received) < len(sent):
            conn.process_data_events(time_limit=0.05)
            if done.is_set() and len(received) >= len(sent):
                break
        conn.close()

    consumer = threading.Thread(target=consume, daemon=True)
    consumer.start()
    ready.wait(15)
    conn = pika.BlockingConnection(env.pika_params())
    ch = conn.channel()
    ch.confirm_delivery()
    start = time.perf_counter()
    next_at = start
    i = 0
    while time.perf_counter() - start < seconds:
        delay = next_at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        next_at += 1 / rate
        mid = f"m{i}"
        i += 1
        props = pika.BasicProperties(content_type="application/json", content_encoding="utf-8", delivery_mode=2,
                                     message_id=mid)
        sent[mid] = time.perf_counter()
        ch.basic_publish(bus.EVENTS_EXCHANGE, f"{SITE}.registry.support_statement.recorded", body, props)
    conn.close()
    done.set()
    consumer.join(30)
    return [received[m] - sent[m] for m in sent if m in received]


def run(env: BenchEnv, quick: bool = False) -> list[Result]:
    probe_seconds, paced_seconds = (3.0, 5.0) if quick else (5.0, 15.0)
    with Pipeline(env) as p:
        flat_out = p.write(probe_seconds, None)
        ids = [i for i, _ in flat_out]
        complete_probe = p.wait_applied(ids)
        last = max(p.applied.get(i, time.monotonic()) for i in ids)
        capacity = len(ids) / (last - p.start_at)
        writer_rate = len(ids) / (max(t for _, t in flat_out) - p.start_at)
        rate = capacity / 2
        paced = p.write(paced_seconds, rate)
        achieved = len(paced) / paced_seconds
        complete = p.wait_applied([i for i, _ in paced])
        lat = [p.applied[i] - t for i, t in paced if i in p.applied]
    poll = p.site.settings.relay_idle_seconds
    from sqlalchemy import select

    from services.common.outbox import outbox

    with p.site.engine.connect() as conn:
        body = conn.execute(select(outbox.c.envelope).where(outbox.c.envelope.is_not(None)).limit(1)).scalar()
    base = raw_round_trip(env, p.spec, body.encode(), rate, paced_seconds)
    purge(env, p.spec)
    note = (f"{p.writers} writer processes, relay and hub ingest in processes of their own; capacity "
            f"{capacity:.0f}/s end to end (the writers alone committed {writer_rate:.0f}/s"
            f"{'' if complete_probe else ', probe TIMED OUT'}); paced at {rate:.0f}/s (achieved {achieved:.0f}/s), "
            f"{len(lat)}/{len(paced)} applied{'' if complete else ' (TIMED OUT)'}; relay poll interval "
            f"{1000 * poll:.0f} ms; raw {len(base)} msgs")
    results = []
    for p_ in (50, 99):
        results.append(Result("latency", f"commit->hub store p{p_} @ {rate:.0f}/s", "ms", 1000 * percentile(lat, p_),
                              f"raw pika publish->consume p{p_}", 1000 * percentile(base, p_),
                              higher_is_better=False, note=note if p_ == 50 else ""))
    results.append(Result("latency", f"commit->hub store p99 @ {rate:.0f}/s", "ms", 1000 * percentile(lat, 99),
                          "3 x the relay's poll interval", 3000 * poll, higher_is_better=False, goal="<= 1"))
    return results
