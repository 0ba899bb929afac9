"""The guarantees of DESIGN.md §3, each shown on real PostgreSQL and RabbitMQ.

Each test would fail if its guarantee broke: a lost event shows as a missing probe row, a duplicate
effect as a count of 2, a skipped seq as a hole in the published sequence.
"""
from __future__ import annotations

import json
import threading
import uuid

import pytest
import requests
from sqlalchemy import select, text

from services.common import bus, inbox
from services.common.bus import REASON_HEADER, PublishError
from services.common.envelope import Envelope
from services.common.outbox import outbox
from services.common.signing import sign
from tests.support.sync import (
    QUEUE, FeedServer, RunningConsumer, applied_counts, declare, drain_queue, make_runtime, processor_for,
    reconciler_for, relay_for, statement_recorded, write_events,
)
from tests.support.polling import eventually
from tests.support.services import rabbitmqctl
from tests.support.tokens import bearer

pytestmark = pytest.mark.services


@pytest.fixture
def site(make_settings, pg_schema_url, amqp_url):
    return make_runtime(make_settings("AT12", db_url=pg_schema_url("site"), bus_url=amqp_url))


@pytest.fixture
def hub(make_settings, pg_schema_url, amqp_url):
    return make_runtime(make_settings("EU", db_url=pg_schema_url("hub"), bus_url=amqp_url))


def published_seqs(runtime) -> list[int]:
    with runtime.engine.connect() as conn:
        return [r.seq for r in conn.execute(
            select(outbox.c.seq).where(outbox.c.published_at.is_not(None)).order_by(outbox.c.seq))]


# 1. Nothing is lost -----------------------------------------------------------------------------------

def test_state_and_its_events_commit_together_or_not_at_all(site):
    with site.engine.begin() as conn:
        conn.execute(text("CREATE TABLE probe_state (id text primary key)"))
    with site.uow() as uow:
        uow.conn.execute(text("INSERT INTO probe_state VALUES ('a')"))
        uow.record_events([statement_recorded()])
        uow.rollback()
    with site.engine.connect() as conn:
        assert conn.execute(select(outbox)).first() is None
        assert conn.execute(text("SELECT count(*) FROM probe_state")).scalar() == 0
    ids = write_events(site, 3)
    with site.engine.connect() as conn:
        assert sorted(r.event_id for r in conn.execute(select(outbox.c.event_id))) == sorted(ids)


def test_relay_killed_after_confirm_before_marking_duplicate_is_absorbed(site, hub, amqp_url):
    declare(amqp_url)
    ids = write_events(site, 40)

    class Killed(Exception):
        pass

    def die(rows):
        raise Killed("relay killed after the broker confirmed")

    with pytest.raises(Killed):
        relay_for(site, amqp_url, after_confirm=die).run_once()
    assert published_seqs(site) == []  # confirmed but not marked: the rows stay pending

    assert relay_for(site, amqp_url).run_once() == 40  # a restarted relay publishes them again
    assert published_seqs(site) == list(range(1, 41))

    outcomes = []
    with RunningConsumer(amqp_url, processor_for(hub), on_outcome=outcomes.append):
        eventually(lambda: sum(len(o.applied) + o.duplicates for o in outcomes) >= 80)
    assert sum(o.duplicates for o in outcomes) == 40, "every event arrived twice"
    assert applied_counts(hub) == {i: 1 for i in ids}, "and each was applied exactly once"


def test_publish_failure_leaves_rows_pending(site, amqp_url):
    ids = write_events(site, 5)
    relay = relay_for(site, "amqp://guest:guest@127.0.0.1:1//")
    with pytest.raises((PublishError, OSError)):
        relay.run_once()
    assert published_seqs(site) == []
    declare(amqp_url)
    assert relay_for(site, amqp_url).run_once() == len(ids)


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


# 4. Gaps heal themselves ------------------------------------------------------------------------------

def test_hub_stopped_while_site_writes_then_catches_up(site, hub, amqp_url):
    declare(amqp_url)
    processor = processor_for(hub)
    first = write_events(site, 20)
    relay_for(site, amqp_url).run_once()
    with RunningConsumer(amqp_url, processor):
        eventually(lambda: len(applied_counts(hub)) == 20)
    # The hub is down; the site keeps writing and relaying into the durable queue.
    later = write_events(site, 200)
    relay_for(site, amqp_url).run_once()
    assert len(applied_counts(hub)) == 20
    with RunningConsumer(amqp_url, processor):
        eventually(lambda: len(applied_counts(hub)) == 220)
    assert applied_counts(hub) == {i: 1 for i in first + later}


