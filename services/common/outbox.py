"""The transactional outbox: events are rows written in the same transaction as the state they describe.

Rows are written without a `seq`. The relay (services/sync/relay.py) gives each row its place in its
stream only after the row has committed, so `seq` follows commit order, never insert order.
Once sequenced, a row holds its signed envelope; the outbox doubles as the site's notification log,
served page by page by the pull feed.

On PostgreSQL the rows are written by one prepared statement, and a statement trigger on the table
(kernel migration 0007) signals the relay: it calls `pg_notify` on the schema's wake-up channel, which
PostgreSQL delivers only when (and if) the transaction commits, so a relay in another process
(services/sync/relay_wakeup.py) wakes at once instead of at its next poll. It does so only while the
relay asks for it (`outbox_wakeup`): a relay busy with a stream of writes polls every few milliseconds
and needs no wake-up, and a NOTIFY wakes the listener's backend and process for every write.
SQLite (one process) keeps the in-process commit hook of the unit of work.
"""
from __future__ import annotations

import json
import uuid

from sqlalchemy import (
    JSON, BigInteger, Boolean, Column, Connection, DateTime, Index, Integer, String, Table, Text, UniqueConstraint, insert, text,
)

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
    Index("ix_outbox_unsequenced", "stream", "id",
          postgresql_where=text("seq IS NULL"), sqlite_where=text("seq IS NULL")),
    Index("ix_outbox_unpublished", "stream", "seq",
          postgresql_where=text("published_at IS NULL"), sqlite_where=text("published_at IS NULL")),
)

outbox_stream = Table(
    "outbox_stream",
    kernel_metadata,
    Column("stream", String(64), primary_key=True),
    Column("last_seq", BigInteger, nullable=False),
)

# Whether the relay asks writers to wake it: one row, written only by the relay's side
# (services/sync/relay_wakeup.py), read by the outbox's trigger on PostgreSQL. No row: no relay listens.
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
    """Write outbox rows in the caller's transaction (on PostgreSQL the table's trigger wakes the relay)."""
    if not rows:
        return
    if is_postgres(conn):
        with conn.connection.driver_connection.cursor() as cursor:
            cursor.execute(_INSERT, (_as_json(rows),))
    else:
        conn.execute(insert(outbox), rows)


def write_and_commit(conn: Connection, rows: list[dict]) -> None:
    """Write outbox rows as the last statement of the caller's transaction, and commit it.

    The rows are held back until here so that the statement that writes them is prepared once and
    takes every row of the transaction. (psycopg's pipeline mode would save the round trip, but on
    loopback it costs more client time than the round trip takes.)
    """
    write(conn, rows)
    conn.commit()


# The wake-up channel of the schema the rows are written to: sites sharing a database (one schema each)
# wake only their own relay. md5 keeps the name within PostgreSQL's 63 bytes whatever the schema's length.
# The trigger (kernel migration 0007) computes the same name from the table's schema.
WAKEUP_CHANNEL_SQL = "'sopro_outbox_' || md5(current_schema())"

_COLUMNS = ("event_id", "stream", "type", "version", "aggregate_id", "aggregate_version", "occurred_at",
            "correlation_id", "causation_id", "to_site", "data")

# One statement for any number of rows, always the same text, so psycopg prepares it once per connection
# and SQLAlchemy compiles nothing. The rows come as one JSON array and are inserted in its order
# (`position`: ids follow the order in which the aggregates recorded their events).
_INSERT = f"""
INSERT INTO outbox ({", ".join(_COLUMNS)})
SELECT {", ".join(f"r.{c}" for c in _COLUMNS)}
FROM json_to_recordset(%s::json) AS r(
    event_id varchar, stream varchar, type varchar, version integer, aggregate_id varchar,
    aggregate_version integer, occurred_at timestamptz, correlation_id varchar, causation_id varchar,
    to_site varchar, data json, position bigint)
ORDER BY r.position
"""


def _as_json(rows: list[dict]) -> str:
    return json.dumps([{**row, "occurred_at": row["occurred_at"].isoformat(), "position": position}
                       for position, row in enumerate(rows)])
