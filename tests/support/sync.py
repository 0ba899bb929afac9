"""A small harness for the sync guarantees: a site's outbox, a relay, a probe consumer, a feed server.

The probe consumer counts how often each event's effect was applied, in the same transaction as its
tracking row, so a test can tell "lost" (count 0) from "applied twice" (count 2).
"""
from __future__ import annotations

import datetime
import threading
import uuid

from kombu import Connection
from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlalchemy.dialects import postgresql

from services.common import bus
from services.common.api import create_flask_app
from services.common.events import Recorded
from services.common.migrate import KERNEL, upgrade
from services.common.runtime import build_runtime
from services.contracts.events.registry import SupportStatementRecorded
from services.serving import AppServer
from services.sync import feed
from services.sync.consumer import EventConsumer
from services.sync.processing import EventProcessor
from services.sync.reconcile import FeedClient, Reconciler
from services.sync.relay import Relay

EVENT_TYPE = "registry.support_statement.recorded"
probe_metadata = MetaData()
probe_applied = Table(
    "probe_applied", probe_metadata,
    Column("event_id", String(36), primary_key=True),
    Column("seq", Integer, nullable=False),
    Column("count", Integer, nullable=False),
)


def probe_handler(conn, env) -> None:
    stmt = postgresql.insert(probe_applied).values(event_id=str(env.id), seq=env.seq, count=1)
    conn.execute(stmt.on_conflict_do_update(index_elements=["event_id"],
                                            set_={"count": probe_applied.c.count + 1}))


def make_runtime(settings):
    runtime = build_runtime(settings)
    upgrade(runtime.engine, [KERNEL])
    probe_metadata.create_all(runtime.engine)
    return runtime


def statement_recorded() -> Recorded:
    statement = SupportStatementRecorded(str(uuid.uuid4()), "person", None, "AT127", datetime.date(2026, 11, 1))
    return Recorded(statement, statement.statement_id, 1)


def write_events(runtime, n: int) -> list[str]:
    """Commit `n` support statements' events at the site, as the registry's handlers would."""
    recorded = [statement_recorded() for _ in range(n)]
    with runtime.uow() as uow:
        uow.record_events(recorded)
        uow.commit()
    with runtime.engine.connect() as conn:
        from services.common.outbox import outbox

        return [r.event_id for r in conn.execute(select(outbox.c.event_id).order_by(outbox.c.id))][-n:]


def relay_for(runtime, bus_url: str, **kwargs) -> Relay:
    return Relay(runtime.engine, runtime.site_id, runtime.signing_key, bus.Publisher(bus.connect(bus_url)),
                 batch_size=kwargs.pop("batch_size", 100), **kwargs)


def processor_for(hub_runtime, name: str = "hub.ingest") -> EventProcessor:
    return EventProcessor(name, hub_runtime.engine, hub_runtime.verifier, hub_runtime.validator,
                          {EVENT_TYPE: probe_handler})


QUEUE = bus.QueueSpec("hub.ingest", ("*.registry.#",))


class RunningConsumer:
    """An EventConsumer in a thread, stoppable."""

    def __init__(self, bus_url: str, processor: EventProcessor, spec: bus.QueueSpec = QUEUE, **kwargs):
        self.stop_event = threading.Event()
        self.consumer = EventConsumer(bus.connect(bus_url), spec, processor, **kwargs)
        self.thread = threading.Thread(target=self.consumer.run_until, args=(self.stop_event,), daemon=True)

    def __enter__(self):
        self.thread.start()
        assert self.consumer.ready.wait(15), "consumer did not start"
        return self

    def __exit__(self, *exc):
        self.stop_event.set()
        self.thread.join(10)


def applied_counts(runtime) -> dict[str, int]:
    with runtime.engine.connect() as conn:
        return {r.event_id: r.count for r in conn.execute(select(probe_applied))}




def declare(bus_url: str, spec: bus.QueueSpec = QUEUE) -> None:
    with bus.connect(bus_url) as conn:
        bus.declare_queue(conn, spec)


def drain_queue(bus_url: str, name: str) -> list:
    """Take every message off a queue (acknowledging it) and return them (amqp.Message)."""
    taken = []
    with Connection(bus_url) as conn:
        channel = conn.channel()
        while (message := channel.basic_get(queue=name)) is not None:
            taken.append(message)
            channel.basic_ack(message.delivery_tag)
    return taken


class FeedServer:
    """The site's pull feed on a real HTTP port."""

    def __init__(self, runtime):
        app, api = create_flask_app("feed-test", "feed", runtime)
        api.register_blueprint(feed.blp)
        self.server = AppServer(app, "127.0.0.1", 0)

    def __enter__(self):
        self.server.start()
        return self

    def __exit__(self, *exc):
        self.server.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"


def reconciler_for(hub_runtime, processor, site_runtime, site_url: str) -> Reconciler:
    from dataclasses import replace

    federation = hub_runtime.settings.federation
    site = replace(federation.site(site_runtime.site_id), url=site_url)
    federation = replace(federation, sites={**federation.sites, site.id: site})
    return Reconciler(processor, FeedClient(federation, hub_runtime.federation_token),
                      [f"{site.id}/registry"], page_size=50)
