"""Faults at the hub's consumer: a process killed between its commit and its ack, and poison messages."""
from __future__ import annotations

import json
import signal
import uuid

import pytest
from sqlalchemy import insert, select

from services.common import bus
from services.common.bus import REASON_HEADER
from services.common.envelope import Envelope
from services.common.outbox import outbox
from services.common.signing import load_private_key, sign
from tests.support.faults.checker import assert_clean, classify
from tests.support.faults.harness import all_applied, declare
from tests.support.faults.ingest_process import IngestProcess
from tests.support.faults.workers import IngestWorker, RelayWorker
from tests.support.polling import eventually
from tests.support.sync import drain_queue

pytestmark = pytest.mark.services


def test_consumer_killed_between_commit_and_ack(site, hub, amqp_url, federation_files):
    """The hub's ingest process commits a batch and is SIGKILLed before acknowledging it: the broker
    delivers the whole batch again to the next process, whose tracking rows absorb it."""
    declare(hub, amqp_url)
    site.write(400)
    with RelayWorker(site.runtime, amqp_url):
        assert eventually(lambda: site.backlog() == 0, timeout=60)
    written = site.event_ids()

    doomed = IngestProcess(hub, amqp_url, federation_files[0], "--hold-after-commit")
    try:
        committed = int(doomed.expect("COMMITTED").split()[1])
        assert len(hub.applications()) == committed, "the batch was committed before the kill"
    finally:
        doomed.end(signal.SIGKILL)
    assert doomed.process.returncode == -signal.SIGKILL

    successor = IngestProcess(hub, amqp_url, federation_files[0])
    try:
        successor.expect("READY")
        assert eventually(lambda: all_applied(hub, written), timeout=60)
        absorbed = eventually(lambda: successor.duplicates() >= committed and successor.duplicates())
    finally:
        successor.end()
    figures = classify("consumer killed before its ack", written, hub.applications(), hub.routes(),
                       in_doubt=set(written), absorbed=absorbed, committed_unacked=committed)
    assert_clean(figures)
    assert absorbed >= committed, "the killed process's batch came again and was absorbed, not applied again"


def test_poison_messages_are_dead_lettered_and_the_stream_flows_on(site, hub, amqp_url, federation_files):
    """Among good events: a message that is not JSON, one forged (signed by HU22, claiming AT12), one
    well signed but breaking its schema (a site bug), and one the hub's handler cannot apply. Each is
    dead-lettered with its reason; every good event before and after them is applied once."""
    declare(hub, amqp_url)
    hostile = bus.Publisher(bus.connect(amqp_url, heartbeat=0))
    with RelayWorker(site.runtime, amqp_url) as relay:
        site.write(30)
        assert eventually(lambda: site.backlog() == 0)
        good = json.loads(site.envelopes()[0])
        forged_fields = {**Envelope.parse(good).unsigned_fields(), "id": str(uuid.uuid4()), "seq": 31}
        hu22_key = load_private_key(federation_files[1] / "HU22.pem")
        forged = json.dumps({**forged_fields, "signature": sign(forged_fields, hu22_key, "HU22")})
        hostile.publish([bus.OutgoingMessage("AT12.registry.support_statement.recorded", "{not json", "m1"),
                         bus.OutgoingMessage("AT12.registry.support_statement.recorded", forged, "m2")])
        invalid_id = write_invalid_event(site)
        site.write(30)
        handler_poison = site.event_ids()[-1]
        site.write(30)
        assert eventually(lambda: site.backlog() == 0)
    hostile.close()
    written = site.event_ids()
    refused = {invalid_id, handler_poison}

    with IngestWorker(hub, amqp_url, processor=hub.processor("bus", fail_for={handler_poison})) as ingest:
        good_ids = [i for i in written if i not in refused]
        assert eventually(lambda: all_applied(hub, good_ids), timeout=60)
        dead = eventually(lambda: len(hub.dead_letters()) >= 4 and hub.dead_letters())
    in_dlq = drain_queue(amqp_url, hub.spec.dead_letter_name)
    figures = classify("poison messages", written, hub.applications(), hub.routes(), dead_lettered=refused,
                       absorbed=ingest.absorbed, dead_letter_queue=len(in_dlq))
    assert_clean(figures)

    reasons = sorted(m.headers[REASON_HEADER].split(":")[0].split(" ")[0] for m in in_dlq)
    assert reasons == ["forged", "handler", "invalid", "malformed"], reasons
    assert sorted(r.reason.split(":")[0].split(" ")[0] for r in dead) == reasons
    assert {r.event_id for r in dead if r.event_id} >= refused
    assert hub.quarantined() == refused, "the refused events hold their seq as quarantined"
    last = len(written)
    assert hub.positions()["AT12/registry"] == (last, last), "the stream flowed on past every poison"


def write_invalid_event(site) -> str:
    """A site bug: an event whose data breaks its schema gets into the outbox (and is signed by the relay)."""
    with site.runtime.engine.begin() as conn:
        row = conn.execute(select(outbox).order_by(outbox.c.id.desc()).limit(1)).mappings().one()
        event_id = str(uuid.uuid4())
        conn.execute(insert(outbox).values(
            {**{k: v for k, v in row.items() if k not in ("id", "seq", "envelope", "published_at")},
             "event_id": event_id, "aggregate_id": str(uuid.uuid4()), "data": {"statement_id": "not-a-uuid"}}))
    site.runtime.hooks.fire()
    return event_id
