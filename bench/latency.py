"""p50/p99 latency from a site's commit to the hub's store, at half the maximum end-to-end rate.

Everything runs in this process, as in `sopro serve`: a writer thread committing one registry event per
transaction, the relay (Relay.run_forever, woken by a commit hook as services.workers.start_relay does),
and the hub's EventConsumer with the real hub ingest. Latency = the time EventProcessor's on_applied
fires for the event (after the hub's transaction committed) minus the time the site's commit returned.

First the maximum rate is measured: the writer commits as fast as it can for a few seconds, and the
rate is events / time until the hub applied the last one. Then the writer is paced at half that rate.

Baseline: raw pika at the same rate: a publisher (persistent, publisher confirms, one message at a
time as a single commit would) and a consumer (manual ack, prefetch 500) in two threads; latency =
the time of delivery minus the time before basic_publish. Same exchange, routing key and body size.
"""
from __future__ import annotations

import random
import threading
import time

from bench.common import SITE, BenchEnv, Result, percentile, statement_recorded
from bench.relay_throughput import make_relay, purge
from services.common import bus
from services.sync.consumer import EventConsumer
from services.workers import hub_ingest

NAME = "latency"


class Pipeline:
    def __init__(self, env: BenchEnv):
        self.env = env
        self.site = env.site("lat_site")
        self.hub = env.hub("lat_hub")
        self.spec, self.processor, _ = hub_ingest(self.hub)
        purge(env, self.spec)
        self.applied: dict[str, float] = {}
        self.committed: dict[str, float] = {}
        self.processor.on_applied = lambda e: self.applied.__setitem__(e.aggregate_id, time.perf_counter())
        self.stop = threading.Event()
        self.rng = random.Random(3)
        self.sample_body = None

    def __enter__(self):
        conn = bus.connect(self.env.amqp_url)
        self.consumer = EventConsumer(conn, self.spec, self.processor)
        self.threads = [threading.Thread(target=self.consumer.run_until, args=(self.stop,), daemon=True)]
        wake = threading.Event()
        self.site.hooks.add(wake.set)
        self.relay = make_relay(self.site, self.env.amqp_url)
        self.threads.append(threading.Thread(target=self.relay.run_forever,
                                             args=(self.stop, wake, self.site.settings.relay_idle_seconds),
                                             daemon=True))
        for t in self.threads:
            t.start()
        self.consumer.ready.wait(15)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(10)
        self.relay.publisher.close()
        self.relay.publisher.conn.release()
        self.consumer.connection.release()

    def write_one(self) -> str:
        rec = statement_recorded(self.rng)
        with self.site.uow() as uow:
            uow.record_events([rec])
            uow.commit()
            self.committed[rec.aggregate_id] = time.perf_counter()
        return rec.aggregate_id

    def drive(self, seconds: float, rate: float | None) -> list[str]:
        ids = []
        start = time.perf_counter()
        next_at = start
        while time.perf_counter() - start < seconds:
            if rate:
                delay = next_at - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
                next_at += 1 / rate
            ids.append(self.write_one())
        return ids

    def wait_applied(self, ids: list[str], timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(i in self.applied for i in ids):
                return True
            time.sleep(0.02)
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
    probe_seconds, paced_seconds = (2.0, 4.0) if quick else (3.0, 10.0)
    with Pipeline(env) as p:
        p.drive(0.5, None)  # warm-up
        start = time.perf_counter()
        ids = p.drive(probe_seconds, None)
        p.wait_applied(ids)
        last = max(p.applied.get(i, time.perf_counter()) for i in ids)
        max_rate = len(ids) / (last - start)
        rate = max_rate / 2
        p.applied.clear()
        start = time.perf_counter()
        ids = p.drive(paced_seconds, rate)
        achieved = len(ids) / (time.perf_counter() - start)
        complete = p.wait_applied(ids)
        lat = [p.applied[i] - p.committed[i] for i in ids if i in p.applied]
    from sqlalchemy import select

    from services.common.outbox import outbox

    with p.site.engine.connect() as conn:
        body = conn.execute(select(outbox.c.envelope).where(outbox.c.envelope.is_not(None)).limit(1)).scalar()
    base = raw_round_trip(env, p.spec, body.encode(), rate, paced_seconds)
    purge(env, p.spec)
    note = (f"max end-to-end {max_rate:.0f}/s; paced at {rate:.0f}/s (achieved {achieved:.0f}/s), "
            f"{len(lat)}/{len(ids)} applied{'' if complete else ' (TIMED OUT)'}; raw {len(base)} msgs")
    results = []
    for p_ in (50, 99):
        results.append(Result("latency", f"commit->hub store p{p_} @ {rate:.0f}/s", "ms",
                              1000 * percentile(lat, p_), f"raw pika publish->consume p{p_}",
                              1000 * percentile(base, p_), higher_is_better=False, note=note if p_ == 50 else ""))
    return results
