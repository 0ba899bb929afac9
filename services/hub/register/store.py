"""The consolidated register's tables: the public snapshot of every site's organisations, offers, support
statements and case studies, as the latest event of each aggregate described it.

Every row is keyed by (site, id): a site can only ever change its own rows. Every row keeps the
`aggregate_version` and the id and time of the event that wrote it, so an event only overwrites a row
when it is newer (`payload_rows.write_snapshots`); stale and replayed events change nothing.

A withdrawal that arrives before its aggregate's snapshot still leaves a row (a tombstone whose
snapshot columns are empty), so the older snapshot arriving later cannot bring the aggregate back.

Support statements keep no personal data: only kind, organisation kind, region, date and status.

The public API's queries are in `queries`; every hub table's metadata in `services.hub.store`.
"""
from __future__ import annotations

from sqlalchemy import (
    JSON, Boolean, Column, Connection, Date, Float, ForeignKeyConstraint, Index, Integer, PrimaryKeyConstraint,
    String, Table, Text,
)

from services.hub import rows
from services.hub.rows import MONEY, QUANTITY, SITE, UUID_STR, bookkeeping_columns, metadata

# Snapshot columns are nullable: a tombstone (withdrawn before its snapshot was seen) has none.
# `search_text` is the searchable text casefolded in Python when the row is written: SQLite's lower()
# only folds ASCII, so searching "pölten" must not depend on the database.
hub_organisation = Table(
    "hub_organisation",
    metadata,
    *bookkeeping_columns(),
    Column("status", String(16), nullable=False),
    Column("reference", String(64)),
    Column("kind", String(32)),
    Column("name", String(200)),
    Column("town", String(200)),
    Column("postcode", String(20)),
    Column("country", String(2)),
    Column("nuts3", String(5)),
    Column("lat", Float),
    Column("lon", Float),
    Column("labour_market_segment", String(32)),
    Column("workers_in_integration", Integer),
    Column("website", String(500)),
    Column("search_text", Text),
    PrimaryKeyConstraint("site", "id"),
    Index("ix_hub_organisation_status_kind", "status", "kind"),
    Index("ix_hub_organisation_nuts3", "nuts3"),
)

# An organisation's public profile (a client's shop window), {language: text}, as its newest
# `registry.organisation.profile_changed` wrote it: public text, kept for the agency's directory. A table of
# its own, ordered among profile events only, so that it and the organisation's snapshot never hide each other.
hub_organisation_profile = Table(
    "hub_organisation_profile",
    metadata,
    *bookkeeping_columns(),
    Column("texts", JSON, nullable=False),
    PrimaryKeyConstraint("site", "id"),
)

hub_offer = Table(
    "hub_offer",
    metadata,
    *bookkeeping_columns(),
    Column("status", String(16), nullable=False),
    Column("organisation_id", UUID_STR),
    Column("title", String(300)),
    Column("description", Text),
    Column("cpv_codes", JSON),
    Column("capacity_per_week", QUANTITY),
    Column("unit", String(50)),
    Column("lead_time_days", Integer),
    Column("price_min", MONEY),
    Column("price_max", MONEY),
    Column("currency", String(3)),
    Column("delivery_radius_km", Integer),
    Column("cross_border", Boolean),
    Column("search_text", Text),
    PrimaryKeyConstraint("site", "id"),
    Index("ix_hub_offer_organisation", "site", "organisation_id"),
)

# One row per CPV code of an offer, so that "codes starting with a prefix" is an indexed LIKE
# on both SQLite and PostgreSQL (a JSON list is not portable to search).
hub_offer_cpv = Table(
    "hub_offer_cpv",
    metadata,
    Column("site", SITE, nullable=False),
    Column("offer_id", UUID_STR, nullable=False),
    Column("cpv_code", String(8), nullable=False),
    PrimaryKeyConstraint("site", "offer_id", "cpv_code"),
    ForeignKeyConstraint(["site", "offer_id"], ["hub_offer.site", "hub_offer.id"], ondelete="CASCADE"),
    # varchar_pattern_ops: PostgreSQL uses the index for LIKE 'prefix%' under any collation.
    Index("ix_hub_offer_cpv_code", "cpv_code", postgresql_ops={"cpv_code": "varchar_pattern_ops"}),
)

hub_support_statement = Table(
    "hub_support_statement",
    metadata,
    *bookkeeping_columns(),
    Column("status", String(16), nullable=False),
    Column("kind", String(16)),
    Column("organisation_kind", String(32)),
    Column("nuts3", String(5)),
    Column("given_on", Date),
    PrimaryKeyConstraint("site", "id"),
    Index("ix_hub_support_statement_status", "status", "site"),
)

hub_case_study = Table(
    "hub_case_study",
    metadata,
    *bookkeeping_columns(),
    Column("status", String(16), nullable=False),
    Column("title", String(300)),
    Column("summary", Text),
    Column("client_organisation_id", UUID_STR),
    Column("social_enterprise_id", UUID_STR),
    Column("cpv_codes", JSON),
    Column("year", Integer),
    Column("value_paid_eur", MONEY),
    Column("material_diverted_kg", QUANTITY),
    Column("integration_hours", QUANTITY),
    Column("search_text", Text),
    # [{"language", "title", "summary"}] in further languages (event version 2); null from a version 1 event
    Column("texts", JSON),
    PrimaryKeyConstraint("site", "id"),
)

# The status values a snapshot row has when it counts (everything else is a withdrawal or erasure).
ORGANISATION_ACTIVE = "active"
OFFER_PUBLISHED = "published"
STATEMENT_ACTIVE = "active"  # confirmed, and neither withdrawn nor erased: it counts
STATEMENT_UNCONFIRMED = "unconfirmed"
CASE_STUDY_PUBLISHED = "published"


def replace_offer_cpv_codes(conn: Connection, owners: list[tuple[str, str, list[str]]]) -> None:
    """Each (site, offer id, codes) gets exactly its CPV code rows (a batch's in two statements)."""
    rows.replace_codes(conn, hub_offer_cpv, hub_offer_cpv.c.offer_id, owners)
