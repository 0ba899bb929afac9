"""Building blocks of the fault tests: a site and the hub on PostgreSQL, and the counting probe the
checker reads (their workers in threads are in tests/support/faults/workers.py).

The hub is the real one: its migrations, its ingest queue and handlers (services.workers.hub_ingest).
Every handler is wrapped by the probe, which counts in the same transaction how often an event's
effects were applied and by which route (the bus or the site's feed), so "applied twice" is observed,
not inferred.
"""
from __future__ import annotations

import datetime
import hashlib
import uuid
from urllib.parse import urlsplit

from sqlalchemy import BigInteger, Column, Integer, MetaData, String, Table, select, text
from sqlalchemy.dialects import postgresql

from services.common import bus, inbox
from services.common import outbox as outbox_module
from services.common.outbox import outbox
from services.registry import handlers as registry
from services.registry.organisations import Address
from services.registry.statements import Person
from services.sync.processing import EventProcessor
from services.workers import hub_ingest
from tests.support.faults.proxy import FaultProxy

probe_metadata = MetaData()
fault_probe = Table(
    "fault_probe", probe_metadata,
    Column("event_id", String(36), primary_key=True),
    Column("stream", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("applications", Integer, nullable=False),
    Column("route", String(8), nullable=False),  # how it was first applied: bus or feed
)

# Short heartbeats, so that a half-open link is noticed in seconds (production: 30 s).
HEARTBEAT_SECONDS = 2.0


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
        fields = {"kind": "person", "person": Person(first_name="Anna", last_name="Muster"),
                  "consent": True, "nuts3": "AT127"}
        return registry.file_support_statement(self.runtime.uow(), fields, self.today()).id

    def organisation(self, name: str) -> str:
        """Register a company (one event, aggregate version 1). Returns its id."""
        fields = {"kind": "economic_enterprise", "name": name, "registration_number": f"FN {uuid.uuid4().hex[:8]}",
                  "address": Address("Hauptplatz 1", "2130", "Mistelbach", "AT"), "nuts3": "AT125"}
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


def declare(hub: Hub, bus_url: str) -> None:
    """The exchanges and the hub's queue, so that events published before the hub consumes wait in it."""
    with bus.connect(bus_url, heartbeat=0) as conn:
        bus.declare_queue(conn, hub.spec)


def broker_proxy(amqp_url: str) -> FaultProxy:
    """A fault proxy in front of the broker of `amqp_url`."""
    parts = urlsplit(amqp_url)
    return FaultProxy(parts.hostname, parts.port or 5672)


def through(proxy: FaultProxy, amqp_url: str) -> str:
    """`amqp_url`, going through `proxy`."""
    parts = urlsplit(amqp_url)
    return proxy.url("amqp", f"{parts.username}:{parts.password}@", parts.path)




def all_applied(hub: Hub, ids) -> bool:
    return set(ids) <= set(hub.applications())
