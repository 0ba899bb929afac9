"""The tables of local matching: the site's projection of its social enterprises, offers and labels, and the
capacity that agreements commit.

The projection is built from the registry's and the label service's events only (consumers.py),
never by reading their tables. Each row keeps the `aggregate_version` of the event that wrote
it, so an event only overwrites a row when it is newer (`upsert_newer`). A withdrawal that arrives
before its snapshot leaves a tombstone (snapshot columns empty), which an older snapshot cannot revive.

Rows are keyed by the aggregate id alone: a site's consumer only accepts its own site's events.
"""
from __future__ import annotations

import math
from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy import (
    JSON, Boolean, Column, Connection, Date, DateTime, Float, Index, Integer, Numeric, PrimaryKeyConstraint,
    RowMapping, Select, String, Table, delete, exists, false, insert, select, update,
)

from services.common import projection
from services.common.db import Component, dialect_insert, new_metadata
from services.contracts.cpv import significant_prefix

metadata = new_metadata()

COMPONENT = Component("matching", metadata, Path(__file__).parent / "migrations" / "versions")

UUID_STR = String(36)
MONEY = Numeric(18, 4)
QUANTITY = Numeric(18, 3)

ORGANISATION_ACTIVE = "active"
OFFER_PUBLISHED = "published"
SOCIAL_ENTERPRISE = "social_enterprise"
COMMITMENT_ACTIVE = "active"
COMMITMENT_RELEASED = "released"


def _bookkeeping() -> list[Column]:
    return [
        Column("id", UUID_STR, nullable=False),
        Column("aggregate_version", Integer, nullable=False),
        Column("last_event_id", UUID_STR, nullable=False),
        Column("status", String(16), nullable=False),
    ]


matching_organisation = Table(
    "matching_organisation",
    metadata,
    *_bookkeeping(),
    Column("kind", String(32)),
    Column("name", String(200)),
    Column("nuts3", String(5)),
    Column("lat", Float),
    Column("lon", Float),
    Column("labour_market_segment", String(32)),
    Column("workers_in_integration", Integer),
    # The place as a point on the unit sphere (from lat/lon): the shortlist's SQL measures distance with
    # plain arithmetic (SQLite has no trigonometry), see sql_ranking.py.
    Column("ux", Float),
    Column("uy", Float),
    Column("uz", Float),
    PrimaryKeyConstraint("id"),
)

matching_offer = Table(
    "matching_offer",
    metadata,
    *_bookkeeping(),
    Column("organisation_id", UUID_STR),
    Column("title", String(300)),
    Column("cpv_codes", JSON),
    Column("capacity_per_week", QUANTITY),
    Column("unit", String(50)),
    Column("lead_time_days", Integer),
    Column("price_min", MONEY),
    Column("price_max", MONEY),
    Column("currency", String(3)),
    Column("delivery_radius_km", Integer),
    Column("cross_border", Boolean),
    PrimaryKeyConstraint("id"),
    Index("ix_matching_offer_organisation_id", "organisation_id"),
    # The largest weekly capacity in one index lookup: bounds what a division-level fit can score.
    Index("ix_matching_offer_capacity", "capacity_per_week"),
)

# The CPV divisions of each offer, one row each: the shortlist's prefilter is an indexed equality.
# `eligible`: the offer is published by an active social enterprise (kept by refresh_eligibility), so
# that the shortlist counts a division's candidates without joining offers and organisations.
matching_offer_division = Table(
    "matching_offer_division",
    metadata,
    Column("division", String(2), nullable=False),
    Column("offer_id", UUID_STR, nullable=False),
    Column("eligible", Boolean, nullable=False, server_default=false()),
    PrimaryKeyConstraint("division", "offer_id"),
)

# How many eligible offers each CPV division holds (the rows of matching_offer_division with `eligible`),
# kept with them in the same transaction (replace_offer_divisions, refresh_eligibility): a shortlist
# reports a division's count without scanning it.
matching_division_count = Table(
    "matching_division_count",
    metadata,
    Column("division", String(2), nullable=False),
    Column("eligible", Integer, nullable=False),
    PrimaryKeyConstraint("division"),
)

