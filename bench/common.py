"""Shared setup for the benchmarks: throwaway keys, a fresh PostgreSQL schema per runtime, a fresh
RabbitMQ vhost per run, event factories, and the result table.

Nothing here asserts anything: the machines are noisy, figures are recorded, never checked.
"""
from __future__ import annotations

import datetime
import logging
import os
import random
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text

from services.common.config import DEFAULT_FEDERATION_FILE, load_federation, load_settings
from services.common.events import Recorded
from services.common.keys import generate_federation
from services.common.migrate import KERNEL, upgrade
from services.common.runtime import build_runtime
from services.contracts.events.registry import OrganisationRegistered, SupportStatementRecorded

PG_BASE = os.environ.get("SOPRO_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
AMQP_HOST = os.environ.get("SOPRO_BENCH_AMQP_HOST", "127.0.0.1")
SITE = "AT22"  # a site the integration tests rarely use (they share the database `test`)
HUB = "EU"
BATCH = 500  # relay batch size, publisher confirm window, and consumer prefetch (QueueSpec default)


@dataclass
class Result:
    bench: str
    metric: str
    unit: str
    value: float
    baseline_name: str
    baseline: float
    higher_is_better: bool = True
    note: str = ""
    goal: str = ""  # the ratio issue 20 asks for, e.g. ">= 0.45"; printed beside it, never asserted

    @property
    def ratio(self) -> float:
        """figure / baseline, whichever way is better (see higher_is_better)."""
        if not self.baseline:
            return float("nan")
        return self.value / self.baseline


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", *args], check=True, capture_output=True, timeout=120)


@dataclass
class BenchEnv:
    """Keys, a vhost and the schemas of one `python -m bench` run; `close()` removes them all."""

    quick: bool = False
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="sopro-bench-")))
    vhost: str = field(default_factory=lambda: f"bench-{uuid.uuid4().hex[:10]}")
    schemas: list[str] = field(default_factory=list)
    engines: list = field(default_factory=list)

    def __post_init__(self):
        logging.getLogger("sopro").setLevel(logging.WARNING)
        self.federation_file = generate_federation(DEFAULT_FEDERATION_FILE, self.root / "keys",
                                                   self.root / "federation.yaml", sites=[SITE, HUB])
        self.federation = load_federation(self.federation_file)
        self.admin = create_engine(PG_BASE, isolation_level="AUTOCOMMIT")
        rabbitmqctl("add_vhost", self.vhost)
        rabbitmqctl("set_permissions", "-p", self.vhost, "guest", ".*", ".*", ".*")
        self.amqp_url = f"amqp://guest:guest@{AMQP_HOST}:5672/{self.vhost}"

    def pika_params(self):
        import pika

        return pika.ConnectionParameters(host=AMQP_HOST, port=5672, virtual_host=self.vhost,
                                         credentials=pika.PlainCredentials("guest", "guest"), heartbeat=60)

    def schema_url(self, label: str) -> str:
        schema = f"bench_{label}_{uuid.uuid4().hex[:8]}"
        with self.admin.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        self.schemas.append(schema)
        return f"{PG_BASE}?options=-csearch_path%3D{schema}"

    def runtime(self, site_id: str, components: list, label: str):
        """A runtime for `site_id` on a fresh schema, migrated to the kernel and `components`."""
        settings = load_settings(site_id, env={}, federation=self.federation, db_url=self.schema_url(label),
                                 bus_url=self.amqp_url, key_file=self.root / "keys" / f"{site_id}.pem",
                                 var_dir=self.root, relay_batch_size=BATCH)
        runtime = build_runtime(settings)
        upgrade(runtime.engine, [KERNEL, *components])
        self.engines.append(runtime.engine)
        return runtime

    def site(self, label: str = "site", registry: bool = False):
        from services.registry.tables import COMPONENT as REGISTRY

        return self.runtime(SITE, [REGISTRY] if registry else [], label)

    def hub(self, label: str = "hub"):
        from services.hub.store import COMPONENT as HUB_COMPONENT

        return self.runtime(HUB, [HUB_COMPONENT], label)

    def reset_queue(self, name: str) -> None:
        """Delete a queue (and its dead-letter queue) so that the next benchmark starts empty."""
        from services.common import bus

        with bus.connect(self.amqp_url) as conn:
            ch = conn.default_channel
            for q in (name, f"{name}.dlq"):
                ch.queue_delete(q)

    def close(self) -> None:
        for engine in self.engines:
            engine.dispose()
        with self.admin.connect() as conn:
            for schema in self.schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self.admin.dispose()
        try:
            rabbitmqctl("delete_vhost", self.vhost)
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


