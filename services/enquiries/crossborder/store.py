"""The cross-border tables of a site (Alembic branch `enquiries_crossborder`).

- `enquiries_crossborder_part`: parts the hub forwarded to this site, keyed by the hub's part id, so a
  redelivered or replayed `hub.part.forwarded` can never create a part twice. Reasons, impact figures,
  impact and failure are JSON (codes with parameters; amounts as decimal strings).
- `enquiries_crossborder_part_delivery`: the deliveries of an accepted part, each written once.
- `enquiries_crossborder_consortium`: the hub's latest picture of each of this site's own cross-border orders
  (a snapshot; the newest `aggregate_version` wins, so a late or replayed message changes nothing).
"""
from __future__ import annotations

from pathlib import Path

from datetime import date

from sqlalchemy import (
    JSON, Boolean, Column, Connection, Date, ForeignKey, Index, Integer, RowMapping, String, Table, Text, select,
)

from services.common import projection
from services.common.db import Component, ExactDecimal, Page, UtcDateTime, dialect_insert, new_metadata, paged
from services.common.errors import NotFound
from services.enquiries.crossborder.model import RUNNING, ForwardedPart
from services.enquiries.crossborder.production import DeliveryLine, figures_as_json, figures_from_json

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
    Column("reason", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("note", Text),
    Column("answered_by", String(200)),
    Column("answered_at", UtcDateTime),
    Column("decline_reason", JSON),
    Column("withdrawal_reason", JSON),
    Column("started_at", UtcDateTime),
    Column("closed_at", UtcDateTime),
    Column("figures", JSON, nullable=False),
    Column("impact", JSON),
    Column("failure", JSON),
    Column("failure_note", Text),
    Column("received_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_enquiries_crossborder_part_status", "status", "received_at"),
    Index("ix_enquiries_crossborder_part_organisation", "organisation_id", "received_at"),
)

delivery = Table(  # keyed within its part: a delivery id may be chosen by the caller (a retry key)
    "enquiries_crossborder_part_delivery", metadata,
    Column("part_id", String(36), ForeignKey(part.c.id), primary_key=True),
    Column("id", String(36), primary_key=True),
    Column("quantity", Integer, nullable=False),
    Column("delivered_on", Date, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
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

_FIELDS = [c.name for c in part.columns if c.name not in ("version", "figures")]
_DELIVERY_FIELDS = [c.name for c in delivery.columns if c.name != "part_id"]


def add_part(conn: Connection, p: ForwardedPart) -> bool:
    """Insert a forwarded part unless it exists. False for a part seen before (a duplicate delivery)."""
    stmt = (dialect_insert(conn, part).values(**_row(p))
            .on_conflict_do_nothing(index_elements=[part.c.id]).returning(part.c.id))
    return conn.execute(stmt).first() is not None


def save_part(conn: Connection, p: ForwardedPart) -> None:
    """The part's state, and its deliveries not yet written (a delivery is never changed)."""
    conn.execute(part.update().where(part.c.id == p.id).values(**_row(p)))
    if p.deliveries:
        rows = [{"part_id": p.id, **{name: getattr(d, name) for name in _DELIVERY_FIELDS}} for d in p.deliveries]
        conn.execute(dialect_insert(conn, delivery).values(rows).on_conflict_do_nothing(
            index_elements=[delivery.c.part_id, delivery.c.id]))


def load_part(conn: Connection, part_id: str, lock: bool = False) -> ForwardedPart:
    query = select(part).where(part.c.id == str(part_id))
    row = conn.execute(query.with_for_update() if lock else query).mappings().first()
    if row is None:
        raise NotFound(f"no forwarded part {part_id}")
    return _with_deliveries(conn, [_part(row)])[0]


def list_parts(conn: Connection, status: str | None, page: int, per_page: int,
               organisation_id: str | None = None) -> Page[ForwardedPart]:
    """Newest first; only `organisation_id`'s parts when it is given (a member's view)."""
    query = select(part)
    if status:
        query = query.where(part.c.status == status)
    if organisation_id is not None:
        query = query.where(part.c.organisation_id == str(organisation_id))
    found = paged(conn, query, (part.c.received_at.desc(), part.c.id), page, per_page, lambda row: _part(row._mapping))
    _with_deliveries(conn, found.items)
    return found


def overdue_part_ids(conn: Connection, today: date) -> list[str]:
    """Parts still running (accepted or in production) whose deadline is before today."""
    query = select(part.c.id).where(part.c.status.in_(RUNNING), part.c.deadline < today).order_by(part.c.deadline)
    return list(conn.execute(query).scalars())


def save_consortium(conn: Connection, values: dict) -> bool:
    return projection.upsert_newer(conn, consortium, values)


def consortium_of(conn: Connection, enquiry_id: str) -> RowMapping | None:
    query = select(consortium).where(consortium.c.enquiry_id == str(enquiry_id)).order_by(consortium.c.updated_at.desc())
    return conn.execute(query).mappings().first()


def _row(p: ForwardedPart) -> dict:
    row = {name: getattr(p, name) for name in _FIELDS}
    row["version"], row["figures"] = p.version, figures_as_json(p.figures)
    return row


def _part(row) -> ForwardedPart:
    return ForwardedPart(**{name: row[name] for name in _FIELDS}, figures=figures_from_json(row["figures"]),
                         version=row["version"])


def _with_deliveries(conn: Connection, parts: list[ForwardedPart]) -> list[ForwardedPart]:
    """The parts, each with its deliveries in the order they were recorded (one query for all)."""
    by_id = {p.id: p for p in parts}
    if by_id:
        query = select(delivery).where(delivery.c.part_id.in_(by_id)).order_by(delivery.c.recorded_at, delivery.c.id)
        for row in conn.execute(query).mappings():
            by_id[row["part_id"]].deliveries.append(DeliveryLine(**{name: row[name] for name in _DELIVERY_FIELDS}))
    return parts
