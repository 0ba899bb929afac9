"""Hub ingest on PostgreSQL: N relayed registry events in the hub.ingest queue, consumed by the real
hub ingest (services.workers.hub_ingest: its QueueSpec, EventProcessor with the hub's handlers) run by
services.sync.consumer.EventConsumer until every event is applied.

Baseline: a raw pika consumer of the same queue content (the same envelopes), manual acks (one
multiple-ack per 200 messages, as EventConsumer acks a batch), the same prefetch (500), doing nothing.
"""
from __future__ import annotations

from contextlib import nullcontext

import threading

from bench.common import (
    BATCH, BenchEnv, Result, Timer, pika_consume_raw, pika_publish_windowed, relayed_messages, write_outbox,
)
from bench.relay_throughput import make_relay, purge
from services.common import bus
from services.sync.consumer import EventConsumer
from services.workers import hub_ingest

NAME = "ingest"


def fill(env: BenchEnv, spec, site, n: int) -> list:
    """Commit N fresh registry events at the site, relay them into hub.ingest, and publish a second copy
    of the same envelopes with raw pika: 2 x N messages in the queue."""
    purge(env, spec)
    write_outbox(site, n)
    relay = make_relay(site, env.amqp_url)
    relay.run_once()
    relay.publisher.close()
    relay.publisher.conn.release()
    messages = relayed_messages(site)[-n:]
    pika_publish_windowed(env.pika_params(), messages, bus.EVENTS_EXCHANGE, BATCH)  # the second copy
    return messages


def consume(env: BenchEnv, spec, processor, n: int) -> tuple[float, dict]:
    """Run the real EventConsumer (in this thread) until `n` messages are settled; (seconds, counts)."""
    stop = threading.Event()
    counts = {"applied": 0, "duplicates": 0, "dead": 0}

    def on_outcome(outcome):
        counts["applied"] += len(outcome.applied)
        counts["duplicates"] += outcome.duplicates
        counts["dead"] += len(outcome.dead)
        if sum(counts.values()) >= n:
            stop.set()

    connection = bus.connect(env.amqp_url)
    consumer = EventConsumer(connection, spec, processor, on_outcome=on_outcome)
    with Timer() as t:
        consumer.run_until(stop)
    connection.release()
    return t.elapsed, counts


def hub_rows(hub) -> int:
    from sqlalchemy import func, select

    from services.hub.register import store

    with hub.engine.connect() as conn:
        return sum(conn.execute(select(func.count()).select_from(table)).scalar()
                   for table in (store.hub_organisation, store.hub_support_statement))


def run(env: BenchEnv, quick: bool = False, variants: dict | None = None) -> list[Result]:
    """Rounds: per round and variant, fresh events fill the queue twice; the raw consumer takes one
    copy, the hub ingest the other. Figures are total messages / total seconds over the rounds.
    `variants` (name -> context manager factory) adds prototyped fixes, measured in the same rounds."""
    rounds, n = (2, 1000) if quick else (3, 2500)
    variants = {"current": nullcontext, **(variants or {})}
    hub = env.hub("ingest_hub")
    site = env.site("ingest_site")
    spec, processor, _ = hub_ingest(hub)
    spent = {name: 0.0 for name in variants}
    raw_spent = {name: 0.0 for name in variants}
    totals = {name: {"applied": 0, "duplicates": 0, "dead": 0} for name in variants}
    for rnd in range(rounds):
        for name in (list(variants) if rnd % 2 == 0 else list(reversed(variants))):
            fill(env, spec, site, n)
            raw_spent[name] += pika_consume_raw(env.pika_params(), spec.name, n, prefetch=spec.prefetch)
            with variants[name]():
                seconds, counts = consume(env, spec, processor, n)
            spent[name] += seconds
            for k, v in counts.items():
                totals[name][k] += v
    rows = hub_rows(hub)
    purge(env, spec)
    count = rounds * n
    results = []
    for name in variants:
        c = totals[name]
        results.append(Result("hub_ingest" if name == "current" else f"hub_ingest PROTO {name}",
                              f"EventConsumer+hub handlers, {rounds}x{n} events", "msg/s", count / spent[name],
                              "raw pika consume, manual ack, prefetch 500", count / raw_spent[name],
                              note=f"applied {c['applied']}, dup {c['duplicates']}, dead {c['dead']}; "
                                   f"ingest {spent[name]:.2f}s, raw {raw_spent[name]:.2f}s"
                                   + (f"; hub rows (all variants) {rows}" if name == "current" else "")))
    return results


def profile(env: BenchEnv, quick: bool = False):
    import cProfile
    import pstats

    n = 1000 if quick else 4000
    hub = env.hub("ingest_prof_hub")
    spec, processor, _ = hub_ingest(hub)
    fill(env, spec, env.site("ingest_prof_site"), n)
    pika_consume_raw(env.pika_params(), spec.name, n, prefetch=spec.prefetch)  # leave one copy
    prof = cProfile.Profile()
    prof.enable()
    consume(env, spec, processor, n)
    prof.disable()
    purge(env, spec)
    return pstats.Stats(prof)
