"""The cross-border tables of a site (Alembic branch `enquiries_crossborder`).

- `enquiries_crossborder_part`: parts the hub forwarded to this site, keyed by the hub's part id, so a
  redelivered or replayed `hub.part.forwarded` can never create a part twice.
- `enquiries_crossborder_consortium`: the hub's latest picture of each of this site's own cross-border orders
  (a snapshot; the newest `aggregate_version` wins, so a late or replayed message changes nothing).
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import (
    JSON, Boolean, Column, Connection, Date, Index, Integer, RowMapping, String, Table, Text, select,
)

from services.common import projection
from services.common.db import Component, ExactDecimal, Page, UtcDateTime, dialect_insert, new_metadata, paged
from services.common.errors import NotFound
from services.enquiries.crossborder.model import ForwardedPart

metadata = new_metadata()
COMPONENT = Component("enquiries_crossborder", metadata, Path(__file__).parent / "migrations" / "versions")

part = Table(
    "enquiries_crossborder_part", metadata,
    Column("id", String(36), primary_key=True),
    Column("order_id", String(36), nullable=False),
    Column("origin_site", String(8), nullable=False),
    Column("correlation_id", String(200), nullable=False),
    Column("forwarded_event_id", String(36), nullable=False),
    Column("enquiry_reference", String(64), nullable=False),
    Column("title", String(300), nullable=False),
    Column("type", String(32), nullable=False),
    Column("cpv_codes", JSON, nullable=False),
    Column("offer_id", String(36), nullable=False),
    Column("organisation_id", String(36), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit", String(50)),
    Column("unit_price", ExactDecimal(18, 4), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("deadline", Date, nullable=False),
    Column("delivery_nuts3", String(5)),
    Column("label_required", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("answer", Text),
    Column("answered_by", String(200)),
    Column("answered_at", UtcDateTime),
    Column("received_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_enquiries_crossborder_part_status", "status", "received_at"),
)

consortium = Table(
    "enquiries_crossborder_consortium", metadata,
    Column("id", String(36), primary_key=True),  # the hub's order id
    Column("enquiry_id", String(36), nullable=False, index=True),
    Column("aggregate_version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("snapshot", JSON, nullable=False),
    Column("correlation_id", String(200)),
    Column("updated_at", UtcDateTime, nullable=False),
)

_FIELDS = [c.name for c in part.columns if c.name != "version"]


def add_part(conn: Connection, p: ForwardedPart) -> bool:
    """Insert a forwarded part unless it exists. False for a part seen before (a duplicate delivery)."""
    stmt = (dialect_insert(conn, part).values(**_row(p))
            .on_conflict_do_nothing(index_elements=[part.c.id]).returning(part.c.id))
    return conn.execute(stmt).first() is not None


def save_part(conn: Connection, p: ForwardedPart) -> None:
    conn.execute(part.update().where(part.c.id == p.id).values(**_row(p)))


def load_part(conn: Connection, part_id: str, lock: bool = False) -> ForwardedPart:
    query = select(part).where(part.c.id == str(part_id))
    row = conn.execute(query.with_for_update() if lock else query).mappings().first()
    if row is None:
        raise NotFound(f"no forwarded part {part_id}")
    return _part(row)


def list_parts(conn: Connection, status: str | None, page: int, per_page: int) -> Page[ForwardedPart]:
    query = select(part)
    if status:
        query = query.where(part.c.status == status)
    return paged(conn, query, (part.c.received_at.desc(), part.c.id), page, per_page, lambda row: _part(row._mapping))


def save_consortium(conn: Connection, values: dict) -> bool:
    return projection.upsert_newer(conn, consortium, values)


def consortium_of(conn: Connection, enquiry_id: str) -> RowMapping | None:
    query = select(consortium).where(consortium.c.enquiry_id == str(enquiry_id)).order_by(consortium.c.updated_at.desc())
    return conn.execute(query).mappings().first()


def _row(p: ForwardedPart) -> dict:
    row = {name: getattr(p, name) for name in _FIELDS}
    row["version"] = p.version
    return row


def _part(row) -> ForwardedPart:
    return ForwardedPart(**{name: row[name] for name in _FIELDS}, version=row["version"])