# --- events ------------------------------------------------------------------------------------------

_TOWNS = ["Wien", "Graz", "Linz", "Salzburg", "Innsbruck", "Klagenfurt"]
_NUTS = ["AT127", "AT130", "AT221", "AT312", "AT323", "AT332"]


def statement_recorded(rng: random.Random) -> Recorded:
    statement = SupportStatementRecorded(str(uuid.uuid4()), rng.choice(["person", "organisation"]), None,
                                         rng.choice(_NUTS), datetime.date(2026, 11, 1))
    return Recorded(statement, statement.statement_id, 1)


def organisation_registered(rng: random.Random, i: int) -> Recorded:
    org_id = str(uuid.uuid4())
    evt = OrganisationRegistered(
        organisation_id=org_id, reference=f"{SITE}-O-2026-{i:05d}", kind="economic_enterprise",
        name=f"Bench Firma {i} GmbH", town=rng.choice(_TOWNS), postcode=f"{rng.randint(1000, 9999)}",
        country="AT", nuts3=rng.choice(_NUTS), lat=48.2 + rng.random(), lon=16.3 + rng.random(),
        labour_market_segment=None, workers_in_integration=None, website=f"https://firma{i}.example",
        status="active",
    )
    return Recorded(evt, org_id, 1)


def registry_events(n: int, seed: int = 7) -> list[Recorded]:
    """A mix of real registry events: two support statements for every organisation registered."""
    rng = random.Random(seed)
    return [organisation_registered(rng, i) if i % 3 == 0 else statement_recorded(rng) for i in range(n)]


def write_outbox(runtime, n: int, per_transaction: int = 1000) -> None:
    """Commit `n` registry events to the site's outbox (as the registry's use cases would)."""
    events = registry_events(n)
    for start in range(0, n, per_transaction):
        with runtime.uow() as uow:
            uow.record_events(events[start:start + per_transaction])
            uow.commit()


def relayed_messages(runtime) -> list[tuple[str, str, str]]:
    """(routing key, body, message id) of every published outbox row, in seq order."""
    from sqlalchemy import select

    from services.common.envelope import routing_key
    from services.common.outbox import outbox

    with runtime.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.type, outbox.c.to_site, outbox.c.envelope, outbox.c.event_id)
                            .where(outbox.c.envelope.is_not(None)).order_by(outbox.c.seq)).all()
    return [(routing_key(runtime.site_id, r.type, r.to_site), r.envelope, r.event_id) for r in rows]


class Timer:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.elapsed = time.perf_counter() - self.start


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


# --- raw pika baselines ------------------------------------------------------------------------------

def pika_publish_windowed(params, messages: list[tuple[str, str, str]], exchange: str, window: int = BATCH) -> float:
    """Publish persistent messages with publisher confirms, `window` in flight at once; return seconds.

    pika's BlockingConnection waits for each confirm in basic_publish (a window of one), so this uses a
    SelectConnection: publish a whole window, wait until the broker has confirmed all of it (multiple
    acks included), then publish the next, like services.common.bus.Publisher does per relay batch.
    """
    import pika

    props = [pika.BasicProperties(content_type="application/json", content_encoding="utf-8", delivery_mode=2,
                                  message_id=mid) for _, _, mid in messages]
    state = {"next": 0, "tag": 0, "low": 1, "unconfirmed": set(), "nacked": 0, "channel": None,
             "start": None, "end": None, "error": None}

    def publish_window():
        ch = state["channel"]
        if state["next"] >= len(messages):
            state["end"] = time.perf_counter()
            ch.connection.close()
            return
        chunk = range(state["next"], min(state["next"] + window, len(messages)))
        for i in chunk:
            rk, body, _ = messages[i]
            ch.basic_publish(exchange, rk, body.encode() if isinstance(body, str) else body, props[i])
            state["tag"] += 1
            state["unconfirmed"].add(state["tag"])
        state["next"] = chunk.stop

    def on_confirm(frame):
        method = frame.method
        tag = method.delivery_tag
        if method.multiple:
            for t in range(state["low"], tag + 1):
                state["unconfirmed"].discard(t)
            state["low"] = max(state["low"], tag + 1)
        else:
            state["unconfirmed"].discard(tag)
        if method.NAME == "Basic.Nack":
            state["nacked"] += 1
        if not state["unconfirmed"]:
            publish_window()

    def on_channel(ch):
        state["channel"] = ch
        ch.confirm_delivery(on_confirm, callback=lambda _frame: publish_window())

    return _publish_on_select_connection(params, state, on_channel)