# Each CPV code of each offer by its significant prefix (`39110000` -> `3911`), under its division: the
# shortlist's SQL finds an offer's best CPV level from prefix ranges (sql_ranking.py).
# ux, uy, uz: the place of the offer's organisation (its unit vector; empty while unknown), kept by
# refresh_eligibility in the transaction that changes the offer or the organisation; likewise
# capacity_per_week and labour_market_segment, the offer's and its organisation's: the shortlist bounds an
# offer's score from its code rows alone and scores the likeliest first without reading the others' rows,
# and when a split is sure reads the largest capacities of a division in index order.
matching_offer_code = Table(
    "matching_offer_code",
    metadata,
    Column("division", String(2), nullable=False),
    Column("prefix", String(8), nullable=False),
    Column("offer_id", UUID_STR, nullable=False),
    Column("ux", Float),
    Column("uy", Float),
    Column("uz", Float),
    Column("capacity_per_week", QUANTITY),
    Column("labour_market_segment", String(32)),
    PrimaryKeyConstraint("division", "prefix", "offer_id"),
    # With the prefix and the offer: the largest capacities' rows come from the index alone (migration 0007).
    Index("ix_matching_offer_code_capacity", "division", "capacity_per_week", "prefix", "offer_id"),
    Index("ix_matching_offer_code_offer", "offer_id"),
    # Every column sql_ranking._likeliest_bound reads: a level's rows come from the index alone (migration 0007).
    Index("ix_matching_offer_code_bounds", "division", "prefix", "offer_id", "ux", "uy", "uz", "capacity_per_week",
          "labour_market_segment"),
)

