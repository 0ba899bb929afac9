"""Hub ingest on PostgreSQL: N relayed registry events in the hub.ingest queue, consumed by the real
hub ingest (services.workers.hub_ingest: its QueueSpec, EventProcessor with the hub's handlers) run by
services.sync.consumer.EventConsumer until every event is applied.

Baselines, measured in the same rounds:
- a raw pika consumer of the same queue content (the same envelopes), manual acks (one multiple-ack per
  batch of the hub ingest, services.workers.HUB_INGEST_BATCH), the same prefetch, doing nothing;
- the `eventsourcing` library's peer (bench/peers/eventsourcing_ingest.py): pika, the same envelopes parsed
  and verified with the same keys, a row per aggregate and the tracking record in one transaction each.
"""
from __future__ import annotations

from contextlib import nullcontext

import threading

from bench.peers import eventsourcing_ingest
from bench.common import (
    BATCH, BenchEnv, Result, Timer, pika_consume_raw, pika_publish_windowed, relayed_messages, write_outbox,
)
from bench.relay_throughput import make_relay, purge
from services.common import bus
from services.sync.consumer import EventConsumer
from services.workers import HUB_INGEST_BATCH, hub_ingest

NAME = "ingest"


def fill(env: BenchEnv, spec, site, n: int, copies: int = 2) -> list:
    """Commit N fresh registry events at the site, relay them into hub.ingest, and publish further copies
    of the same envelopes with raw pika: `copies` x N messages in the queue."""
    purge(env, spec)
    write_outbox(site, n)
    relay = make_relay(site, env.amqp_url)
    relay.run_once()
    relay.publisher.close()
    relay.publisher.conn.release()
    messages = relayed_messages(site)[-n:]
    for _ in range(copies - 1):
        pika_publish_windowed(env.pika_params(), messages, bus.EVENTS_EXCHANGE, BATCH)
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
    consumer = EventConsumer(connection, spec, processor, batch_size=HUB_INGEST_BATCH, on_outcome=on_outcome)
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
    """Rounds: per round and variant, fresh events fill the queue three times; the raw consumer takes one
    copy and the eventsourcing peer another, alternating which goes first, then the hub ingest the third.
    Figures are total messages / total seconds over the rounds. `variants` (name -> context manager
    factory) adds prototyped fixes, measured in the same rounds."""
    rounds, n = (2, 1000) if quick else (3, 2500)
    variants = {"current": nullcontext, **(variants or {})}
    hub = env.hub("ingest_hub")
    site = env.site("ingest_site")
    peer = eventsourcing_ingest.recorder(env.schema_url("ingest_es_peer"))
    spec, processor, _ = hub_ingest(hub)
    spent = {name: 0.0 for name in variants}
    raw_spent = {name: 0.0 for name in variants}
    peer_spent = {name: 0.0 for name in variants}
    totals = {name: {"applied": 0, "duplicates": 0, "dead": 0} for name in variants}
    peer_totals = {"applied": 0, "duplicates": 0, "dead": 0}
    per_round: list[tuple[float, float, float]] = []
    for rnd in range(rounds):
        for name in (list(variants) if rnd % 2 == 0 else list(reversed(variants))):
            fill(env, spec, site, n, copies=3)
            timed = {}

            def raw():
                timed["raw"] = pika_consume_raw(env.pika_params(), spec.name, n, prefetch=spec.prefetch, ack_every=HUB_INGEST_BATCH)

            def ingest():
                with variants[name]():
                    timed["ingest"], counts = consume(env, spec, processor, n)
                for k, v in counts.items():
                    totals[name][k] += v

            def es_peer():
                timed["peer"], counts = eventsourcing_ingest.consume(env.pika_params(), spec.name, n, peer,
                                                                     hub.verifier, prefetch=spec.prefetch)
                for k, v in counts.items():
                    peer_totals[k] += v

            # The ingest takes the last copy: it stops after the batch that reaches n, which may hold more.
            for step in ((raw, es_peer) if rnd % 2 == 0 else (es_peer, raw)) + (ingest,):
                step()
            raw_spent[name] += timed["raw"]
            spent[name] += timed["ingest"]
            peer_spent[name] += timed["peer"]
            if name == "current":
                per_round.append((n / timed["ingest"], n / timed["raw"], n / timed["peer"]))
    rows = hub_rows(hub)
    purge(env, spec)
    count = rounds * n
    rounds_note = ", ".join(f"{i / r:.3f}/{i / p:.2f}x" for i, r, p in per_round)
    results = []
    for name in variants:
        c = totals[name]
        label = "hub_ingest" if name == "current" else f"hub_ingest PROTO {name}"
        results.append(Result(label,
                              f"EventConsumer+hub handlers, {rounds}x{n} events", "msg/s", count / spent[name],
                              f"raw pika consume, manual ack, prefetch {spec.prefetch}", count / raw_spent[name],
                              note=f"applied {c['applied']}, dup {c['duplicates']}, dead {c['dead']}; "
                                   f"ingest {spent[name]:.2f}s, raw {raw_spent[name]:.2f}s"
                                   + (f"; hub rows (all variants) {rows}; per round vs raw/vs peer: {rounds_note}"
                                      if name == "current" else ""), goal=">= 0.25"))
        results.append(Result(f"{label} vs eventsourcing",
                              f"EventConsumer+hub handlers, {rounds}x{n} events", "msg/s", count / spent[name],
                              "eventsourcing 9.5 tracking recorder + pika, one tx per event", count / peer_spent[name],
                              note=f"peer applied {peer_totals['applied']}, dup {peer_totals['duplicates']}, "
                                   f"dead {peer_totals['dead']}, rows {peer.rows()}; peer {peer_spent[name]:.2f}s", goal=">= 4"))
    peer.datastore.close()
    return results


def profile(env: BenchEnv, quick: bool = False):
    import cProfile
    import pstats

    n = 1000 if quick else 4000
    hub = env.hub("ingest_prof_hub")
    spec, processor, _ = hub_ingest(hub)
    fill(env, spec, env.site("ingest_prof_site"), n)
    pika_consume_raw(env.pika_params(), spec.name, n, prefetch=spec.prefetch, ack_every=HUB_INGEST_BATCH)  # leave one copy
    prof = cProfile.Profile()
    prof.enable()
    consume(env, spec, processor, n)
    prof.disable()
    purge(env, spec)
    return pstats.Stats(prof)