def _publish_on_select_connection(params, state: dict, on_channel) -> float:
    """Run pika's SelectConnection until the publisher set `state["end"]`; seconds from the start. `on_channel`
    starts publishing; a failure to connect, an early close, or a nacked message is an error."""
    import pika

    def on_fail(conn, exc):
        state["error"] = exc
        conn.ioloop.stop()

    state["start"] = time.perf_counter()
    conn = pika.SelectConnection(params, on_open_callback=lambda c: c.channel(on_open_callback=on_channel),
                                 on_open_error_callback=on_fail, on_close_callback=lambda c, reason: c.ioloop.stop())
    conn.ioloop.start()
    if state["error"] or state["end"] is None:
        raise RuntimeError(f"pika baseline failed: {state['error']}")
    if state["nacked"]:
        raise RuntimeError(f"broker nacked {state['nacked']} messages")
    return state["end"] - state["start"]


def pika_publish_sliding(params, messages: list[tuple[str, str, str]], exchange: str, window: int = BATCH) -> float:
    """Publish persistent messages with publisher confirms, keeping up to `window` unconfirmed at all times
    (each confirm, multiple acks included, lets as many new messages go); return seconds."""
    import pika

    props = [pika.BasicProperties(content_type="application/json", content_encoding="utf-8", delivery_mode=2,
                                  message_id=mid) for _, _, mid in messages]
    bodies = [b.encode() for _, b, _ in messages]
    state = {"next": 0, "confirmed": 0, "nacked": 0, "channel": None, "start": None, "end": None, "error": None}

    def fill():
        ch, i = state["channel"], state["next"]
        stop = min(len(messages), state["confirmed"] + window)
        while i < stop:
            ch.basic_publish(exchange, messages[i][0], bodies[i], props[i])
            i += 1
        state["next"] = i

    def on_confirm(frame):
        method = frame.method
        # RabbitMQ confirms in publish order: a multiple ack settles every tag up to it.
        state["confirmed"] = method.delivery_tag if method.multiple else state["confirmed"] + 1
        if method.NAME == "Basic.Nack":
            state["nacked"] += 1
        if state["confirmed"] >= len(messages):
            state["end"] = time.perf_counter()
            state["channel"].connection.close()
        else:
            fill()

    def on_channel(ch):
        state["channel"] = ch
        ch.confirm_delivery(on_confirm, callback=lambda _frame: fill())

    return _publish_on_select_connection(params, state, on_channel)


def pika_consume_raw(params, queue: str, n: int, prefetch: int = BATCH, ack_every: int = 200) -> float:
    """Consume `n` messages and do nothing with them: manual acks (one multiple-ack per `ack_every`, as
    EventConsumer acks a batch), the same prefetch. Returns seconds from connecting to the last ack."""
    import pika

    start = time.perf_counter()
    conn = pika.BlockingConnection(params)
    ch = conn.channel()
    ch.basic_qos(prefetch_count=prefetch)
    state = {"count": 0}

    def on_message(channel, method, properties, body):
        state["count"] += 1
        if state["count"] % ack_every == 0 or state["count"] >= n:
            channel.basic_ack(method.delivery_tag, multiple=True)
        if state["count"] >= n:
            channel.stop_consuming()

    ch.basic_consume(queue, on_message, auto_ack=False)
    ch.start_consuming()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def alternating_rounds(rounds: int, subject, baseline) -> tuple[list[float], list[float]]:
    """Seconds per call of `subject` and of `baseline`, alternating which goes first, `rounds` times (so
    that a machine getting busier or quieter weighs on both alike)."""
    times = rotating_rounds(rounds, {"subject": lambda r: subject(), "baseline": lambda r: baseline()})
    return times["subject"], times["baseline"]


def rotating_rounds(rounds: int, works: dict, before=None) -> dict[str, list[float]]:
    """Seconds of each of `works` (name -> work(round)) per round, `rounds` times, each round starting one
    further along (the first goes first, then second, ...), so that a machine getting busier or quieter
    weighs on all alike. `before(name)`, if given, runs untimed ahead of each work."""
    names = list(works)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            if before is not None:
                before(name)
            t0 = time.perf_counter()
            works[name](r)
            times[name].append(time.perf_counter() - t0)
    return times


def run_alone(run) -> None:
    """`python -m bench.<module> [--quick]`: one benchmark on its own, with the same table as `python -m bench`."""
    import sys

    from bench.__main__ import print_table

    env = BenchEnv(quick="--quick" in sys.argv)
    try:
        print_table(run(env, quick=env.quick))
    finally:
        env.close()
