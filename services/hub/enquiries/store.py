"""The hub's consolidated brokerage: every site's enquiries, agreements and impact records, as the
latest event of each aggregate described them (the enquiries service's event contract).

Rows follow the rules of `store`: keyed by (site, id) from the envelope, newest `aggregate_version`
wins (`payload_rows.write_snapshots`), stale and replayed events change nothing. Every enquiry event is a full
snapshot, so there are no tombstones here.

No personal data: a client appears only as its kind and organisation id, as the events carry it, and an
enquiry's title is the site's public one (its broker's approved version, or its reference and CPV
codes), never the client's own words.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Boolean, Column, Connection, Date, DateTime, ForeignKeyConstraint, Index, Integer, JSON, Numeric,
    PrimaryKeyConstraint, RowMapping, String, Table, and_, exists, func, not_, or_, select, tuple_,
)

from services.common.db import starting_with
from services.common.errors import Invalid
from services.common.keyset import Cursor, KeysetPage, encode_cursor
from services.hub.rows import (
    MONEY, QUANTITY, SITE, UUID_STR, bookkeeping_columns, metadata, replace_codes, tally_count,
)

SHARE = Numeric(7, 4)  # a 0..1 share

hub_enquiries = Table(
    "hub_enquiries",
    metadata,
    *bookkeeping_columns(),
    Column("reference", String(64), nullable=False),
    Column("type", String(32), nullable=False),
    Column("state", String(32), nullable=False),
    Column("client_kind", String(32), nullable=False),
    Column("client_organisation_id", UUID_STR),
    Column("title", String(300), nullable=False),
    Column("cpv_codes", JSON, nullable=False),
    Column("quantity", QUANTITY),
    Column("unit", String(50)),
    Column("deadline", Date),
    Column("delivery_nuts3", String(5)),
    Column("budget", MONEY),
    Column("currency", String(3), nullable=False),
    Column("label_required", Boolean, nullable=False),
    Column("cross_border_allowed", Boolean, nullable=False),
    Column("cross_border_flagged", Boolean, nullable=False),
    Column("submitted_at", DateTime(timezone=True)),
    # The UTC year of submission, written with the row: "enquiries of 2026" is then an indexed equality
    # on SQLite and PostgreSQL alike.
    Column("submitted_year", Integer),
    PrimaryKeyConstraint("site", "id"),
    Index("ix_hub_enquiries_site_state", "site", "state"),
    Index("ix_hub_enquiries_submitted_year", "submitted_year"),
)

# Enquiries per site, state and type: the list's total under those filters. Kept by triggers (migration 0010),
# read with the other tallies in services/hub/register/tallies.py.
hub_tally_enquiries = Table(
    "hub_tally_enquiries", metadata,
    Column("site", SITE, nullable=False), Column("state", String(32), nullable=False),
    Column("type", String(32), nullable=False), tally_count("enquiries"),
    PrimaryKeyConstraint("site", "state", "type"),
)

# The listing's submitted rows, newest first (`list_enquiries`; migration 0011).
Index("ix_hub_enquiries_listing", hub_enquiries.c.submitted_at.desc(), hub_enquiries.c.site, hub_enquiries.c.reference,
      hub_enquiries.c.id)

# One row per CPV code of an enquiry, as for offers: a prefix search is an indexed LIKE.
hub_enquiry_cpv = Table(
    "hub_enquiry_cpv",
    metadata,
    Column("site", SITE, nullable=False),
    Column("enquiry_id", UUID_STR, nullable=False),
    Column("cpv_code", String(8), nullable=False),
    PrimaryKeyConstraint("site", "enquiry_id", "cpv_code"),
    ForeignKeyConstraint(["site", "enquiry_id"], ["hub_enquiries.site", "hub_enquiries.id"], ondelete="CASCADE"),
    Index("ix_hub_enquiry_cpv_code", "cpv_code", postgresql_ops={"cpv_code": "varchar_pattern_ops"}),
)

# No foreign key to the enquiry: an agreement may arrive before its enquiry's snapshot (a gap being healed).
hub_agreements = Table(
    "hub_agreements",
    metadata,
    *bookkeeping_columns(),
    Column("enquiry_id", UUID_STR, nullable=False),
    Column("organisation_id", UUID_STR, nullable=False),
    Column("offer_id", UUID_STR),
    Column("quantity", QUANTITY, nullable=False),
    Column("unit", String(50), nullable=False),
    Column("price", MONEY, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("delivery_date", Date, nullable=False),
    Column("status", String(16), nullable=False),
    PrimaryKeyConstraint("site", "id"),
    Index("ix_hub_agreements_enquiry", "site", "enquiry_id"),
)

hub_impact = Table(
    "hub_impact",
    metadata,
    *bookkeeping_columns(),
    Column("agreement_id", UUID_STR, nullable=False),
    Column("enquiry_id", UUID_STR, nullable=False),
    Column("year", Integer, nullable=False),
    Column("value_paid", MONEY, nullable=False),
    Column("currency", String(3), nullable=False),
    Column("value_paid_eur", MONEY, nullable=False),
    Column("material_diverted_kg", QUANTITY),
    Column("regional_share", SHARE),
    Column("distance_km", QUANTITY),
    Column("production_nuts3", String(5)),
    Column("integration_hours", QUANTITY),
    PrimaryKeyConstraint("site", "id"),
    Index("ix_hub_impact_site_year", "site", "year"),
    Index("ix_hub_impact_enquiry", "site", "enquiry_id"),
)


def replace_enquiry_cpv_codes(conn: Connection, owners: list[tuple[str, str, list[str]]]) -> None:
    """Each (site, enquiry id, codes) gets exactly its CPV code rows (a batch's in two statements)."""
    replace_codes(conn, hub_enquiry_cpv, hub_enquiry_cpv.c.enquiry_id, owners)


# --- queries of the consolidated API -----------------------------------------------------------------

@dataclass(frozen=True)
class EnquiryFilters:
    """What an agency analyst narrows the enquiries by. Empty fields do not filter."""

    site: str | None = None
    state: str | None = None
    type: str | None = None
    cpv: str | None = None  # CPV prefix: an enquiry with any code starting with it matches
    year: int | None = None  # UTC year of submission
    cross_border_flagged: bool | None = None


def _narrowed(filters: EnquiryFilters):
    enq = hub_enquiries
    query = select(enq)
    if filters.site:
        query = query.where(enq.c.site == filters.site)
    if filters.state:
        query = query.where(enq.c.state == filters.state)
    if filters.type:
        query = query.where(enq.c.type == filters.type)
    if filters.year is not None:
        query = query.where(enq.c.submitted_year == filters.year)
    if filters.cross_border_flagged is not None:  # flagged counts only where the client allowed cross-border work
        sought = and_(enq.c.cross_border_flagged, enq.c.cross_border_allowed)
        query = query.where(sought if filters.cross_border_flagged else not_(sought))
    if filters.cpv:
        query = query.where(exists().where(
            hub_enquiry_cpv.c.site == enq.c.site, hub_enquiry_cpv.c.enquiry_id == enq.c.id,
            starting_with(hub_enquiry_cpv.c.cpv_code, filters.cpv),
        ))
    return query


# Newest submissions first, ties by (site, reference, id) ascending, never-submitted ones last (NULLS LAST
# spelled out: PostgreSQL and SQLite default differently).
LISTING_ORDER = (hub_enquiries.c.submitted_at.desc().nulls_last(), hub_enquiries.c.site, hub_enquiries.c.reference,
                 hub_enquiries.c.id)
# A cursor page walks the submitted ones along `ix_hub_enquiries_listing` (migration 0011; the same order
# without the NULLs, which an index on both dialects has), then the never-submitted ones (at the hub only
# in tests and from sites that predate `submitted_at`).
_SUBMITTED_ORDER = (hub_enquiries.c.submitted_at.desc(), hub_enquiries.c.site, hub_enquiries.c.reference,
                    hub_enquiries.c.id)
_UNSUBMITTED_ORDER = (hub_enquiries.c.site, hub_enquiries.c.reference, hub_enquiries.c.id)


def enquiry_cursor(row) -> str:
    """The cursor naming `row`'s place in the listing: its submission (ISO 8601, '' when never submitted),
    site, reference and id."""
    submitted = row["submitted_at"]
    return encode_cursor([submitted.isoformat() if submitted else "", row["site"], row["reference"], row["id"]])


def _not_ours() -> Invalid:
    return Invalid("the cursor is not one of this list", {"after": [Cursor.default_error_messages["invalid_cursor"]]})


def _read_cursor(after: tuple) -> tuple[datetime | None, tuple]:
    if len(after) != 4 or not all(isinstance(v, str) for v in after):
        raise _not_ours()
    try:
        return (datetime.fromisoformat(after[0]) if after[0] else None), tuple(after[1:])
    except ValueError:
        raise _not_ours() from None


def _keyset_rows(conn: Connection, query, after: tuple | None, wanted: int) -> list:
    enq = hub_enquiries
    rest = tuple_(enq.c.site, enq.c.reference, enq.c.id)
    at, key = _read_cursor(after) if after is not None else (None, None)
    rows = []
    if after is None or at is not None:
        submitted = query.where(enq.c.submitted_at.is_not(None))
        if at is not None:  # `<= at` is the index range; the rest filters the cursor's own instant
            submitted = submitted.where(enq.c.submitted_at <= at, or_(enq.c.submitted_at < at, rest > tuple_(*key)))
        rows = list(conn.execute(submitted.order_by(*_SUBMITTED_ORDER).limit(wanted)).mappings())
    if len(rows) < wanted:
        unsubmitted = query.where(enq.c.submitted_at.is_(None))
        if after is not None and at is None:
            unsubmitted = unsubmitted.where(rest > tuple_(*key))
        rows += conn.execute(unsubmitted.order_by(*_UNSUBMITTED_ORDER).limit(wanted - len(rows))).mappings()
    return rows


def list_enquiries(conn: Connection, filters: EnquiryFilters, page: int, per_page: int,
                   after: tuple | None = None) -> KeysetPage:
    """A page of the enquiries in `LISTING_ORDER`: after the cursor `after`, or page `page` by OFFSET.
    The total comes from the tally (migration 0010) under site, state and type filters, and is counted
    afresh (reading the matching rows) under a year, CPV or cross-border filter."""
    if after is None and page > 1:
        offset = _narrowed(filters).order_by(*LISTING_ORDER).limit(per_page + 1).offset((page - 1) * per_page)
        rows = list(conn.execute(offset).mappings())
    else:
        rows = _keyset_rows(conn, _narrowed(filters), after, per_page + 1)
    more, rows = len(rows) > per_page, rows[:per_page]
    return KeysetPage(rows, page, per_page, _total(conn, filters), enquiry_cursor(rows[-1]) if more else None)


def _total(conn: Connection, filters: EnquiryFilters) -> int:
    if filters.year is None and filters.cpv is None and filters.cross_border_flagged is None:
        t = hub_tally_enquiries
        query = select(func.coalesce(func.sum(t.c.enquiries), 0))
        for column, value in ((t.c.site, filters.site), (t.c.state, filters.state), (t.c.type, filters.type)):
            if value:
                query = query.where(column == value)
        return int(conn.execute(query).scalar_one())
    return conn.execute(select(func.count()).select_from(_narrowed(filters).subquery())).scalar_one()


def get_enquiry(conn: Connection, enquiry_id: str) -> RowMapping | None:
    """The enquiry with that id (ids are UUIDs; the first site wins should two claim one)."""
    enq = hub_enquiries
    return conn.execute(select(enq).where(enq.c.id == enquiry_id).order_by(enq.c.site).limit(1)).mappings().first()


def agreements_of(conn: Connection, site: str, enquiry_id: str) -> list[RowMapping]:
    ag = hub_agreements
    query = select(ag).where(ag.c.site == site, ag.c.enquiry_id == enquiry_id).order_by(ag.c.delivery_date, ag.c.id)
    return list(conn.execute(query).mappings())


def impact_of(conn: Connection, site: str, enquiry_id: str) -> list[RowMapping]:
    im = hub_impact
    query = select(im).where(im.c.site == site, im.c.enquiry_id == enquiry_id).order_by(im.c.year, im.c.id)
    return list(conn.execute(query).mappings())
