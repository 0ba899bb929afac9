"""The hub's cross-border orders and the parts it forwarded to sites (issue: consortium matching).

Unlike the consolidated tables, these are the hub's own state: an order is created from a site's
`enquiries.enquiry.cross_border_requested`, its parts from the hub's allocation. Part rows also hold
capacity: a part that is forwarded, accepted or in production counts what it has still to deliver
against its offer in every later allocation, in the same transaction that creates it, so a crash
mid-allocation never double-counts capacity.

Reasons are codes with parameters (services.contracts.reasons), never sentences: a part's `reason`,
`answer` and `failure`, the allocation rounds' shortfalls, the timeline's `code` and `params`.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON, Boolean, Column, Connection, Date, ForeignKey, Index, Integer, RowMapping, String, Table, Text,
    UniqueConstraint, func, insert, or_, select, update,
)

from services.common.db import BigId, ExactDecimal, UtcDateTime, is_postgres
from services.common.errors import Invalid
from services.common.keyset import Cursor, KeysetPage, encode_cursor
from services.hub.register import tallies
from services.hub.rows import SITE, UUID_STR, metadata

MONEY = ExactDecimal(18, 4)

FORWARDED, ACCEPTED, DECLINED, WITHDRAWN = "forwarded", "accepted", "declined", "withdrawn"
IN_PRODUCTION, DELIVERED, FAILED = "in_production", "delivered", "failed"
ACTIVE_PARTS = (FORWARDED, ACCEPTED, IN_PRODUCTION)  # parts still to deliver: they hold capacity
COMMITTED_PARTS = (ACCEPTED, IN_PRODUCTION, DELIVERED)  # parts their site agreed to
ORDER_FORWARDED, ORDER_AGREED, ORDER_SHORT, ORDER_CANCELLED = "forwarded", "agreed", "short", "cancelled"
ORDER_IN_PRODUCTION, ORDER_DELIVERED = "in_production", "delivered"

hub_crossborder_orders = Table(
    "hub_crossborder_orders",
    metadata,
    Column("id", UUID_STR, primary_key=True),
    Column("origin_site", SITE, nullable=False),
    Column("enquiry_id", UUID_STR, nullable=False),
    Column("correlation_id", String(200), nullable=False),
    Column("reference", String(64), nullable=False),
    Column("title", String(300), nullable=False),
    Column("type", String(32), nullable=False),
    Column("client_kind", String(32), nullable=False),
    Column("cpv_codes", JSON, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit", String(50)),
    Column("deadline", Date, nullable=False),
    Column("delivery_nuts3", String(5)),
    Column("budget", MONEY),
    Column("currency", String(3), nullable=False),
    Column("label_required", Boolean, nullable=False),
    Column("max_partners", Integer, nullable=False),
    Column("min_lot", Integer, nullable=False),
    Column("sites", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    # {"rounds": [every allocation: cause, method, status, gap, shares, shortfalls]} and "failures": the
    # shortfalls failed parts left that could not be re-allocated (each with its cause)
    Column("allocation", JSON, nullable=False),
    Column("agreed_at", UtcDateTime),  # when the consortium was first agreed (hub.consortium.agreed went out)
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("origin_site", "enquiry_id"),
    Index("ix_hub_crossborder_orders_status", "status"),
)
# The list's order, newest first (`list_orders`; migration 0011).
Index("ix_hub_crossborder_orders_listing", hub_crossborder_orders.c.created_at.desc(), hub_crossborder_orders.c.id)

hub_crossborder_parts = Table(
    "hub_crossborder_parts",
    metadata,
    Column("id", UUID_STR, primary_key=True),
    Column("order_id", UUID_STR, ForeignKey("hub_crossborder_orders.id"), nullable=False),
    Column("site", SITE, nullable=False),
    Column("organisation_id", UUID_STR, nullable=False),
    Column("offer_id", UUID_STR, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", MONEY, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("unit_cost_eur", MONEY, nullable=False),
    Column("reason", JSON, nullable=False),  # {"code", "params"}; a plain string in rows older than codes
    Column("status", String(16), nullable=False),
    Column("answer", JSON),  # a decline's {"code", "params"}
    Column("note", Text),  # what the target site's broker wrote with the answer
    Column("version", Integer, nullable=False),
    Column("forwarded_at", UtcDateTime, nullable=False),
    Column("answered_at", UtcDateTime),
    # the part's production and delivery as its site last reported it (the newest progress_version wins)
    Column("delivered", Integer, nullable=False, server_default="0"),
    Column("deliveries", JSON),  # [{"delivery_id", "quantity", "delivered_on"}]
    Column("failure", JSON),  # {"code": se_withdrew | delivered_short | deadline_missed, "params"}
    Column("impact", JSON),  # the part's impact as its site recorded it (decimals as strings)
    Column("progress_version", Integer),
    Column("progressed_at", UtcDateTime),
    Index("ix_hub_crossborder_parts_offer_status", "offer_id", "status"),
    Index("ix_hub_crossborder_parts_order", "order_id"),
)


hub_crossborder_timeline = Table(
    "hub_crossborder_timeline",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("order_id", UUID_STR, ForeignKey("hub_crossborder_orders.id"), nullable=False),
    Column("at", UtcDateTime, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("part_id", UUID_STR),
    Column("site", SITE),
    Column("quantity", Integer),
    Column("code", String(64)),
    Column("params", JSON, nullable=False),
    Column("event_id", UUID_STR, nullable=False),  # the incoming event that caused the step
    Index("ix_hub_crossborder_timeline_order", "order_id", "id"),
)


def order_for_enquiry(conn: Connection, site: str, enquiry_id: str) -> RowMapping | None:
    o = hub_crossborder_orders
    return conn.execute(select(o).where(o.c.origin_site == site, o.c.enquiry_id == enquiry_id)).mappings().first()


def order(conn: Connection, order_id: str, lock: bool = False) -> RowMapping | None:
    query = select(hub_crossborder_orders).where(hub_crossborder_orders.c.id == order_id)
    return conn.execute(query.with_for_update() if lock else query).mappings().first()


def parts(conn: Connection, order_id: str) -> list[RowMapping]:
    p = hub_crossborder_parts
    return list(conn.execute(select(p).where(p.c.order_id == order_id).order_by(p.c.forwarded_at, p.c.id)).mappings())


def part(conn: Connection, part_id: str, lock: bool = False) -> RowMapping | None:
    query = select(hub_crossborder_parts).where(hub_crossborder_parts.c.id == part_id)
    return conn.execute(query.with_for_update() if lock else query).mappings().first()


def add_order(conn: Connection, row: dict) -> None:
    conn.execute(insert(hub_crossborder_orders).values(**row))


def add_parts(conn: Connection, rows: list[dict]) -> None:
    if rows:
        conn.execute(insert(hub_crossborder_parts), rows)


def update_order(conn: Connection, order_id: str, **values) -> None:
    conn.execute(update(hub_crossborder_orders).where(hub_crossborder_orders.c.id == order_id).values(**values))


def update_part(conn: Connection, part_id: str, **values) -> None:
    conn.execute(update(hub_crossborder_parts).where(hub_crossborder_parts.c.id == part_id).values(**values))


def lock_allocations(conn: Connection) -> None:
    """Serialize allocations until the transaction ends: an allocation reads the capacity that parts
    hold and then adds parts, so two at once (the bus consumer and the reconciler, or two ingest
    processes) would both count the same free capacity (tests/faults/test_consortium_crash.py).
    SQLite (the embedded mode) has one writer at a time anyway."""
    if is_postgres(conn):
        key = func.hashtext(func.current_schema() + ":sopro.hub.allocation")  # per schema, like the relay's
        conn.execute(select(func.pg_advisory_xact_lock(key)))


def held_by_parts(conn: Connection, offer_ids: list[str]) -> dict[str, int]:
    """Units of each offer that parts still to deliver (of any order) hold: what they have not delivered
    yet. A delivered or failed part holds nothing."""
    if not offer_ids:
        return {}
    p = hub_crossborder_parts
    rows = conn.execute(
        select(p.c.offer_id, func.sum(p.c.quantity - p.c.delivered))
        .where(p.c.offer_id.in_(offer_ids), p.c.status.in_(ACTIVE_PARTS))
        .group_by(p.c.offer_id)
    )
    return {offer_id: int(total) for offer_id, total in rows}


def list_orders(conn: Connection, page: int, per_page: int, status: str | None = None,
                site: str | None = None, after: tuple | None = None) -> KeysetPage[RowMapping]:
    """Orders newest first (ties by id), after the cursor `after` (the `next` of the page before: the order's
    creation in ISO 8601 and its id) along `ix_hub_crossborder_orders_listing`, or page `page` by OFFSET.
    The total comes from the tally of orders per origin site and status (migration 0011)."""
    o = hub_crossborder_orders
    query = select(o)
    if status:
        query = query.where(o.c.status == status)
    if site:
        query = query.where(o.c.origin_site == site)
    query = query.order_by(o.c.created_at.desc(), o.c.id).limit(per_page + 1)
    if after is not None:
        at, key = _read_order_cursor(after)
        # `<= at` is the index range; the rest skips the orders of the cursor's own instant up to its own
        query = query.where(o.c.created_at <= at, or_(o.c.created_at < at, o.c.id > key))
    elif page > 1:
        query = query.offset((page - 1) * per_page)
    rows = list(conn.execute(query).mappings())
    more, rows = len(rows) > per_page, rows[:per_page]
    following = encode_cursor([rows[-1]["created_at"].isoformat(), rows[-1]["id"]]) if more else None
    return KeysetPage(rows, page, per_page, tallies.crossborder_orders(conn, site, status), following)


def _read_order_cursor(after: tuple) -> tuple[datetime, str]:
    not_ours = Invalid("the cursor is not one of this list", {"after": [Cursor.default_error_messages["invalid_cursor"]]})
    if len(after) != 2 or not all(isinstance(v, str) for v in after):
        raise not_ours
    try:
        return datetime.fromisoformat(after[0]), after[1]
    except ValueError:
        raise not_ours from None


def all_orders(conn: Connection, since: datetime | None = None) -> list[RowMapping]:
    query = select(hub_crossborder_orders).order_by(hub_crossborder_orders.c.created_at, hub_crossborder_orders.c.id)
    if since is not None:
        query = query.where(hub_crossborder_orders.c.updated_at >= since)
    return list(conn.execute(query).mappings())


def add_timeline(conn: Connection, rows: list[dict]) -> None:
    if rows:
        conn.execute(insert(hub_crossborder_timeline), rows)


def timeline(conn: Connection, order_id: str) -> list[RowMapping]:
    """An order's steps, oldest first: request, allocation rounds, forwards, answers, production,
    deliveries, failures and what came of them, shortfalls, agreement, delivery, cancellation."""
    t = hub_crossborder_timeline
    return list(conn.execute(select(t).where(t.c.order_id == order_id).order_by(t.c.id)).mappings())
