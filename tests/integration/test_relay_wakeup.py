"""A commit in another process wakes the relay through PostgreSQL LISTEN/NOTIFY (services/sync/relay_wakeup.py).

The writer is a second runtime on the site's schema (its own engine and commit hooks, as another process
would have), so nothing but the database's notification can reach the relay, which otherwise sleeps for
its idle poll of 30 s. The listener survives its connection being terminated and listens again.
Writers NOTIFY only while the relay asks for it (outbox_wakeup): it stops asking while a stream of
writes keeps it busy polling, and asks again, without losing a write, when the stream ends.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import select, text

from services.common import outbox
from services.common.outbox import WAKEUP_CHANNEL_SQL, outbox_wakeup
from services.sync.relay_wakeup import RelayWakeup
from services.workers import Workers, start_relay
from tests.support.polling import eventually
from tests.support.sync import QUEUE, declare, drain_queue, make_runtime, statement_recorded, write_events

pytestmark = pytest.mark.services

IDLE_POLL = 30.0  # the relay's idle wait: far longer than any assertion below waits


@pytest.fixture
def site_settings(make_settings, pg_schema_url, amqp_url):
    return make_settings("AT12", db_url=pg_schema_url("site"), bus_url=amqp_url, relay_idle_seconds=IDLE_POLL)


def listener_pids(runtime) -> list[int]:
    """The backends LISTENing on the schema's wake-up channel (their last statement was the LISTEN)."""
    with runtime.engine.connect() as conn:
        channel = conn.execute(text(f"SELECT {WAKEUP_CHANNEL_SQL}")).scalar()
        return list(conn.execute(text("SELECT pid FROM pg_stat_activity WHERE query = :listen"),
                                 {"listen": f'LISTEN "{channel}"'}).scalars())


def terminate(runtime, pid: int) -> None:
    with runtime.engine.connect() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()


def delivered_ids(amqp_url: str, taken: list) -> set[str]:
    taken.extend(drain_queue(amqp_url, QUEUE.name))
    return {m.properties["message_id"] for m in taken}


@contextmanager
def listening(runtime):
    """A RelayWakeup on its own thread, connected; (listener, its wake event). Stopped and joined after."""
    wake, stop = threading.Event(), threading.Event()
    listener = RelayWakeup(runtime.engine, wake, reconnect_seconds=0.2)
    thread = threading.Thread(target=listener.run_until, args=(stop,), daemon=True)
    thread.start()
    try:
        assert listener.listening.wait(10), "the listener did not connect"
        yield listener, wake
    finally:
        stop.set()
        thread.join(5)
    assert not thread.is_alive()


def test_a_commit_elsewhere_wakes_the_listener_and_a_rollback_does_not(site_settings):
    relay_side, writer = make_runtime(site_settings), make_runtime(site_settings)
    with listening(relay_side) as (listener, wake):
        assert wake.is_set(), "a (re)connection wakes the relay once, for what committed meanwhile"
        wake.clear()

        with writer.uow() as uow:
            uow.record_events([statement_recorded()])
            uow.rollback()
        assert not wake.wait(1.0), "a rolled-back write must not wake the relay"

        write_events(writer, 2)
        assert wake.wait(10), "a commit in another connection did not wake the listener"

        (pid,) = listener_pids(relay_side)
        terminate(relay_side, pid)
        assert eventually(lambda: listener.connections == 2 and listener.listening.is_set(), timeout=15), \
            "the listener did not reconnect after its connection was terminated"
        assert listener_pids(relay_side) not in ([], [pid])
        wake.clear()
        write_events(writer, 1)
        assert wake.wait(10), "after reconnecting, a commit did not wake the listener"


