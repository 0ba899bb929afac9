"""The transactional outbox: events are rows written in the same transaction as the state they describe.

Rows are written without a `seq`. The relay (services/sync/relay.py) gives each row its place in its
stream only after the row has committed, so `seq` follows commit order, never insert order.
Once sequenced, a row holds its signed envelope; the outbox doubles as the site's notification log,
served page by page by the pull feed.
"""
from __future__ import annotations

import uuid

from sqlalchemy import (
    JSON, BigInteger, Column, Connection, DateTime, Index, Integer, String, Table, Text, UniqueConstraint, insert, text,
)

from services.common.clock import utcnow
from services.common.db import BigId, kernel_metadata
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


def stream_name(site_id: str, type_name: str, to: str | None = None) -> str:
    """`<site>/<service>` for facts. Directed messages get a stream per target, `<site>/<service>_to_<target>`,
    so the target sees a gap-free sequence of its own messages and never another site's."""
    service = service_of(type_name)
    return f"{site_id}/{service}_to_{to.lower()}" if to else f"{site_id}/{service}"


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
    if not recorded:
        return []
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
    conn.execute(insert(outbox), rows)
    return [r["event_id"] for r in rows]
