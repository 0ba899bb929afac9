"""The transactional outbox: events are rows written in the same transaction as the state they describe.

Rows are written without a `seq`. The relay (services/sync/relay.py) gives each row its place in its
stream only after the row has committed, so `seq` follows commit order, never insert order.
Once sequenced, a row holds its signed envelope; the outbox doubles as the site's notification log,
served page by page by the pull feed.

On PostgreSQL the rows are written by one function, `outbox_append` (kernel migration 0008), which
also signals the relay: it calls `pg_notify` on the schema's wake-up channel, which PostgreSQL delivers
only when (and if) the transaction commits, so a relay in another process
(services/sync/relay_wakeup.py) wakes at once instead of at its next poll. It does so only while the
relay asks for it (`outbox_wakeup`): a relay busy with a stream of writes polls every few milliseconds
and needs no wake-up, and a NOTIFY wakes the listener's backend and process for every write.
A unit of work sends its rows and its COMMIT in one message (`write_and_commit`).
SQLite (one process) keeps the in-process commit hook of the unit of work.
"""
from __future__ import annotations

import json
import uuid
from contextlib import contextmanager
from typing import Iterator

import psycopg
from psycopg import sql
from sqlalchemy import (
    JSON, BigInteger, Boolean, Column, Connection, DateTime, Index, Integer, String, Table, Text, UniqueConstraint, insert, text,
)
from sqlalchemy.exc import DBAPIError

from services.common.clock import utcnow
from services.common.db import BigId, is_postgres, kernel_metadata
from services.common.events import Recorded, service_of


