"""Relay throughput: N registry events committed in a PostgreSQL outbox, relayed by
services.sync.relay.Relay (batch 500, persistent, publisher confirms) to RabbitMQ.

Baseline: raw pika publishing the very same message bodies (delivery_mode=2, same exchange, same
routing keys, same message ids) with publisher confirms, 500 in flight at once (see
common.pika_publish_windowed). Both land in the same durable queue (hub.ingest), emptied before each.
"""
from __future__ import annotations

import time
from contextlib import nullcontext

from bench.common import (
    BATCH, BenchEnv, Result, Timer, pika_publish_windowed, relayed_messages, write_outbox,
)
from services.common import bus
from services.sync.relay import Relay

NAME = "relay"


def hub_spec() -> bus.QueueSpec:
    from services.hub.consumers import binding_keys
    from services.workers import HUB_INGEST_QUEUE

    return bus.QueueSpec(HUB_INGEST_QUEUE, tuple(binding_keys()))


def purge(env: BenchEnv, spec: bus.QueueSpec) -> None:
    with bus.connect(env.amqp_url) as conn:
        bus.declare_queue(conn, spec)
        conn.default_channel.queue_purge(spec.name)


def make_relay(runtime, amqp_url: str) -> Relay:
    return Relay(runtime.engine, runtime.site_id, runtime.signing_key, bus.Publisher(bus.connect(amqp_url)),
                 batch_size=BATCH)


def run(env: BenchEnv, quick: bool = False, variants: dict | None = None) -> list[Result]:
    """Rounds alternate the relay and the baseline (which goes first alternates too), so that the
    machine's noise hits both; the figures are total messages / total seconds over the rounds.
    `variants` (name -> context manager factory) adds prototyped fixes, measured in the same rounds."""
    rounds, n = (2, 2000) if quick else (3, 6000)
    variants = {"current": nullcontext, **(variants or {})}
    spec = hub_spec()
    site = env.site("relay")
    spent = {name: 0.0 for name in variants}
    base_spent, count, size, per_round, lock_waits = 0.0, 0, 0.0, [], 0
    for rnd in range(rounds):
        messages, round_time = None, {}
        order = list(variants) if rnd % 2 == 0 else list(reversed(variants))
        for name in order:
            write_outbox(site, n)
            purge(env, spec)
            relay = make_relay(site, env.amqp_url)
            with variants[name]():
                with Timer() as t:
                    published = relay.run_once()
                    while published < n:  # the stream's advisory lock is held elsewhere (same database)
                        lock_waits += 1
                        time.sleep(0.01)
                        published += relay.run_once()
            relay.publisher.close()
            relay.publisher.conn.release()
            spent[name] += t.elapsed
            round_time[name] = t.elapsed
            if messages is None:
                messages = relayed_messages(site)[-n:]
                purge(env, spec)
                b = pika_publish_windowed(env.pika_params(), messages, bus.EVENTS_EXCHANGE, BATCH)
                base_spent += b
                round_time["baseline"] = b
        count += n
        size = sum(len(b) for _, b, _ in messages) / len(messages)
        per_round.append(round_time["baseline"] / round_time["current"])
    purge(env, spec)
    results = []
    for name in variants:
        label = "current" if name == "current" else f"PROTO {name}"
        results.append(Result("relay_throughput" if name == "current" else f"relay_throughput {label}",
                              f"Relay.run_once, {rounds}x{n} events", "msg/s", count / spent[name],
                              "raw pika publish+confirms, window 500", count / base_spent,
                              note=(f"avg body {size:.0f} B; relay {spent[name]:.2f}s, pika {base_spent:.2f}s"
                                    + (f"; per-round ratios {', '.join(f'{r:.2f}' for r in per_round)}"
                                       if name == "current" else "")
                                    + (f"; waited {lock_waits}x for the stream lock" if lock_waits else ""))))
    return results


def profile(env: BenchEnv, quick: bool = False):
    """cProfile of one Relay.run_once over N events (returns the pstats.Stats)."""
    import cProfile
    import pstats

    n = 2000 if quick else 10000
    spec = hub_spec()
    site = env.site("relay_prof")
    write_outbox(site, n)
    purge(env, spec)
    relay = make_relay(site, env.amqp_url)
    prof = cProfile.Profile()
    prof.enable()
    relay.run_once()
    prof.disable()
    relay.publisher.close()
    relay.publisher.conn.release()
    purge(env, spec)
    return pstats.Stats(prof)
