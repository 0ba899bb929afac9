"""Counts and sums the hub keeps as rows are written, so that a list's total, the agency's statistics, its
dashboard and the public impact comparison read a few rows instead of scanning whole tables.

Database triggers keep them (migration 0010, a PostgreSQL and a SQLite version), so they hold whatever
writes the source rows: ingest, a rebuild from the feeds, an erasure, a hand-run DELETE. A tally row
whose count fell back to zero stays (readers skip it). Keys that may be NULL in the source are stored as
'' (a primary key column is never NULL) and read back as None.

Sums are exact on PostgreSQL (numeric); on SQLite they add floats like SQLite's own SUM, and are read
back rounded to the scale of the summed columns (4 decimals).

The indexes the keyset-paged lists walk (`services.common.keyset`) are declared here too.
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Column, Connection, Index, Integer, Numeric, PrimaryKeyConstraint, String, Table
from sqlalchemy import func, select, text

from services.hub.enquiries.impact import Cell
from services.hub.enquiries.store import hub_enquiries, hub_tally_enquiries
from services.hub.labels.store import hub_tally_labels, label_count  # noqa: F401  (one of the tallies)
from services.hub.register.store import hub_offer, hub_organisation
from services.hub.rows import SITE, metadata, tally_count

_ZERO = text("0")
SUM = Numeric(24, 4)  # sums of MONEY (18, 4), QUANTITY (18, 3) and SHARE (7, 4) columns
SCALE = Decimal("0.0001")


_count = tally_count


def _sum(name: str) -> Column:
    return Column(name, SUM, nullable=False, server_default=_ZERO)


# Active organisations per site and kind.
hub_tally_organisations = Table(
    "hub_tally_organisations", metadata,
    Column("site", SITE, nullable=False), Column("kind", String(32), nullable=False), _count("active"),
    PrimaryKeyConstraint("site", "kind"),
)

# Visible offers per site: published, and their organisation not withdrawn (`queries.visible_offer`).
hub_tally_offers = Table(
    "hub_tally_offers", metadata,
    Column("site", SITE, nullable=False), _count("visible"),
    PrimaryKeyConstraint("site"),
)

# Support statements that count (status active) per site, kind and NUTS-3 region.
hub_tally_statements = Table(
    "hub_tally_statements", metadata,
    Column("site", SITE, nullable=False), Column("kind", String(16), nullable=False),
    Column("nuts3", String(5), nullable=False), _count("active"),
    PrimaryKeyConstraint("site", "kind", "nuts3"),
)

# Enquiries per site, state and type: `hub_tally_enquiries`, declared beside the enquiries (their list's total).

# The sums of the impact records per site and year (`enquiries.impact.cells`, `impact.comparison`).
hub_tally_impact = Table(
    "hub_tally_impact", metadata,
    Column("site", SITE, nullable=False), Column("year", Integer, nullable=False),
    _count("records"), _sum("value_paid_eur"), _sum("material_diverted_kg"), _sum("regional_share"),
    _count("regional_share_records"), _sum("distance_km"), _count("distance_records"), _sum("integration_hours"),
    PrimaryKeyConstraint("site", "year"),
)

# Impact records naming their region of production, per site, year and region.
hub_tally_production_regions = Table(
    "hub_tally_production_regions", metadata,
    Column("site", SITE, nullable=False), Column("year", Integer, nullable=False),
    Column("nuts3", String(5), nullable=False), _count("records"),
    PrimaryKeyConstraint("site", "year", "nuts3"),
)

# Labels per deciding site: `hub_tally_labels`, declared beside the labels (the register's total; migration 0011).

# Cross-border orders per origin site and status (migration 0011).
hub_tally_crossborder_orders = Table(
    "hub_tally_crossborder_orders", metadata,
    Column("origin_site", SITE, nullable=False), Column("status", String(16), nullable=False), _count("orders"),
    PrimaryKeyConstraint("origin_site", "status"),
)

# The keyset lists' orders: active organisations by (name, site, id) (a site or kind filter walks the same
# index, skipping the others' rows: no index of its own to keep up at every write); visible offers by
# (title, site, id); the latest enquiries by submission.
Index("ix_hub_organisation_listing", hub_organisation.c.status, hub_organisation.c.name, hub_organisation.c.site,
      hub_organisation.c.id)
Index("ix_hub_offer_listing", hub_offer.c.status, hub_offer.c.title, hub_offer.c.site, hub_offer.c.id)
Index("ix_hub_enquiries_latest", hub_enquiries.c.submitted_at, hub_enquiries.c.site, hub_enquiries.c.reference,
      hub_enquiries.c.id)


def _site(query, table: Table, site: str | None):
    return query.where(table.c.site == site) if site else query


def active_organisations(conn: Connection, site: str | None = None, kind: str | None = None) -> int:
    t = hub_tally_organisations
    query = _site(select(func.coalesce(func.sum(t.c.active), 0)), t, site)
    return int(conn.execute(query.where(t.c.kind == kind) if kind else query).scalar_one())


def visible_offers(conn: Connection, site: str | None = None) -> int:
    t = hub_tally_offers
    return int(conn.execute(_site(select(func.coalesce(func.sum(t.c.visible), 0)), t, site)).scalar_one())


def members_by_kind(conn: Connection, site: str | None = None) -> list[tuple[str, str, int]]:
    t = hub_tally_organisations
    query = _site(select(t.c.site, t.c.kind, t.c.active).where(t.c.active != 0), t, site)
    return [(s, k or None, int(n)) for s, k, n in conn.execute(query)]


def offers_published(conn: Connection, site: str | None = None) -> list[tuple[str, int]]:
    t = hub_tally_offers
    return [(s, int(n)) for s, n in conn.execute(_site(select(t.c.site, t.c.visible).where(t.c.visible != 0), t, site))]


def support_statements(conn: Connection, site: str | None = None) -> list[tuple[str, str, str, int]]:
    t = hub_tally_statements
    query = _site(select(t.c.site, t.c.kind, t.c.nuts3, t.c.active).where(t.c.active != 0), t, site)
    return [(s, k or None, r or None, int(n)) for s, k, r, n in conn.execute(query)]


def enquiries_by_state_and_type(conn: Connection, site: str | None = None) -> list[tuple[str, str, str, int]]:
    t = hub_tally_enquiries
    query = _site(select(t.c.site, t.c.state, t.c.type, t.c.enquiries).where(t.c.enquiries != 0), t, site)
    return [(s, st, ty, int(n)) for s, st, ty, n in conn.execute(query)]


def _exact(value) -> Decimal:
    return Decimal(str(value)).quantize(SCALE)


def impact_rows(conn: Connection, site: str | None = None, year: int | None = None) -> list[tuple]:
    """(site, year, records, value_paid_eur, material_diverted_kg, regional_share, regional_share_records,
    distance_km, distance_records, integration_hours) of each site and year with impact records."""
    t = hub_tally_impact
    query = _site(select(t).where(t.c.records != 0), t, site)
    if year is not None:
        query = query.where(t.c.year == year)
    return [(r.site, r.year, int(r.records), _exact(r.value_paid_eur), _exact(r.material_diverted_kg),
             _exact(r.regional_share), int(r.regional_share_records), _exact(r.distance_km), int(r.distance_records),
             _exact(r.integration_hours)) for r in conn.execute(query)]


def impact_cells(conn: Connection, site: str | None = None, year: int | None = None) -> list[Cell]:
    """What `enquiries.impact.cells` sums from the records, read from the tally."""
    return [Cell(s, y, n, value, kg, share, shares, distance, hours)
            for s, y, n, value, kg, share, shares, distance, _, hours in impact_rows(conn, site, year)]


def production_regions(conn: Connection, site: str | None = None,
                       year: int | None = None) -> list[tuple[str, int, str, int]]:
    t = hub_tally_production_regions
    query = _site(select(t.c.site, t.c.year, t.c.nuts3, t.c.records).where(t.c.records != 0), t, site)
    if year is not None:
        query = query.where(t.c.year == year)
    return [(s, y, r, int(n)) for s, y, r, n in conn.execute(query)]


def mean_distances(conn: Connection, site: str | None = None, year: int | None = None) -> dict[tuple[str, int], Decimal]:
    """(site, year) -> mean distance of the impact records that state one."""
    return {(s, y): distance / count for s, y, *_, distance, count, _ in impact_rows(conn, site, year) if count}


def labels(conn: Connection, site: str | None = None) -> int:
    return label_count(conn, site)


def crossborder_orders(conn: Connection, site: str | None = None, status: str | None = None) -> int:
    t = hub_tally_crossborder_orders
    query = select(func.coalesce(func.sum(t.c.orders), 0))
    if site:
        query = query.where(t.c.origin_site == site)
    if status:
        query = query.where(t.c.status == status)
    return int(conn.execute(query).scalar_one())
