"""DESIGN.md §3, guarantees 2 and 3 on real PostgreSQL and RabbitMQ: nothing is applied twice, and each
stream keeps its order.

A duplicate effect shows as a count of 2, a skipped seq as a hole in the published sequence.
"""
from __future__ import annotations

import json
import threading

import pytest
from sqlalchemy import select

from services.common import inbox
from services.common.outbox import outbox
from tests.support.guarantees import hub, site  # noqa: F401 - fixture
from tests.support.polling import eventually
from tests.support.sync import (
    QUEUE, RunningConsumer, applied_counts, declare, drain_queue, processor_for, relay_for, statement_recorded,
    write_events,
)

pytestmark = pytest.mark.services


# 2. Nothing is applied twice --------------------------------------------------------------------------

def test_same_events_delivered_concurrently_are_applied_once(site, hub, amqp_url):
    declare(amqp_url)
    ids = write_events(site, 50)
    relay_for(site, amqp_url).run_once()
    with site.engine.connect() as conn:
        bodies = [r.envelope for r in conn.execute(select(outbox.c.envelope).order_by(outbox.c.seq))]
    processors = [processor_for(hub) for _ in range(4)]
    threads = [threading.Thread(target=p.process, args=(bodies,)) for p in processors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert applied_counts(hub) == {i: 1 for i in ids}


# 3. Order per stream ----------------------------------------------------------------------------------

def test_transactions_committing_out_of_order_are_not_skipped(site, amqp_url):
    """T1 takes the lower id but commits after T2 and after a relay run: T1's event is still sent."""
    declare(amqp_url)
    slow = site.uow().__enter__()
    slow.record_events([statement_recorded()])
    fast_ids = write_events(site, 1)  # T2: a higher id, committed first
    relay = relay_for(site, amqp_url)
    assert relay.run_once() == 1
    slow.commit()
    slow.__exit__(None, None, None)
    assert relay.run_once() == 1, "the late-committing row must not be skipped"

    messages = drain_queue(amqp_url, QUEUE.name)
    envelopes = [json.loads(m.body) for m in messages]
    assert [e["seq"] for e in envelopes] == [1, 2]
    assert envelopes[0]["id"] == fast_ids[0], "seq follows commit order, not insert order"


def test_two_relays_on_one_database_neither_duplicate_nor_skip(site, amqp_url):
    declare(amqp_url)
    total = 0
    for _ in range(6):
        total += len(write_events(site, 100))
    relays = [relay_for(site, amqp_url, batch_size=50) for _ in range(2)]
    errors = []

    def run(relay):
        try:
            for _ in range(20):
                relay.run_once()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(r,)) for r in relays]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    seqs = [json.loads(m.body)["seq"] for m in drain_queue(amqp_url, QUEUE.name)]
    assert sorted(seqs) == list(range(1, total + 1)), "each seq published exactly once"
    assert seqs == sorted(seqs), "and in order"


def test_consumer_tracks_positions_per_stream(site, hub, amqp_url):
    declare(amqp_url)
    write_events(site, 10)
    relay_for(site, amqp_url).run_once()
    with RunningConsumer(amqp_url, processor_for(hub)):
        eventually(lambda: len(applied_counts(hub)) == 10)
    with hub.engine.connect() as conn:
        assert inbox.positions(conn, QUEUE.name) == {"AT12/registry": (10, 10)}
