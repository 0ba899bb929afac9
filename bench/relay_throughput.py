"""Relay throughput: N registry events committed in a PostgreSQL outbox, relayed by
services.sync.relay.Relay (batch 500, persistent, publisher confirms, 500 unconfirmed at most) to RabbitMQ.

Baselines, measured in the same rounds (the order rotates each round):
- raw pika publishing the very same message bodies (delivery_mode=2, same exchange, routing keys and
  message ids) with a SLIDING confirm window: up to 500 unconfirmed at all times, publishing more as
  confirms arrive (`pika_publish_sliding`), the issue's baseline;
- the same with stop-and-wait windows of 500 (publish 500, wait for all, ...: common.pika_publish_windowed),
  the old baseline;
- a hand-rolled relay (bench/peers/handrolled_relay.py: psycopg 3 + py-amqp) doing the relay's work on its
  own schema: commit-order sequencing, signing with the same `sign`, publishing with confirms, marking.
Everything lands in the same durable queue (hub.ingest), emptied before each.
"""
from __future__ import annotations

import time

from bench.common import (BATCH, BenchEnv, Result, Timer, pika_publish_sliding, pika_publish_windowed, relayed_messages,
                          write_outbox)
from bench.peers.handrolled_relay import HandrolledRelay, pg_conninfo
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


def _relay_all(relay) -> tuple[int, int]:
    """Run until all pending rows are out; (published, how often the stream's lock was held elsewhere)."""
    published, waits = relay.run_once(), 0
    while published < relay.expected:  # the same database: another run may hold a stream's advisory lock
        waits += 1
        time.sleep(0.01)
        published += relay.run_once()
    return published, waits


def run(env: BenchEnv, quick: bool = False) -> list[Result]:
    """Rounds rotate the order of the relay, the peer and the two pika baselines, so that the machine's
    noise hits all alike; figures are total messages / total seconds over the rounds."""
    rounds, n = (2, 2000) if quick else (3, 6000)
    spec = hub_spec()
    site, peer_site = env.site("relay"), env.site("relay_peer")
    peer_dsn = pg_conninfo(peer_site.engine.url.render_as_string(hide_password=False))
    spent = {"relay": 0.0, "peer": 0.0, "sliding": 0.0, "stopwait": 0.0}
    per_round: list[dict] = []
    lock_waits = 0

    def relay_subject():
        nonlocal lock_waits
        write_outbox(site, n)
        purge(env, spec)
        relay = make_relay(site, env.amqp_url)
        relay.expected = n
        with Timer() as t:
            lock_waits += _relay_all(relay)[1]
        relay.publisher.close()
        relay.publisher.conn.release()
        return t.elapsed

    def peer_subject():
        nonlocal lock_waits
        write_outbox(peer_site, n)
        purge(env, spec)
        peer = HandrolledRelay(peer_dsn, env.amqp_url, peer_site.site_id, peer_site.signing_key, BATCH)
        peer.expected = n
        with Timer() as t:
            lock_waits += _relay_all(peer)[1]
        peer.close()
        return t.elapsed

    relay_subject()  # warm-up (connections, caches), and the bodies the pika baselines publish
    messages = relayed_messages(site)[-n:]

    def pika_subject(publish):
        def run_it():
            purge(env, spec)
            return publish(env.pika_params(), messages, bus.EVENTS_EXCHANGE, BATCH)
        return run_it

    subjects = {"relay": relay_subject, "peer": peer_subject, "sliding": pika_subject(pika_publish_sliding),
                "stopwait": pika_subject(pika_publish_windowed)}
    names = list(subjects)
    for rnd in range(rounds):
        order = names[rnd % len(names):] + names[:rnd % len(names)]
        times = {name: subjects[name]() for name in order}
        for name, seconds in times.items():
            spent[name] += seconds
        per_round.append(times)
    purge(env, spec)
    count = rounds * n
    size = sum(len(b) for _, b, _ in messages) / len(messages)
    rate = {name: count / seconds for name, seconds in spent.items()}

    def rounds_note(baseline: str) -> str:
        return "per-round ratios " + ", ".join(f"{r[baseline] / r['relay']:.2f}" for r in per_round)

    common_note = f"avg body {size:.0f} B" + (f"; waited {lock_waits}x for a stream lock" if lock_waits else "")
    figure = f"Relay.run_once, {rounds}x{n} events"
    return [
        Result("relay_throughput", figure, "msg/s", rate["relay"],
               "raw pika publish+confirms, sliding window 500", rate["sliding"],
               note=f"{common_note}; {rounds_note('sliding')}", goal=">= 0.45"),
        Result("relay_vs_stopwait_pika", figure, "msg/s", rate["relay"],
               "raw pika publish+confirms, stop-and-wait windows of 500", rate["stopwait"],
               note=rounds_note("stopwait")),
        Result("relay_vs_handrolled", figure, "msg/s", rate["relay"],
               "hand-rolled psycopg 3 + py-amqp relay (bench/peers)", rate["peer"],
               note=rounds_note("peer"), goal=">= 1.5"),
    ]


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
