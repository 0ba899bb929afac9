"""Background workers of a site or of the hub: the relay, the consumers of a site's queues, the hub's
ingest consumer and its reconciliation; and which handlers each queue feeds (part of the composition root).

Each worker runs in a thread until its stop event is set; `sopro serve` and `sopro demo` start them.
"""
from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass, field

from services.common import bus, notification_sender
from services.common.db import is_postgres
from services.common.mail import SmtpMailer
from services.common.runtime import Runtime
from services.web import mail_digest
from services.web.notify import MailSite
from services.enquiries.crossborder import consumers as inbox_consumers
from services.enquiries.matching import consumers as members_consumers
from services.hub import consumers as hub_consumers
from services.label import consumers as label_consumers
from services.sync.consumer import EventConsumer
from services.sync.processing import EventProcessor
from services.sync.reconcile import Reconciler, make_reconciler
from services.sync.relay import Relay
from services.sync.relay_wakeup import RelayWakeup

log = logging.getLogger("sopro.workers")

HUB_INGEST_QUEUE = "hub.ingest"
# The hub ingest applies up to HUB_INGEST_BATCH events in one transaction; the broker keeps a second
# batch in flight meanwhile, so the next batch is already here when one commits.
HUB_INGEST_BATCH = 500
HUB_INGEST_PREFETCH = 2 * HUB_INGEST_BATCH


@dataclass
class Workers:
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)
    consumers: list[EventConsumer] = field(default_factory=list)
    reconcilers: list[Reconciler] = field(default_factory=list)
    wakes: list[threading.Event] = field(default_factory=list)  # set at shutdown: no worker sits out its idle wait

    def start(self, name: str, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        thread.start()
        self.threads.append(thread)

    def shutdown(self, timeout: float = 5.0) -> None:
        self.stop.set()
        for wake in self.wakes:
            wake.set()
        for thread in self.threads:
            thread.join(timeout)


def connect_bus(runtime: Runtime):
    """A connection to the bus with the configured heartbeat (SOPRO_BUS_HEARTBEAT)."""
    return bus.connect(runtime.settings.bus_url, heartbeat=runtime.settings.bus_heartbeat_seconds)


def make_relay(runtime: Runtime, **kwargs) -> Relay:
    connection = connect_bus(runtime)
    return Relay(runtime.engine, runtime.site_id, runtime.signing_key, bus.Publisher(connection),
                 batch_size=runtime.settings.relay_batch_size, **kwargs)


def start_relay(runtime: Runtime, workers: Workers) -> None:
    """The relay, woken by every commit of this process (the unit of work's hook) and, on PostgreSQL, by
    every commit of any process writing the site's outbox (LISTEN/NOTIFY) unless it is busy and polling;
    otherwise it polls every `relay_idle_seconds`."""
    wake = threading.Event()
    runtime.hooks.add(wake.set)
    workers.wakes.append(wake)
    want_wakeups = None
    if is_postgres(runtime.engine):
        listener = RelayWakeup(runtime.engine, wake)
        workers.start(f"relay-wakeup-{runtime.site_id}", listener.run_until, workers.stop)
        want_wakeups = listener.want
    relay = make_relay(runtime)
    workers.start(f"relay-{runtime.site_id}", relay.run_forever, workers.stop, wake,
                  runtime.settings.relay_idle_seconds, 1.0, want_wakeups)


def start_notification_sender(runtime: Runtime, workers: Workers) -> None:
    """The site's mail sender (services/common/notification_sender.py), if the site has an SMTP server;
    woken by every commit, so a notification written with a state change goes out at once."""
    if runtime.settings.mail is None or runtime.settings.is_hub:
        return
    wake = threading.Event()
    runtime.hooks.add(wake.set)
    site = runtime.settings.site
    digests = functools.partial(mail_digest.compose_due, runtime.engine, MailSite.of(site))
    workers.start(f"mail-{runtime.site_id}", notification_sender.run_forever, runtime.engine,
                  SmtpMailer(runtime.settings.mail), workers.stop, 5.0, wake, digests)


def hub_ingest(runtime: Runtime) -> tuple[bus.QueueSpec, EventProcessor, list[str]]:
    """The hub's ingest queue, its processor, and the streams it expects from every site."""
    federation = runtime.settings.federation
    spec = bus.QueueSpec(HUB_INGEST_QUEUE, tuple(hub_consumers.binding_keys()), prefetch=HUB_INGEST_PREFETCH)
    members = {s.id for s in federation.member_sites}
    processor = EventProcessor(HUB_INGEST_QUEUE, runtime.engine, runtime.verifier, runtime.validator,
                               hub_consumers.handlers(runtime.settings), accept_site=members.__contains__)
    streams = [f"{site}/{service}" for site in sorted(members) for service in hub_consumers.INGEST_SERVICES]
    return spec, processor, streams


def start_hub_ingest(runtime: Runtime, workers: Workers, ingest: tuple) -> None:
    """The hub's ingest consumer, (QueueSpec, EventProcessor, streams), and the reconciler healing its gaps."""
    spec, processor, streams = ingest
    reconciler = make_reconciler(runtime, processor, streams)
    heal_now = threading.Event()
    workers.wakes.append(heal_now)  # a shutdown ends its wait between rounds (reconcile_interval_seconds)

    def on_outcome(outcome):
        if outcome.gaps:
            heal_now.set()

    consumer = EventConsumer(connect_bus(runtime), spec, processor, batch_size=HUB_INGEST_BATCH, on_outcome=on_outcome)
    workers.consumers.append(consumer)
    workers.reconcilers.append(reconciler)
    workers.start("hub-ingest", consumer.run_until, workers.stop)
    workers.start("hub-reconcile", reconciler.run_forever, workers.stop,
                  runtime.settings.reconcile_interval_seconds, heal_now)


def site_members(runtime: Runtime) -> tuple[bus.QueueSpec, EventProcessor]:
    """The site's own queue of its registry events, feeding the matching projection."""
    site_id = runtime.site_id
    name = f"{site_id}.enquiries.members"
    spec = bus.QueueSpec(name, tuple(members_consumers.binding_keys(site_id)))
    processor = EventProcessor(name, runtime.engine, runtime.verifier, runtime.validator, members_consumers.HANDLERS,
                               accept_site=lambda site: site == site_id)
    return spec, processor


def site_inbox(runtime: Runtime) -> tuple[bus.QueueSpec, EventProcessor]:
    """The site's queue of messages directed at it (`to.<SITE>.#`), which only the hub may send."""
    site_id, hub_id = runtime.site_id, runtime.settings.federation.hub.id
    name = f"{site_id}.inbox"
    spec = bus.QueueSpec(name, tuple(inbox_consumers.binding_keys(site_id)))
    site = runtime.settings.site  # the mails link to the site's own address (also on ephemeral ports)
    handlers = {**inbox_consumers.handlers(MailSite.of(site)), **label_consumers.HANDLERS}
    processor = EventProcessor(name, runtime.engine, runtime.verifier, runtime.validator, handlers,
                               accept_site=lambda site: site == hub_id, addressed_to=site_id)
    return spec, processor


def start_site_consumers(runtime: Runtime, workers: Workers, queues: list[tuple]) -> None:
    """A consumer thread for each of the site's queues, (QueueSpec, EventProcessor) as the composition
    root lists them."""
    for spec, processor in queues:
        consumer = EventConsumer(connect_bus(runtime), spec, processor)
        workers.consumers.append(consumer)
        workers.start(spec.name, consumer.run_until, workers.stop)
