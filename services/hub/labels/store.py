"""The hub's network-wide label register: every site's labels, as the newest label event described them
(the label service's event contract: every event is a full snapshot of the label).

Rows follow the rules of `store`: keyed by (site, label id) from the envelope, newest
`aggregate_version` wins (`payload_rows.write_snapshots`), stale and replayed events change nothing.

A label number is unique across the federation (`SOPRO-<site>-<year>-<nnnn>`), so the table says so:
a second label claiming a number already held fails its event instead of shadowing the first.

The status a visitor sees is decided on the day of the question (`public_status`): a label whose
validity ended is expired even before its site's scheduled expiry has been published.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import (
    Column, Connection, Date, ForeignKeyConstraint, Index, Integer, JSON, PrimaryKeyConstraint, RowMapping,
    String, Table, Text, and_, exists, func, or_, select,
)

from services.common.db import containing, starting_with
from services.common.keyset import KeysetPage, keyset_page
from services.hub.rows import SITE, UUID_STR, bookkeeping_columns, metadata, replace_codes, tally_count

VALID, SUSPENDED, EXPIRED = "valid", "suspended", "expired"

hub_labels = Table(
    "hub_labels",
    metadata,
    *bookkeeping_columns(),  # `id` is the label id
    Column("number", String(40), nullable=False, unique=True),
    Column("holder_organisation_id", UUID_STR, nullable=False),
    Column("holder_name", String(200), nullable=False),
    Column("product", String(300), nullable=False),
    Column("cpv_codes", JSON, nullable=False),
    Column("catalogue_version", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_until", Date, nullable=False),
    Column("suspended_until", Date),
    Column("reason", Text),
    # The holder's name casefolded in Python (see store.searchable): SQLite's lower() folds ASCII only.
    Column("holder_search", Text, nullable=False),
    PrimaryKeyConstraint("site", "id"),
    Index("ix_hub_labels_site_status", "site", "status"),
)

# Labels per deciding site: the register's total when only a site narrows it. Kept by triggers (migration 0011).
hub_tally_labels = Table(
    "hub_tally_labels", metadata,
    Column("site", SITE, nullable=False), tally_count("labels"),
    PrimaryKeyConstraint("site"),
)


def label_count(conn: Connection, site: str | None = None) -> int:
    t = hub_tally_labels
    query = select(func.coalesce(func.sum(t.c.labels), 0))
    return int(conn.execute(query.where(t.c.site == site) if site else query).scalar_one())

# One row per CPV code of a label, as for offers: "division 39" is an indexed LIKE '39%'.
hub_label_cpv = Table(
    "hub_label_cpv",
    metadata,
    Column("site", SITE, nullable=False),
    Column("label_id", UUID_STR, nullable=False),
    Column("cpv_code", String(8), nullable=False),
    PrimaryKeyConstraint("site", "label_id", "cpv_code"),
    ForeignKeyConstraint(["site", "label_id"], ["hub_labels.site", "hub_labels.id"], ondelete="CASCADE"),
    Index("ix_hub_label_cpv_code", "cpv_code", postgresql_ops={"cpv_code": "varchar_pattern_ops"}),
)


def replace_label_cpv_codes(conn: Connection, owners: list[tuple[str, str, list[str]]]) -> None:
    """Each (site, label id, codes) gets exactly its CPV code rows (a batch's in two statements)."""
    replace_codes(conn, hub_label_cpv, hub_label_cpv.c.label_id, owners)


# --- the status on a given day -----------------------------------------------------------------------

def public_status(status: str, valid_until: date, today: date, grace_days: int = 0) -> str:
    """The status a verifier is told: a valid or suspended label past its last valid day and the network's
    renewal grace (`LabelPolicy.renewal_grace_days`) is expired. Within the grace the site's word holds:
    it keeps a label valid only while its renewal is being assessed, and publishes the expiry otherwise."""
    if status in (VALID, SUSPENDED) and valid_until + timedelta(days=grace_days) < today:
        return EXPIRED
    return status


def _status_is(status: str, today: date, grace_days: int = 0):
    """The SQL condition for `public_status(...) == status`, so that filtering and paging agree with it."""
    lb = hub_labels
    current = lb.c.valid_until >= today - timedelta(days=grace_days)
    if status == EXPIRED:
        return or_(lb.c.status == EXPIRED, and_(lb.c.status.in_((VALID, SUSPENDED)), ~current))
    if status in (VALID, SUSPENDED):
        return and_(lb.c.status == status, current)
    return lb.c.status == status


# --- queries of the public register ------------------------------------------------------------------

@dataclass(frozen=True)
class LabelFilters:
    """What a visitor narrows the register by. Empty fields do not filter."""

    holder: str | None = None  # the holder organisation's id, or text within its name (case-insensitive)
    cpv: str | None = None  # a division (two digits) or a full code: a label with any code under it matches
    site: str | None = None
    status: str | None = None  # as `public_status` reports it on `today`


def find_label(conn: Connection, number: str) -> RowMapping | None:
    return conn.execute(select(hub_labels).where(hub_labels.c.number == number)).mappings().first()


def list_labels(conn: Connection, filters: LabelFilters, today: date, page: int, per_page: int,
                grace_days: int = 0, after: tuple | None = None) -> KeysetPage:
    """A page of the register by number, after the cursor `after` (or page `page` by OFFSET). The total comes
    from the tally (migration 0011) when only a site narrows the list, and is counted afresh (reading the
    matching rows) under a holder, CPV or status filter (a status is the day's, no tally can keep it)."""
    lb = hub_labels
    query = select(lb)
    if filters.site:
        query = query.where(lb.c.site == filters.site)
    if filters.status:
        query = query.where(_status_is(filters.status, today, grace_days))
    if filters.holder:
        query = query.where(or_(lb.c.holder_organisation_id == filters.holder,
                                containing(lb.c.holder_search, filters.holder.casefold())))
    if filters.cpv:
        query = query.where(exists().where(
            hub_label_cpv.c.site == lb.c.site, hub_label_cpv.c.label_id == lb.c.id,
            starting_with(hub_label_cpv.c.cpv_code, filters.cpv),
        ))

    def total() -> int:
        if filters.holder or filters.cpv or filters.status:
            return conn.execute(select(func.count()).select_from(query.subquery())).scalar_one()
        return label_count(conn, filters.site)

    return keyset_page(conn, query, (lb.c.number,), per_page, after, page, total)