outbox = Table(
    "outbox",
    kernel_metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("stream", String(64), nullable=False),
    Column("type", String(128), nullable=False),
    Column("version", Integer, nullable=False),
    Column("aggregate_id", String(200), nullable=False),
    Column("aggregate_version", Integer, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("correlation_id", String(200)),
    Column("causation_id", String(200)),
    Column("to_site", String(8)),
    Column("data", JSON, nullable=False),
    Column("seq", BigInteger),
    Column("envelope", Text),
    Column("published_at", DateTime(timezone=True)),
    UniqueConstraint("stream", "seq"),
    # The rows the relay has yet to handle (kernel migration 0009): per stream, the sequenced ones in seq
    # order, then the unsequenced ones (seq NULL sorts last) in id order. The relay sequences and publishes
    # from it; the feed finds the end of the published prefix in it.
    Index("ix_outbox_pending", "stream", "seq", "id",
          postgresql_where=text("published_at IS NULL"), sqlite_where=text("published_at IS NULL")),
)

outbox_stream = Table(
    "outbox_stream",
    kernel_metadata,
    Column("stream", String(64), primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
)

# Whether the relay asks writers to wake it: one row, written only by the relay's side
# (services/sync/relay_wakeup.py), read by outbox_append on PostgreSQL. No row: no relay listens.
# UNLOGGED on PostgreSQL (kernel migration 0007): the flag needs no WAL, and a crash empties it, which
# the relay's listener repairs when it connects again.
outbox_wakeup = Table(
    "outbox_wakeup",
    kernel_metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("wanted", Boolean, nullable=False),
)

_WANT_WAKEUPS = text("INSERT INTO outbox_wakeup (id, wanted) VALUES (1, :wanted) "
                     "ON CONFLICT (id) DO UPDATE SET wanted = excluded.wanted")


def want_wakeups(conn: Connection, wanted: bool) -> None:
    """Ask writers to NOTIFY the relay when they commit (`wanted`), or to spare it (PostgreSQL only)."""
    conn.execute(_WANT_WAKEUPS, {"wanted": wanted})


def stream_name(site_id: str, type_name: str, to: str | None = None) -> str:
    """`<site>/<service>` for facts. Directed messages get a stream per target, `<site>/<service>_to_<target>`,
    so the target sees a gap-free sequence of its own messages and never another site's."""
    service = service_of(type_name)
    return f"{site_id}/{service}_to_{to.lower()}" if to else f"{site_id}/{service}"


def rows_of(
    site_id: str,
    recorded: list[Recorded],
    *,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    to: str | None = None,
) -> list[dict]:
    """The outbox rows of recorded events, each with a new event id, not yet written."""
    now = utcnow()
    rows = []
    for rec in recorded:
        event_id = str(uuid.uuid4())
        rows.append(
            {
                "event_id": event_id,
                "stream": stream_name(site_id, rec.type, to),
                "type": rec.type,
                "version": rec.version,
                "aggregate_id": rec.aggregate_id,
                "aggregate_version": rec.aggregate_version,
                "occurred_at": now,
                # A chain starts with its first event: later events name it as their correlation.
                "correlation_id": correlation_id or event_id,
                "causation_id": causation_id,
                "to_site": to,
                "data": rec.data(),
            }
        )
    return rows


def append(
    conn: Connection,
    site_id: str,
    recorded: list[Recorded],
    *,
    correlation_id: str | None = None,
    causation_id: str | None = None,
    to: str | None = None,
) -> list[str]:
    """Write recorded events to the outbox in the caller's transaction. Returns their event ids."""
    rows = rows_of(site_id, recorded, correlation_id=correlation_id, causation_id=causation_id, to=to)
    write(conn, rows)
    return [r["event_id"] for r in rows]


def write(conn: Connection, rows: list[dict]) -> None:
    """Write outbox rows in the caller's transaction (on PostgreSQL outbox_append also wakes the relay)."""
    if not rows:
        return
    if is_postgres(conn):
        with _driver_cursor(conn) as cursor:
            cursor.execute(_APPEND, (_as_json(rows),))
    else:
        conn.execute(insert(outbox), rows)


def write_and_commit(conn: Connection, rows: list[dict]) -> None:
    """Write outbox rows as the last statement of the caller's transaction, and commit it.

    On PostgreSQL the rows and the COMMIT go in one simple query, `SELECT outbox_append('…'); COMMIT`:
    one round trip instead of two, and the function's INSERT is planned once per connection. (A prepared
    statement cannot share a message with the COMMIT outside psycopg's pipeline mode, and that mode
    costs more client time on loopback than the round trip takes.) If the append fails, PostgreSQL skips
    the COMMIT and the error leaves the transaction to roll back; if it succeeds, the driver has no
    transaction open any more, and the connection's commit below only closes SQLAlchemy's.
    """
    if rows and is_postgres(conn):
        with _driver_cursor(conn) as cursor:
            # Quoted by psycopg for this connection, as sql.Literal would be, without composing an SQL object
            # for each write (13 -> 3 us). With no parameters psycopg sends the text as it is: no placeholders.
            cursor.execute(f"SELECT outbox_append({sql.quote(_as_json(rows), cursor)}); COMMIT", prepare=False)
    else:
        write(conn, rows)
    conn.commit()


# The wake-up channel of the schema the rows are written to: sites sharing a database (one schema each)
# wake only their own relay. md5 keeps the name within PostgreSQL's 63 bytes whatever the schema's length.
# outbox_append (kernel migration 0008) computes the same name.
WAKEUP_CHANNEL_SQL = "'sopro_outbox_' || md5(current_schema())"

# outbox_append takes the rows as one JSON array, each with its `position` in it: ids follow the order in
# which the aggregates recorded their events.
_APPEND = "SELECT outbox_append(%s::json)"


@contextmanager
def _driver_cursor(conn: Connection) -> Iterator[psycopg.Cursor]:
    """psycopg's own cursor on `conn` (SQLAlchemy's execution costs about 30 µs more per statement), with
    its errors raised as SQLAlchemy raises them: callers tell a lost database (OperationalError, after
    which the connection is invalidated) from a refused statement (IntegrityError, ...) as everywhere."""
    try:
        with conn.connection.driver_connection.cursor() as cursor:
            yield cursor
    except psycopg.Error as exc:
        lost = conn.dialect.is_disconnect(exc, conn.connection.dbapi_connection, None)
        if lost:
            conn.invalidate(exc)
        raise DBAPIError.instance(None, None, exc, psycopg.Error, connection_invalidated=lost,
                                  dialect=conn.dialect) from exc


def _as_json(rows: list[dict]) -> str:
    return json.dumps([{**row, "occurred_at": row["occurred_at"].isoformat(), "position": position}
                       for position, row in enumerate(rows)])
