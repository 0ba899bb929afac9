"""On PostgreSQL the relay marks confirmed rows published on a connection of its own, alongside the next
batch (services/sync/relay_marking.py): every mark is done before the relay lets the stream go, a mark
comes from another backend than the relay's, and a failed mark leaves the rows pending for the next run
(DESIGN.md §3, guarantee 1), which publishes them again.
"""
from __future__ import annotations

import json
import threading
from collections import Counter
from contextlib import contextmanager

import pytest
from sqlalchemy import event

from services.sync import relay_marking
from tests.support.guarantees import published_seqs, site  # noqa: F401 - fixture
from tests.support.sync import QUEUE, declare, drain_queue, relay_for, write_events

pytestmark = pytest.mark.services


@contextmanager
def backends(site, relay):
    """(the backend pids that ran a mark, those the relay sequenced on), recorded while the block runs: from
    the statements themselves and from the relay's own connection."""
    marking: list[int] = []
    relaying: list[int] = []

    def seen(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE OUTBOX SET PUBLISHED_AT"):
            marking.append(conn.connection.driver_connection.info.backend_pid)

    sequence = relay._sequence

    def sequencing(conn, stream):
        relaying.append(conn.connection.driver_connection.info.backend_pid)
        return sequence(conn, stream)

    relay._sequence = sequencing
    event.listen(site.engine, "before_cursor_execute", seen)
    try:
        yield marking, relaying
    finally:
        event.remove(site.engine, "before_cursor_execute", seen)
        relay._sequence = sequence


def test_every_batch_is_marked_from_another_connection_before_the_stream_is_let_go(site, amqp_url):
    declare(amqp_url)
    write_events(site, 250)
    relay = relay_for(site, amqp_url, batch_size=50)
    with backends(site, relay) as (pids, relay_pid):
        assert relay.run_once() == 250
    assert published_seqs(site) == list(range(1, 251)), "the run returned before every mark was done"
    assert pids and set(relay_pid) and not set(pids) & set(relay_pid), "marked on the relay's own connection"
    assert len(drain_queue(amqp_url, QUEUE.name)) == 250


def test_a_failed_mark_leaves_the_rest_pending_and_the_next_run_publishes_it(site, amqp_url, monkeypatch):
    declare(amqp_url)
    write_events(site, 120)
    marks = []
    real_mark = relay_marking.mark_published

    def failing_second(conn, stream, seqs, at):
        marks.append(seqs)
        if len(marks) == 2:
            raise RuntimeError("the database went away while marking")
        return real_mark(conn, stream, seqs, at)

    monkeypatch.setattr(relay_marking, "mark_published", failing_second)
    with pytest.raises(RuntimeError, match="went away while marking"):
        relay_for(site, amqp_url, batch_size=40).run_once()
    published = published_seqs(site)
    assert published == marks[0], "only the first mark went through; nothing after the failed one"
    assert published[0] == 1 and len(published) < 120

    monkeypatch.setattr(relay_marking, "mark_published", real_mark)
    assert relay_for(site, amqp_url, batch_size=40).run_once() == 120 - len(published)
    assert published_seqs(site) == list(range(1, 121))
    delivered = Counter(json.loads(m.body)["seq"] for m in drain_queue(amqp_url, QUEUE.name))
    assert set(delivered) == set(range(1, 121)), "a row was lost"
    assert all(delivered[seq] == 1 for seq in published), "a row marked published went out again"


def test_a_run_of_one_batch_marks_on_the_relay_s_own_connection(site, amqp_url):
    """Nothing follows the last batch to overlap with: no thread and no second connection for it."""
    declare(amqp_url)
    write_events(site, 30)
    relay = relay_for(site, amqp_url, batch_size=50)
    threads_before = threading.active_count()
    with backends(site, relay) as (pids, relay_pid):
        assert relay.run_once() == 30
    assert published_seqs(site) == list(range(1, 31))
    assert pids and set(pids) == set(relay_pid), "a single batch was marked from another connection"
    assert threading.active_count() == threads_before