def test_the_relay_publishes_another_process_commit_long_before_its_idle_poll(site_settings, amqp_url):
    declare(amqp_url)
    relay_side, writer = make_runtime(site_settings), make_runtime(site_settings)
    first = write_events(writer, 1)  # published by the relay's first run, which is not a wake-up
    workers = Workers()
    start_relay(relay_side, workers)
    taken: list = []
    try:
        assert eventually(lambda: set(first) <= delivered_ids(amqp_url, taken), timeout=15)
        assert eventually(lambda: len(listener_pids(relay_side)) == 1, timeout=10)
        # The relay's pass after the listener connected (its catch-up wake) finds nothing; then it idles.
        assert not workers.stop.wait(1.0)

        second = write_events(writer, 3)
        assert eventually(lambda: set(second) <= delivered_ids(amqp_url, taken), timeout=10), \
            f"not published within 10 s (the idle poll is {IDLE_POLL:.0f} s): the commit did not wake the relay"

        (pid,) = listener_pids(relay_side)
        terminate(relay_side, pid)
        assert eventually(lambda: listener_pids(relay_side) not in ([], [pid]), timeout=15), "no new listener"
        assert not workers.stop.wait(1.0)  # past the reconnection's catch-up pass
        third = write_events(writer, 2)
        assert eventually(lambda: set(third) <= delivered_ids(amqp_url, taken), timeout=10), \
            "after the listener's connection was terminated, a commit no longer woke the relay"
    finally:
        workers.shutdown()
    assert sorted(m.properties["message_id"] for m in taken) == sorted(first + second + third)


def wakeups_wanted(runtime) -> bool | None:
    with runtime.engine.connect() as conn:
        return conn.execute(select(outbox_wakeup.c.wanted)).scalar()


def test_writers_notify_only_while_the_relay_asks_for_it(site_settings):
    relay_side, writer = make_runtime(site_settings), make_runtime(site_settings)
    assert wakeups_wanted(relay_side) is None, "no relay listens yet: nobody asks"
    with listening(relay_side) as (listener, wake):
        assert wakeups_wanted(relay_side) is True, "a listener that connects asks for wake-ups"
        wake.clear()

        listener.want(False)  # as the relay does while it polls a stream of writes
        write_events(writer, 2)
        assert not wake.wait(1.0), "a writer notified although the relay did not ask for it"
        assert listener.notifications == 0

        listener.want(True)
        write_events(writer, 1)
        assert wake.wait(10), "the relay asked for wake-ups again, but a commit did not wake it"
        assert listener.notifications == 1, "one notification per writing statement"


def test_a_busy_relay_stops_asking_for_wake_ups_and_asks_again_when_the_writes_stop(site_settings, amqp_url):
    declare(amqp_url)
    relay_side, writer = make_runtime(site_settings), make_runtime(site_settings)
    workers = Workers()
    start_relay(relay_side, workers)
    taken: list = []
    written: list[str] = []
    seen_busy = False
    try:
        assert eventually(lambda: wakeups_wanted(relay_side) is True, timeout=10)
        for _ in range(400):  # a write every ~2 ms (and its own round trips): the relay finds rows at each look
            written += write_events(writer, 1)
            seen_busy = seen_busy or wakeups_wanted(relay_side) is False
            workers.stop.wait(0.002)
        assert seen_busy, "under a stream of writes the relay kept asking for a NOTIFY per write"
        assert eventually(lambda: wakeups_wanted(relay_side) is True, timeout=5), \
            "the writes stopped, but the relay did not ask for wake-ups again"
        assert not workers.stop.wait(0.5)  # past its last look: it sleeps for its 30 s idle poll now
        last = write_events(writer, 1)
        assert eventually(lambda: set(written + last) <= delivered_ids(amqp_url, taken), timeout=10), \
            f"a write after the stream was not published within 10 s (the idle poll is {IDLE_POLL:.0f} s)"
    finally:
        workers.shutdown()
    assert sorted(m.properties["message_id"] for m in taken) == sorted(written + last)


def test_a_write_in_a_consumer_s_transaction_wakes_the_relay_when_it_commits(site_settings):
    relay_side, writer = make_runtime(site_settings), make_runtime(site_settings)
    with listening(relay_side) as (listener, wake):
        wake.clear()
        with writer.engine.connect() as conn:
            conn.begin()
            outbox.append(conn, writer.site_id, [statement_recorded()])  # as a joining unit of work does
            assert not wake.wait(0.5), "the relay was woken before the transaction committed"
            conn.commit()
        assert wake.wait(10), "a committed outbox.append did not wake the relay"
        assert listener.notifications == 1