def test_message_deleted_from_broker_is_healed_from_the_feed(site, hub, amqp_url):
    declare(amqp_url)
    ids = write_events(site, 30)
    relay_for(site, amqp_url).run_once()
    messages = drain_queue(amqp_url, QUEUE.name)
    # Put everything back but seq 7 and the last one: one hole, and one missing tail.
    keep = [m for m in messages if json.loads(m.body)["seq"] not in (7, 30)]
    with bus.connect(amqp_url) as conn:
        bus.Publisher(conn).publish([bus.OutgoingMessage("AT12.registry.support_statement.recorded",
                                                         m.body, str(i)) for i, m in enumerate(keep)])
    processor = processor_for(hub)
    outcomes = []
    with RunningConsumer(amqp_url, processor, on_outcome=outcomes.append):
        eventually(lambda: len(applied_counts(hub)) == 28)
    assert any(o.gaps for o in outcomes), "the consumer noticed the gap"
    with FeedServer(site) as feed:
        healed = reconciler_for(hub, processor, site, feed.url).run_once()
    assert healed == {"AT12/registry": 2}
    assert applied_counts(hub) == {i: 1 for i in ids}
    with hub.engine.connect() as conn:
        assert inbox.positions(conn, QUEUE.name)["AT12/registry"] == (30, 30)


def test_new_hub_rebuilds_its_store_from_the_feeds(site, make_settings, pg_schema_url, amqp_url):
    ids = write_events(site, 120)
    declare(amqp_url)
    relay_for(site, amqp_url).run_once()
    fresh_hub = make_runtime(make_settings("EU", db_url=pg_schema_url("fresh"), bus_url=amqp_url))
    with FeedServer(site) as feed:
        reconciler_for(fresh_hub, processor_for(fresh_hub), site, feed.url).run_once()
    assert applied_counts(fresh_hub) == {i: 1 for i in ids}


def test_feed_refuses_without_a_federation_token(site):
    with FeedServer(site) as feed:
        assert requests.get(f"{feed.url}/federation/feed/AT12/registry").status_code == 401
        assert requests.get(f"{feed.url}/federation/feed/AT12/registry",
                            headers=bearer(site, ["member"], "someone")).status_code == 403


# 5. Bad messages don't block --------------------------------------------------------------------------

def test_malformed_and_forged_messages_are_dead_lettered_with_reason_and_stream_flows(site, hub, amqp_url,
                                                                                     federation_files):
    declare(amqp_url)
    write_events(site, 3)
    relay_for(site, amqp_url).run_once()
    good = [json.loads(m.body) for m in drain_queue(amqp_url, QUEUE.name)]

    # Forged: HU22's key signs an event that claims to come from AT12.
    from services.common.signing import load_private_key

    hu22_key = load_private_key(federation_files[1] / "HU22.pem")
    forged = Envelope.parse(good[0])
    forged_fields = {**forged.unsigned_fields(), "id": str(uuid.uuid4()), "seq": 2}
    forged_body = json.dumps({**forged_fields, "signature": sign(forged_fields, hu22_key, "HU22")})
    # Well signed by AT12 but its data breaks the schema.
    invalid_fields = {**forged.unsigned_fields(), "id": str(uuid.uuid4()), "seq": 4,
                      "data": {"statement_id": "not-a-uuid"}}
    invalid_body = json.dumps({**invalid_fields, "signature": sign(invalid_fields, site.signing_key, "AT12")})
    later_fields = {**forged.unsigned_fields(), "id": str(uuid.uuid4()), "seq": 5,
                    "aggregate_id": str(uuid.uuid4())}
    later_body = json.dumps({**later_fields, "signature": sign(later_fields, site.signing_key, "AT12")})

    bodies = ["{not json", forged_body, json.dumps(good[0]), json.dumps(good[1]), json.dumps(good[2]),
              invalid_body, later_body]
    with bus.connect(amqp_url) as conn:
        bus.Publisher(conn).publish([bus.OutgoingMessage("AT12.registry.support_statement.recorded", b, str(i))
                                     for i, b in enumerate(bodies)])
    with RunningConsumer(amqp_url, processor_for(hub)):
        eventually(lambda: len(applied_counts(hub)) == 4)
        dead = eventually(lambda: drain_queue(amqp_url, QUEUE.dead_letter_name))
    assert sorted(m.headers[REASON_HEADER].split(":")[0] for m in dead) == ["forged", "invalid", "malformed"]
    assert len(applied_counts(hub)) == 4, "the good events before and after the bad ones were applied"

    with hub.engine.connect() as conn:
        reasons = [r.reason for r in conn.execute(select(inbox.dead_letter.c.reason).order_by(inbox.dead_letter.c.id))]
        quarantined = conn.execute(select(inbox.inbox.c.seq).where(inbox.inbox.c.status == inbox.QUARANTINED)).all()
        position = inbox.positions(conn, QUEUE.name)["AT12/registry"]
    assert len(reasons) == 3
    assert any(r.startswith("malformed: not JSON") for r in reasons)
    assert any(r.startswith("forged:") and "HU22" in r for r in reasons)
    assert any(r.startswith("invalid:") for r in reasons)
    assert [q.seq for q in quarantined] == [4]
    assert position == (5, 5), "the quarantined seq does not block the stream"


