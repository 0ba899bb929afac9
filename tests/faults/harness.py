"""Building blocks of the fault tests: a site and the hub on PostgreSQL, the relay and the hub's ingest
consumer in threads (as `sopro serve` runs them), a writer that keeps the site taking writes, and the
counting probe the checker reads.

The hub is the real one: its migrations, its ingest queue and handlers (services.workers.hub_ingest).
Every handler is wrapped by the probe, which counts in the same transaction how often an event's
effects were applied and by which route (the bus or the site's feed), so "applied twice" is observed,
not inferred.
"""
from __future__ import annotations

import datetime
import hashlib
import threading
import time
import uuid
from dataclasses import replace

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, select, text
from sqlalchemy.dialects import postgresql

from services.common import bus, inbox
from services.common import outbox as outbox_module
from services.common.outbox import outbox
from services.registry import handlers as registry, model as registry_model
from services.sync.consumer import EventConsumer
from services.sync.processing import EventProcessor
from services.sync.reconcile import FeedClient, Reconciler
from services.sync.relay import Relay
from services.workers import hub_ingest

probe_metadata = MetaData()
fault_probe = Table(
    "fault_probe", probe_metadata,
    Column("event_id", String(36), primary_key=True),
    Column("stream", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("applications", Integer, nullable=False),
    Column("route", String(8), nullable=False),  # how it was first applied: bus or feed
)


class PoisonError(RuntimeError):
    """A handler that cannot apply one particular event (a bug, or data it chokes on)."""


class _CountingHandlers(dict):
    """The hub's handlers, each followed by the probe; an event type without a handler is counted too."""

    def __init__(self, real: dict, route: str, fail_for: frozenset[str]):
        super().__init__(real)
        self.route = route
        self.fail_for = fail_for

    def get(self, event_type, default=None):
        real = super().get(event_type)

        def counted(conn, env):
            if str(env.id) in self.fail_for:
                raise PoisonError(f"the handler cannot apply {env.id}")
            if real is not None:
                real(conn, env)
            stmt = postgresql.insert(fault_probe).values(event_id=str(env.id), stream=env.stream, seq=env.seq,
                                                         applications=1, route=self.route)
            conn.execute(stmt.on_conflict_do_update(index_elements=["event_id"],
                                                    set_={"applications": fault_probe.c.applications + 1}))

        return counted


class CountingProcessor(EventProcessor):
    """The hub's processor, keeping every batch's outcome (also of batches whose ack was then lost)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes: list = []

    def process(self, bodies):
        outcome = super().process(bodies)
        self.outcomes.append(outcome)
        return outcome

    @property
    def absorbed(self) -> int:
        """Deliveries dropped by the tracking rows (or as a repeat within a batch): applied before."""
        return sum(o.duplicates for o in list(self.outcomes))


class Hub:
    """The hub under test: its runtime, its ingest queue, and processors that count."""

    def __init__(self, runtime):
        self.runtime = runtime
        self.spec, self._base, self.streams = hub_ingest(runtime)
        probe_metadata.create_all(runtime.engine)

    @property
    def heartbeat(self) -> float:
        return self.runtime.settings.bus_heartbeat_seconds

    def processor(self, route: str = "bus", fail_for=frozenset()) -> CountingProcessor:
        base = self._base
        return CountingProcessor(base.name, base.engine, base.verifier, base.validator,
                              _CountingHandlers(base.handlers, route, frozenset(fail_for)),
                              accept_site=base.accept_site)

    def applications(self) -> dict[str, int]:
        with self.runtime.engine.connect() as conn:
            return {r.event_id: r.applications for r in conn.execute(select(fault_probe))}

    def routes(self) -> dict[str, str]:
        with self.runtime.engine.connect() as conn:
            return {r.event_id: r.route for r in conn.execute(select(fault_probe))}

    def positions(self) -> dict[str, tuple[int, int]]:
        with self.runtime.engine.connect() as conn:
            return inbox.positions(conn, self.spec.name)

    def dead_letters(self) -> list:
        with self.runtime.engine.connect() as conn:
            return conn.execute(select(inbox.dead_letter).order_by(inbox.dead_letter.c.id)).all()

    def quarantined(self) -> set[str]:
        with self.runtime.engine.connect() as conn:
            return set(conn.execute(select(inbox.inbox.c.event_id)
                                    .where(inbox.inbox.c.status == inbox.QUARANTINED)).scalars())

    def dump(self) -> bytes:
        """Every table of the hub's schema, rows in a canonical order, as PostgreSQL's COPY renders them."""
        raw = self.runtime.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
            out = []
            for (table,) in cur.fetchall():
                out.append(f"-- {table}\n".encode())
                with cur.copy(f'COPY (SELECT * FROM "{table}" t ORDER BY t::text) TO STDOUT') as copy:
                    for chunk in copy:
                        out.append(bytes(chunk))
            return b"".join(out)
        finally:
            raw.close()


def digest(dump: bytes) -> str:
    return hashlib.sha256(dump).hexdigest()


class Site:
    """A site under test: its runtime, and writes through the registry's handlers."""

    def __init__(self, runtime):
        self.runtime = runtime

    @property
    def site_id(self) -> str:
        return self.runtime.site_id

    def statement(self) -> str:
        """File one statement of support (one transaction, one event). Returns the statement's id."""
        fields = {"kind": "person", "person": registry_model.Person(first_name="Anna", last_name="Muster"),
                  "consent": True, "nuts3": "AT127"}
        return registry.file_support_statement(self.runtime.uow(), fields, self.today()).id

    def organisation(self, name: str) -> str:
        """Register a company (one event, aggregate version 1). Returns its id."""
        fields = {"kind": "economic_enterprise", "name": name, "registration_number": f"FN {uuid.uuid4().hex[:8]}",
                  "address": registry_model.Address("Hauptplatz 1", "2130", "Mistelbach", "AT"), "nuts3": "AT125"}
        return registry.register_organisation(self.runtime.uow(), fields, self.today()).id

    def rename(self, organisation_id: str, name: str) -> int:
        """One more version of the organisation. Returns its version."""
        return registry.update_organisation(self.runtime.uow(), organisation_id, {"name": name}).version

    def today(self) -> datetime.date:
        return outbox_module.utcnow().date()  # the site's clock, which a test may have skewed

    def write(self, n: int) -> None:
        for _ in range(n):
            self.statement()

    def event_ids(self) -> list[str]:
        with self.runtime.engine.connect() as conn:
            return list(conn.execute(select(outbox.c.event_id).order_by(outbox.c.id)).scalars())

    def envelopes(self) -> list[str]:
        with self.runtime.engine.connect() as conn:
            return list(conn.execute(select(outbox.c.envelope).where(outbox.c.seq.is_not(None))
                                     .order_by(outbox.c.stream, outbox.c.seq)).scalars())

    def backlog(self) -> int:
        with self.runtime.engine.connect() as conn:
            return conn.execute(select(text("count(*)")).select_from(outbox)
                                .where(outbox.c.published_at.is_(None))).scalar()


class Writer:
    """Keeps a site taking writes at a steady pace, in a thread, whatever happens to its links."""

    def __init__(self, site: Site, per_second: float):
        self.site = site
        self.interval = 1.0 / per_second
        self.stop_event = threading.Event()
        self.count = 0
        self.errors: list[Exception] = []
        self.thread = threading.Thread(target=self._run, name=f"writer-{site.site_id}", daemon=True)

    def _run(self) -> None:
        due = time.monotonic()
        while not self.stop_event.is_set():
            try:
                self.site.statement()
                self.count += 1
            except Exception as exc:  # noqa: BLE001 - a refused write is a finding, recorded for the test
                self.errors.append(exc)
            due += self.interval
            self.stop_event.wait(max(0.0, due - time.monotonic()))

    def start(self) -> "Writer":
        self.thread.start()
        return self

    def stop(self) -> int:
        self.stop_event.set()
        self.thread.join(10)
        return self.count


class RelayWorker:
    """The site's relay, as `sopro serve --role relay` runs it, on a given bus URL (often a proxy's)."""

    def __init__(self, runtime, bus_url: str, confirm_timeout: float = 3.0, batch_size: int = 200,
                 connect_timeout: float = 3.0, backoff: float = 0.3):
        connection = bus.connect(bus_url, heartbeat=runtime.settings.bus_heartbeat_seconds,
                                 connect_timeout=connect_timeout)
        self.relay = Relay(runtime.engine, runtime.site_id, runtime.signing_key,
                           bus.Publisher(connection, confirm_timeout=confirm_timeout), batch_size=batch_size)
        self.stop_event, self.wake = threading.Event(), threading.Event()
        runtime.hooks.add(self.wake.set)
        self.thread = threading.Thread(target=self.relay.run_forever,
                                       args=(self.stop_event, self.wake, 0.02, backoff), daemon=True)

    def start(self) -> "RelayWorker":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.wake.set()
        self.thread.join(15)
        self.relay.publisher.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class _ObservedConsumer(EventConsumer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.connected_at: list[float] = []

    def on_connection_revived(self):
        self.connected_at.append(time.monotonic())  # the first connect, and every reconnect
        super().on_connection_revived()


class IngestWorker:
    """The hub's ingest consumer in a thread, as `sopro serve --role ingest` runs it, counting."""

    def __init__(self, hub: Hub, bus_url: str, processor: CountingProcessor | None = None,
                 connect_timeout: float = 3.0, **kwargs):
        self.processor = processor or hub.processor("bus")
        connection = bus.connect(bus_url, heartbeat=hub.heartbeat, connect_timeout=connect_timeout)
        self.consumer = _ObservedConsumer(connection, hub.spec, self.processor, **kwargs)
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.consumer.run_until, args=(self.stop_event, 0.3), daemon=True)

    @property
    def absorbed(self) -> int:
        return self.processor.absorbed

    def start(self) -> "IngestWorker":
        self.thread.start()
        assert self.consumer.ready.wait(20), "the hub's consumer did not start"
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(15)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class ReconcileWorker:
    """The hub's reconciler on a timer, reading the site's feed at `feed_url` (often a proxy's)."""

    def __init__(self, hub: Hub, site_id: str, feed_url: str, interval: float = 2.0, timeout: float = 3.0):
        federation = hub.runtime.settings.federation
        site = replace(federation.site(site_id), url=feed_url)
        federation = replace(federation, sites={**federation.sites, site_id: site})
        feeds = FeedClient(federation, hub.runtime.federation_token, timeout=timeout)
        self.reconciler = Reconciler(hub.processor("feed"), feeds, [f"{site_id}/registry"], page_size=200)
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self.reconciler.run_forever, args=(self.stop_event, interval),
                                       daemon=True)

    def start(self) -> "ReconcileWorker":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(15)


def declare(hub: Hub, bus_url: str) -> None:
    """The exchanges and the hub's queue, so that events published before the hub consumes wait in it."""
    with bus.connect(bus_url, heartbeat=0) as conn:
        bus.declare_queue(conn, hub.spec)


def wait_until(predicate, timeout: float = 30.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return predicate()


def all_applied(hub: Hub, ids) -> bool:
    return set(ids) <= set(hub.applications())
