"""Faults in what arrives rather than in the links: a whole outbox replayed, and site clocks skewed."""
from __future__ import annotations

import datetime
import json

import pytest
from sqlalchemy import select, text, update

from services.common import bus
from services.common import outbox as outbox_module
from services.common.outbox import outbox
from services.common import versioned as versioned_module
from services.sync import relay as relay_module
from tests.support.faults.checker import assert_clean, classify
from tests.support.faults.harness import all_applied, declare, digest
from tests.support.faults.workers import IngestWorker, RelayWorker
from tests.support.polling import eventually
from tests.support.sync import drain_queue

pytestmark = pytest.mark.services


def republish(bus_url: str, envelopes: list[str]) -> None:
    publisher = bus.Publisher(bus.connect(bus_url, heartbeat=0))
    try:
        publisher.publish([bus.OutgoingMessage(f"{json.loads(e)['site']}.{json.loads(e)['type']}", e, str(i))
                           for i, e in enumerate(envelopes)])
    finally:
        publisher.close()


def test_replay_of_an_entire_outbox_leaves_the_hub_byte_identical(site, hub, amqp_url):
    """Every row of the site's outbox is published again twice: by the relay, in order, after the rows
    were marked unpublished (an operator's re-drive), and raw, in reverse order. The hub absorbs every
    delivery; a canonical dump of every table of its schema is byte-identical before and after."""
    declare(hub, amqp_url)
    with IngestWorker(hub, amqp_url) as ingest:
        with RelayWorker(site.runtime, amqp_url):
            organisations = [site.organisation(f"Firma {i}") for i in range(20)]
            for version in (2, 3):
                for org in organisations:
                    site.rename(org, f"Firma {org[:8]} v{version}")
            site.write(200)
            written = site.event_ids()
            assert eventually(lambda: all_applied(hub, written), timeout=60)
        before = hub.dump()
        absorbed_before = ingest.absorbed

        with site.runtime.engine.begin() as conn:
            conn.execute(update(outbox).values(published_at=None))
        with RelayWorker(site.runtime, amqp_url):
            assert eventually(lambda: site.backlog() == 0, timeout=60)
        republish(amqp_url, list(reversed(site.envelopes())))
        assert eventually(lambda: ingest.absorbed - absorbed_before >= 2 * len(written), timeout=60), \
            f"{ingest.absorbed - absorbed_before} of {2 * len(written)} replayed deliveries absorbed"
        replayed = ingest.absorbed - absorbed_before
    after = hub.dump()
    figures = classify("replay of an entire outbox", written, hub.applications(), hub.routes(),
                       absorbed=ingest.absorbed, replayed_deliveries=replayed, hub_dump_bytes=len(before),
                       hub_dump_sha256_before=digest(before)[:16], hub_dump_sha256_after=digest(after)[:16])
    assert_clean(figures)
    assert b"-- hub_organisation" in before and b"Firma" in before, "the dump covers the hub's store"
    assert after == before, "the replay changed the hub's store"


@pytest.fixture
def site_clock(monkeypatch):
    """The clock of the sites' outbox, registry and relay, shifted by a settable number of minutes."""

    class Clock:
        minutes = 0

        def __call__(self) -> datetime.datetime:
            return datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=self.minutes)

    clock = Clock()
    for module in (outbox_module, versioned_module, relay_module):
        monkeypatch.setattr(module, "utcnow", clock)
    return clock


def test_site_clocks_skewed_by_ten_minutes(make_site, hub, amqp_url, site_clock):
    """AT12 runs 10 minutes fast and HU22 10 minutes slow; AT12's clock is then stepped back (an NTP
    correction) between versions of one organisation. The events reach the hub in reverse order, and
    again as a replay. The stream order follows commits, the hub keeps the newest version whatever
    its timestamp says, and nothing is applied twice."""
    at12, hu22 = make_site("AT12"), make_site("HU22")
    declare(hub, amqp_url)
    site_clock.minutes = +10
    org = at12.organisation("Uhrwerk GmbH")
    at12.write(25)
    site_clock.minutes = -10
    hu22.organisation("Óra Kft.")
    hu22.write(25)
    at12.rename(org, "Uhrwerk GmbH v2")  # the clock stepped back: v2 looks 20 minutes older than v1
    site_clock.minutes = -5
    at12.rename(org, "Uhrwerk GmbH v3")
    site_clock.minutes = +10
    at12.write(25)
    site_clock.minutes = -10
    hu22.write(25)
    site_clock.minutes = 0

    for site in (at12, hu22):
        with RelayWorker(site.runtime, amqp_url):
            assert eventually(lambda: site.backlog() == 0, timeout=60)
    republish(amqp_url, [m.body for m in reversed(drain_queue(amqp_url, hub.spec.name))])
    written = at12.event_ids() + hu22.event_ids()
    with IngestWorker(hub, amqp_url) as ingest:
        assert eventually(lambda: all_applied(hub, written), timeout=60)
        republish(amqp_url, at12.envelopes() + hu22.envelopes())
        assert eventually(lambda: ingest.absorbed >= len(written), timeout=60)

    with at12.runtime.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.seq, outbox.c.occurred_at, outbox.c.aggregate_id)
                            .order_by(outbox.c.id)).all()
    assert [r.seq for r in rows] == list(range(1, len(rows) + 1)), "seq follows commit order"
    stamps = [r.occurred_at for r in rows if r.aggregate_id == org]
    assert stamps[1] < stamps[0] and stamps[2] < stamps[0], "the clock really went back between versions"
    with hub.runtime.engine.connect() as conn:
        held = conn.execute(text("SELECT name, aggregate_version, last_occurred_at FROM hub_organisation "
                                 "WHERE site = 'AT12' AND id = :id"), {"id": org}).one()
    assert (held.name, held.aggregate_version) == ("Uhrwerk GmbH v3", 3), "the newest version wins, not the latest clock"
    assert held.last_occurred_at == stamps[2]
    skew = max(abs((r.occurred_at - stamps[0]).total_seconds()) for r in rows)
    figures = classify("site clocks skewed by ±10 minutes", written, hub.applications(), hub.routes(),
                       absorbed=ingest.absorbed, skew_span_minutes=round(skew / 60, 1))
    assert_clean(figures)
