"""DESIGN.md §3, guarantee 1 on real PostgreSQL and RabbitMQ: nothing is lost.

State and its events commit together; a relay killed after the broker's confirm publishes again and the
duplicate is absorbed; a failed publish leaves the rows pending. A lost event shows as a missing row.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from services.common.bus import PublishError
from services.common.outbox import outbox
from tests.support.guarantees import hub, published_seqs, site  # noqa: F401 - fixture
from tests.support.polling import eventually
from tests.support.sync import (
    RunningConsumer, applied_counts, declare, processor_for, relay_for, statement_recorded, write_events,
)

pytestmark = pytest.mark.services


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


def test_a_unit_of_work_joining_a_consumers_transaction_commits_and_rolls_back_its_events_with_it(site):
    # A consumer's handler records events through a unit of work in the consumer's transaction
    # (enquiries' origin_handlers): they must be written there, since that unit of work never commits.
    from services.common.uow import UnitOfWork

    for outcome in ("rollback", "commit"):
        with site.engine.connect() as conn:
            conn.begin()
            UnitOfWork.joining(conn, site.site_id, correlation_id="c-1").record_events([statement_recorded()])
            getattr(conn, outcome)()
        with site.engine.connect() as conn:
            rows = conn.execute(select(outbox.c.correlation_id)).all()
        assert rows == ([] if outcome == "rollback" else [("c-1",)]), outcome


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
