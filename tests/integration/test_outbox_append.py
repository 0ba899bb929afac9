"""On PostgreSQL a unit of work sends its outbox rows and its COMMIT in one message (outbox.write_and_commit).

The messages are read from libpq's own trace of the connection: what the client sent, not what the code
meant to send. A failed append must commit nothing of the transaction, and leave the connection usable.
"""
from __future__ import annotations

import tempfile
from dataclasses import replace
from contextlib import contextmanager

import pytest
from psycopg.pq import Trace
from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import IntegrityError, OperationalError

from services.common import outbox
from tests.support.sync import make_runtime, probe_applied, statement_recorded, write_events

pytestmark = pytest.mark.services


@pytest.fixture
def site(make_settings, pg_schema_url):
    return make_runtime(make_settings("AT12", db_url=pg_schema_url("site")))


@contextmanager
def sent_messages(conn: Connection):
    """The frontend messages libpq sends on `conn` inside the block: [(message type, text)]."""
    pgconn = conn.connection.driver_connection.pgconn
    sent: list[tuple[str, str]] = []
    with tempfile.TemporaryFile("w+") as trace:
        pgconn.trace(trace.fileno())
        pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS)
        try:
            yield sent
        finally:
            pgconn.untrace()
        trace.seek(0)
        for line in trace:
            direction, _length, kind, *text = line.rstrip("\n").split("\t")
            if direction == "F":
                sent.append((kind, "\t".join(text).strip()))


def counts(conn: Connection) -> tuple[int, int]:
    return (conn.execute(select(func.count()).select_from(outbox.outbox)).scalar(),
            conn.execute(select(func.count()).select_from(probe_applied)).scalar())


def test_the_rows_and_the_commit_go_in_one_message(site):
    with site.uow() as uow:
        uow.conn.execute(insert(probe_applied).values(event_id="probe", seq=1, count=1))
        uow.record_events([statement_recorded(), statement_recorded()])
        with sent_messages(uow.conn) as sent:
            uow.commit()
    assert [kind for kind, _ in sent] == ["Query"], f"one message for the rows and the COMMIT, sent {sent}"
    assert sent[0][1].startswith('"SELECT outbox_append(') and sent[0][1].endswith('; COMMIT"')
    with site.engine.connect() as conn:
        assert counts(conn) == (2, 1), "both rows and the use case's own row committed"


def test_a_failed_append_commits_nothing_and_the_connection_goes_on(site):
    (taken,) = write_events(site, 1)
    with site.engine.connect() as conn:
        conn.begin()
        conn.execute(insert(probe_applied).values(event_id="probe", seq=1, count=1))
        rows = outbox.rows_of(site.site_id, [statement_recorded(), statement_recorded()])
        rows[1]["event_id"] = taken  # an event id the outbox already holds
        with pytest.raises(IntegrityError, match="uq_outbox_event_id"):
            outbox.write_and_commit(conn, rows)
        conn.rollback()
        assert counts(conn) == (1, 0), "a failed append committed part of its transaction"

        outbox.write_and_commit(conn, outbox.rows_of(site.site_id, [statement_recorded()]))
        assert counts(conn) == (2, 0)


def test_rows_keep_the_order_in_which_they_were_recorded(site):
    recorded = [statement_recorded() for _ in range(5)]
    with site.uow() as uow:
        uow.record_events(recorded)
        uow.commit()
    with site.engine.connect() as conn:
        ids = list(conn.execute(select(outbox.outbox.c.aggregate_id).order_by(outbox.outbox.c.id)).scalars())
    assert ids == [r.aggregate_id for r in recorded]


def test_a_lost_database_is_told_apart_from_a_refused_append(site):
    """Consumers redeliver a batch whose database went away, and dead-letter one whose statement was
    refused: the append's errors must be SQLAlchemy's, as every other statement's are."""
    with site.engine.connect() as conn:
        conn.begin()
        pid = conn.execute(select(func.pg_backend_pid())).scalar()
        with site.engine.connect() as other:
            assert other.execute(select(func.pg_terminate_backend(pid))).scalar()
        with pytest.raises(OperationalError) as raised:
            outbox.write_and_commit(conn, outbox.rows_of(site.site_id, [statement_recorded()]))
        assert raised.value.connection_invalidated
        assert conn.invalidated
    with site.engine.connect() as conn:
        assert counts(conn) == (0, 0)


def test_any_text_in_an_event_arrives_as_it_was_written(site):
    """The rows travel as a quoted literal in the message: quotes, backslashes, escapes and any script
    must come out of the outbox exactly as the event held them."""
    recorded = statement_recorded()
    hostile = "O'Brien \\ \"quoted\" \\u0041 '); COMMIT; DROP TABLE outbox; -- Győr ő ű 🌍 %s {}"
    evt = replace(recorded.event, organisation_kind=hostile)
    with site.uow() as uow:
        uow.record_events([replace(recorded, event=evt)])
        uow.commit()
    with site.engine.connect() as conn:
        (data,) = conn.execute(select(outbox.outbox.c.data)).scalars()
    assert data["organisation_kind"] == hostile