# The site's labels "socio-ecologically produced", from the label service's events (never its tables).
matching_label = Table(
    "matching_label",
    metadata,
    Column("label_id", UUID_STR, nullable=False),
    Column("aggregate_version", Integer, nullable=False),
    Column("last_event_id", UUID_STR, nullable=False),
    Column("number", String(40), nullable=False),
    Column("holder_organisation_id", UUID_STR, nullable=False),
    Column("cpv_codes", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("valid_until", Date, nullable=False),
    PrimaryKeyConstraint("label_id"),
    Index("ix_matching_label_holder", "holder_organisation_id"),
)

LABEL_VALID = "valid"

# The CPV divisions of each label, one row each: whether a label covers an offer is a join in SQL.
matching_label_division = Table(
    "matching_label_division",
    metadata,
    Column("label_id", UUID_STR, nullable=False),
    Column("division", String(2), nullable=False),
    PrimaryKeyConstraint("label_id", "division"),
)

matching_commitment = Table(
    "matching_commitment",
    metadata,
    Column("agreement_id", UUID_STR, nullable=False),
    Column("offer_id", UUID_STR, nullable=False),
    Column("organisation_id", UUID_STR, nullable=False),
    Column("quantity", QUANTITY, nullable=False),
    Column("start_on", Date, nullable=False),
    Column("until", Date, nullable=False),
    Column("status", String(16), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("agreement_id"),
    Index("ix_matching_commitment_offer", "offer_id", "status", "until"),
)


def upsert_newer(conn: Connection, table: Table, values: dict, key: str = "id") -> bool:
    """A snapshot overwrites the row of its `key` only when it is newer (see common.projection)."""
    return projection.upsert_newer(conn, table, values, keys=(key,))


def replace_offer_divisions(conn: Connection, offer_id: str, cpv_codes: list[str]) -> None:
    """The offer's rows in matching_offer_division and matching_offer_code, from its CPV codes (new rows
    are not eligible until refresh_eligibility says so)."""
    div = matching_offer_division
    gone = conn.execute(delete(div).where(div.c.offer_id == offer_id).returning(div.c.division, div.c.eligible))
    _count(conn, Counter(division for division, eligible in gone if eligible), sign=-1)
    conn.execute(delete(matching_offer_code).where(matching_offer_code.c.offer_id == offer_id))
    divisions = sorted({code[:2] for code in cpv_codes})
    if divisions:
        conn.execute(insert(matching_offer_division),
                     [{"division": d, "offer_id": offer_id} for d in divisions])
        conn.execute(insert(matching_offer_code), offer_code_rows(offer_id, cpv_codes))


def refresh_eligibility(conn: Connection, offer_id: str | None = None, organisation_id: str | None = None) -> None:
    """Recompute `matching_offer_division.eligible` of one offer, or of all offers of one organisation, and
    the place, segment and weekly capacity of their rows in matching_offer_code."""
    _refresh_places(conn, offer_id, organisation_id)
    div, offer, org = matching_offer_division, matching_offer, matching_organisation
    eligible = exists(select(offer.c.id).select_from(offer.join(org, org.c.id == offer.c.organisation_id))
                      .where(offer.c.id == div.c.offer_id, offer.c.status == OFFER_PUBLISHED,
                             org.c.status == ORGANISATION_ACTIVE, org.c.kind == SOCIAL_ENTERPRISE))
    if offer_id is not None:
        scope = div.c.offer_id == offer_id
    else:
        scope = div.c.offer_id.in_(select(offer.c.id).where(offer.c.organisation_id == organisation_id))
    changed = conn.execute(update(div).where(scope, div.c.eligible != eligible).values(eligible=eligible)
                           .returning(div.c.division, div.c.eligible)).all()
    _count(conn, Counter(division for division, now in changed if now))
    _count(conn, Counter(division for division, now in changed if not now), sign=-1)


def _refresh_places(conn: Connection, offer_id: str | None, organisation_id: str | None) -> None:
    code, offer, org = matching_offer_code, matching_offer, matching_organisation
    if offer_id is not None:
        scope = code.c.offer_id == offer_id
    else:
        scope = code.c.offer_id.in_(select(offer.c.id).where(offer.c.organisation_id == organisation_id))

    def of_organisation(column):
        return (select(column).select_from(offer.join(org, org.c.id == offer.c.organisation_id))
                .where(offer.c.id == code.c.offer_id).scalar_subquery())

    capacity = select(offer.c.capacity_per_week).where(offer.c.id == code.c.offer_id).scalar_subquery()
    conn.execute(update(code).where(scope).values(ux=of_organisation(org.c.ux), uy=of_organisation(org.c.uy),
                                                  uz=of_organisation(org.c.uz), capacity_per_week=capacity,
                                                  labour_market_segment=of_organisation(org.c.labour_market_segment)))


def _count(conn: Connection, deltas: Counter, sign: int = 1) -> None:
    """Add `sign` x each division's delta to its row in matching_division_count."""
    if not deltas:
        return
    t = matching_division_count
    stmt = dialect_insert(conn, t)
    conn.execute(stmt.on_conflict_do_update(index_elements=[t.c.division],
                                            set_={"eligible": t.c.eligible + stmt.excluded.eligible}),
                 [{"division": d, "eligible": sign * n} for d, n in sorted(deltas.items())])


def offer_code_rows(offer_id: str, cpv_codes) -> list[dict]:
    return [{"division": prefix[:2], "prefix": prefix, "offer_id": offer_id}
            for prefix in sorted({significant_prefix(code) for code in cpv_codes or ()})]


def replace_label_divisions(conn: Connection, label_id: str, cpv_codes) -> None:
    conn.execute(delete(matching_label_division).where(matching_label_division.c.label_id == label_id))
    divisions = sorted({code[:2] for code in cpv_codes or ()})
    if divisions:
        conn.execute(insert(matching_label_division), [{"label_id": label_id, "division": d} for d in divisions])


def unit_vector(lat: float | None, lon: float | None) -> dict:
    """ux, uy, uz of the place (None without coordinates)."""
    if lat is None or lon is None:
        return {"ux": None, "uy": None, "uz": None}
    p, l = math.radians(lat), math.radians(lon)
    return {"ux": math.cos(p) * math.cos(l), "uy": math.cos(p) * math.sin(l), "uz": math.sin(p)}


# --- queries -----------------------------------------------------------------------------------------

def candidate_offers_query(divisions: list[str]) -> Select:
    """Published offers of active social enterprises with a CPV code in one of `divisions`."""
    org, offer = matching_organisation, matching_offer
    return (
        select(offer.c.id, offer.c.organisation_id, offer.c.title, offer.c.cpv_codes, offer.c.capacity_per_week,
               offer.c.unit, offer.c.lead_time_days, offer.c.price_min, offer.c.price_max, offer.c.currency,
               offer.c.delivery_radius_km, org.c.name, org.c.nuts3, org.c.lat, org.c.lon,
               org.c.labour_market_segment, org.c.workers_in_integration)
        .select_from(offer.join(org, org.c.id == offer.c.organisation_id))
        .where(offer.c.id.in_(offers_in_divisions(divisions)), offer.c.status == OFFER_PUBLISHED,
               org.c.status == ORGANISATION_ACTIVE, org.c.kind == SOCIAL_ENTERPRISE)
    )


def valid_labels_query(organisation_ids: list[str], today: date) -> Select:
    """Labels of those organisations that are valid on `today`: (holder, number, cpv_codes)."""
    lab = matching_label
    return (
        select(lab.c.holder_organisation_id, lab.c.number, lab.c.cpv_codes)
        .where(lab.c.holder_organisation_id.in_(organisation_ids), lab.c.status == LABEL_VALID,
               lab.c.valid_until >= today)
        .order_by(lab.c.valid_until.desc(), lab.c.number)
    )


def offers_in_divisions(divisions: list[str]) -> Select:
    div = matching_offer_division
    return select(div.c.offer_id).where(div.c.division.in_(divisions))


def active_commitments_query(offer_ids: Select | list[str], start: date, until: date) -> Select:
    """Active commitments of those offers that overlap the period from start to until."""
    c = matching_commitment
    return (
        select(c.c.offer_id, c.c.quantity, c.c.start_on, c.c.until)
        .where(c.c.offer_id.in_(offer_ids), c.c.status == COMMITMENT_ACTIVE, c.c.until >= start,
               c.c.start_on <= until)
    )


def offer_for_update(conn: Connection, offer_id: str) -> RowMapping | None:
    """The offer's row, locked until the transaction ends (PostgreSQL), so that capacity checks of
    concurrent reservations on the same offer run one after the other. SQLite serialises writers anyway."""
    return conn.execute(select(matching_offer).where(matching_offer.c.id == offer_id).with_for_update()) \
        .mappings().first()


def offer(conn: Connection, offer_id: str) -> RowMapping | None:
    return conn.execute(select(matching_offer).where(matching_offer.c.id == offer_id)).mappings().first()


def commitment(conn: Connection, agreement_id: str) -> RowMapping | None:
    return conn.execute(select(matching_commitment).where(matching_commitment.c.agreement_id == agreement_id)) \
        .mappings().first()


# --- who acts as a social enterprise ------------------------------------------------------------------

def organisation_name(conn: Connection, organisation_id: str) -> str | None:
    t = matching_organisation
    return conn.execute(select(t.c.name).where(t.c.id == str(organisation_id))).scalar()


def is_active_social_enterprise(conn: Connection, organisation_id: str) -> bool:
    org = matching_organisation
    return conn.execute(select(org.c.id).where(org.c.id == organisation_id, org.c.kind == SOCIAL_ENTERPRISE,
                                               org.c.status == ORGANISATION_ACTIVE)).first() is not None


def published_offer_divisions(conn: Connection, organisation_id: str) -> set[str]:
    """The CPV divisions of the organisation's published offers."""
    div, offer = matching_offer_division, matching_offer
    rows = conn.execute(select(div.c.division).select_from(div.join(offer, offer.c.id == div.c.offer_id))
                        .where(offer.c.organisation_id == organisation_id, offer.c.status == OFFER_PUBLISHED))
    return {row.division for row in rows}


def is_published_offer_of(conn: Connection, offer_id: str, organisation_id: str) -> bool:
    offer = matching_offer
    return conn.execute(select(offer.c.id).where(offer.c.id == offer_id, offer.c.organisation_id == organisation_id,
                                                 offer.c.status == OFFER_PUBLISHED)).first() is not None