def test_dead_letter_queue_holds_the_message_with_its_reason(hub, amqp_url):
    declare(amqp_url)
    with bus.connect(amqp_url) as conn:
        bus.Publisher(conn).publish([bus.OutgoingMessage("AT12.registry.support_statement.recorded",
                                                         '{"id": 1}', "bad")])
    with RunningConsumer(amqp_url, processor_for(hub)):
        dead = eventually(lambda: drain_queue(amqp_url, QUEUE.dead_letter_name))
    assert len(dead) == 1
    assert dead[0].body == '{"id": 1}'
    assert dead[0].headers[REASON_HEADER].startswith("malformed: invalid envelope")


# 6. Sites stay autonomous -----------------------------------------------------------------------------

def test_site_keeps_writing_while_broker_is_down_and_drains_after(site, hub, amqp_url):
    down = relay_for(site, "amqp://guest:guest@127.0.0.1:1//")
    ids = []
    for _ in range(5):
        ids += write_events(site, 20)  # writes succeed with no broker
        with pytest.raises((PublishError, OSError)):
            down.run_once()
    with site.engine.connect() as conn:
        backlog = conn.execute(select(outbox.c.id).where(outbox.c.published_at.is_(None))).all()
    assert len(backlog) == 100
    declare(amqp_url)
    assert relay_for(site, amqp_url).run_once() == 100
    with RunningConsumer(amqp_url, processor_for(hub)):
        eventually(lambda: len(applied_counts(hub)) == 100)
    assert applied_counts(hub) == {i: 1 for i in ids}


def test_relay_and_consumer_survive_the_broker_dropping_their_connections(site, hub, amqp_url):
    declare(amqp_url)
    vhost = amqp_url.rsplit("/", 1)[1]
    relay = relay_for(site, amqp_url)
    stop, wake = threading.Event(), threading.Event()
    thread = threading.Thread(target=relay.run_forever, args=(stop, wake, 0.02, 0.2), daemon=True)
    thread.start()
    ids = write_events(site, 50)
    with RunningConsumer(amqp_url, processor_for(hub)):
        eventually(lambda: len(applied_counts(hub)) == 50)
        rabbitmqctl("close_all_connections", "--vhost", vhost, "fault injection")
        ids += write_events(site, 50)
        wake.set()
        eventually(lambda: len(applied_counts(hub)) == 100, timeout=30)
    stop.set()
    thread.join(10)
    assert applied_counts(hub) == {i: 1 for i in ids}


def test_consumer_survives_its_database_failing_and_applies_everything_after(site, hub, amqp_url):
    """A failing hub transaction leaves the batch unacknowledged; it is redelivered and applied once."""
    from services.sync import processing

    declare(amqp_url)
    ids = write_events(site, 30)
    relay_for(site, amqp_url).run_once()
    processor = processor_for(hub)
    failures = {"left": 2}
    real_apply = processing.EventProcessor._apply

    def flaky_apply(self, checked):
        if failures["left"]:
            failures["left"] -= 1
            from sqlalchemy.exc import OperationalError

            raise OperationalError("INSERT", {}, Exception("the database went away"))
        return real_apply(self, checked)

    processor._apply = flaky_apply.__get__(processor)
    running = RunningConsumer(amqp_url, processor)
    running.thread = threading.Thread(target=running.consumer.run_until, args=(running.stop_event, 0.2),
                                      daemon=True)
    with running:
        eventually(lambda: len(applied_counts(hub)) == 30, timeout=30)
    assert failures["left"] == 0
    assert applied_counts(hub) == {i: 1 for i in ids}
