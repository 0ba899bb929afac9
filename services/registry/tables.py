"""The registry's tables (SQLite and PostgreSQL alike), and its component: these tables and their
migrations as one Alembic branch."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import (
    JSON, Boolean, Column, Date, DateTime, Float, ForeignKey, Integer, LargeBinary, String, Table, Text, false,
)

from services.common.db import BigId, Component, ExactDecimal, new_metadata

metadata = new_metadata()
COMPONENT = Component("registry", metadata, Path(__file__).parent / "migrations" / "versions")


def _timestamps():
    return [Column("created_at", DateTime(timezone=True), nullable=False),
            Column("updated_at", DateTime(timezone=True), nullable=False)]


organisation = Table(
    "registry_organisation", metadata,
    Column("id", String(36), primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("registration_number", String(64), nullable=False),
    Column("registration_key", String(64), nullable=False, unique=True),
    Column("street", String(200), nullable=False),
    Column("postcode", String(16), nullable=False),
    Column("town", String(100), nullable=False),
    Column("country", String(2), nullable=False),
    Column("nuts3", String(5), nullable=False, index=True),
    Column("lat", Float),
    Column("lon", Float),
    Column("labour_market_segment", String(32)),
    Column("workers_in_integration", Integer),
    Column("website", String(300)),
    # Personal data of the contact person: shown to staff only, never in events.
    Column("contact_name", String(200)),
    Column("contact_email", String(254)),
    Column("contact_phone", String(32)),
    Column("search_text", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    *_timestamps(),
)

offer = Table(
    "registry_offer", metadata,
    Column("id", String(36), primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("organisation_id", String(36), ForeignKey("registry_organisation.id"), nullable=False, index=True),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("cpv_codes", JSON, nullable=False),
    Column("capacity_per_week", ExactDecimal(18, 4), nullable=False),
    Column("unit", String(50), nullable=False),
    Column("lead_time_days", Integer, nullable=False),
    Column("price_min", ExactDecimal(18, 4)),
    Column("price_max", ExactDecimal(18, 4)),
    Column("currency", String(3), nullable=False),
    Column("delivery_radius_km", Integer),
    Column("cross_border", Boolean, nullable=False),
    Column("search_text", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    *_timestamps(),
)

# One row per code of an offer or case study: CPV prefix search with an index, on both databases.
offer_cpv = Table(
    "registry_offer_cpv", metadata,
    Column("offer_id", String(36), ForeignKey("registry_offer.id", ondelete="CASCADE"), primary_key=True),
    Column("code", String(8), primary_key=True, index=True),
)

support_statement = Table(
    "registry_support_statement", metadata,
    Column("id", String(36), primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    # Personal data of the paper form: set to NULL on erasure.
    Column("first_name", String(100)),
    Column("last_name", String(100)),
    Column("phone", String(32)),
    Column("phone_kind", String(8)),
    Column("email", String(254)),
    Column("organisation_name", String(200)),
    Column("organisation_kind", String(32)),
    Column("consent", Boolean, nullable=False),
    Column("given_on", Date, nullable=False),
    Column("nuts3", String(5), nullable=False, index=True),
    # Recomputed on every save, so erasure empties it of the person's data too.
    Column("search_text", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("confirmed_at", DateTime(timezone=True)),
    Column("confirmed_by", String(100)),
    Column("version", Integer, nullable=False),
    # The page language the supporter used (their mails' language), and whether they asked for the
    # newsletter (consent, unticked by default; sent only once the statement is confirmed).
    Column("language", String(8)),
    Column("newsletter", Boolean, nullable=False, default=False, server_default=false()),
    # An organisation's statement names the registered organisation that supports the platform (issue 19):
    # a social enterprise supporting it ranks higher in the shortlist. Set by a broker or by the
    # organisation's own member; None for a person's statement or one not (yet) linked.
    Column("organisation_id", String(36), ForeignKey("registry_organisation.id"), index=True),
    *_timestamps(),
)

# Who confirmed, withdrew or erased a statement, when, and which fields were erased; never the erased
# values. A withdrawal's free-text reason stays until the statement is erased; an erasure keeps only its
# ground (one of statements.ERASURE_GROUNDS), never a text that might name the person.
statement_audit = Table(
    "registry_support_statement_audit", metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("statement_id", String(36), ForeignKey("registry_support_statement.id"), nullable=False, index=True),
    Column("action", String(16), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("fields", JSON, nullable=False),
    Column("reason", String(500)),
    Column("ground", String(32)),
)

# The confirmation link of a statement with an e-mail address: only the token's hash (confirmation.py).
statement_confirmation = Table(
    "registry_statement_confirmation", metadata,
    Column("statement_id", String(36), ForeignKey("registry_support_statement.id"), primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
)

# The newsletters a broker or site administrator sent to the supporters who asked for it: the texts per
# language ({language: {"subject", "text"}}), who sent it and to how many (newsletter.py).
newsletter = Table(
    "registry_newsletter", metadata,
    Column("id", String(36), primary_key=True),
    Column("texts", JSON, nullable=False),
    Column("sent_by", String(100), nullable=False),
    Column("sent_at", DateTime(timezone=True), nullable=False),
    Column("recipients", Integer, nullable=False),
)

case_study = Table(
    "registry_case_study", metadata,
    Column("id", String(36), primary_key=True),
    Column("reference", String(32), nullable=False, unique=True),
    Column("title", String(200), nullable=False),
    Column("summary", Text, nullable=False),
    Column("year", Integer, nullable=False),
    Column("cpv_codes", JSON, nullable=False),
    Column("client_organisation_id", String(36), ForeignKey("registry_organisation.id")),
    Column("social_enterprise_id", String(36), ForeignKey("registry_organisation.id")),
    Column("value_paid_eur", ExactDecimal(18, 4)),
    Column("material_diverted_kg", ExactDecimal(18, 4)),
    Column("integration_hours", ExactDecimal(18, 4)),
    Column("search_text", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    # The social enterprises of a consortium order, of any site, with their parts' impact (None: not one).
    Column("partners", JSON),
    *_timestamps(),
)

# A case study's title and summary in further languages (issue 19: the good-practice handbook is written in
# de, hu and en). The case study's own title and summary stay its original text, shown where a language has
# none.
case_study_text = Table(
    "registry_case_study_text", metadata,
    Column("case_study_id", String(36), ForeignKey("registry_case_study.id", ondelete="CASCADE"), primary_key=True),
    Column("language", String(2), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("summary", Text, nullable=False),
)

case_study_cpv = Table(
    "registry_case_study_cpv", metadata,
    Column("case_study_id", String(36), ForeignKey("registry_case_study.id", ondelete="CASCADE"), primary_key=True),
    Column("code", String(8), primary_key=True, index=True),
)

# The per-site counters behind human references, one per letter and year.
counter = Table(
    "registry_counter", metadata,
    Column("letter", String(1), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("value", Integer, nullable=False),
)

# An organisation's public profile (a client's shop window): one plain text per language it is written in
# (services.registry.profiles). Public, as the organisation wrote it for everyone to read.
organisation_profile = Table(
    "registry_organisation_profile", metadata,
    Column("organisation_id", String(36), ForeignKey("registry_organisation.id"), primary_key=True),
    Column("language", String(2), primary_key=True),
    Column("text", Text, nullable=False),
)

# Whether a social enterprise's public profile shows its impact totals (issue 18): its own member decides,
# and who and when is kept. No row: never decided, not shown (services.registry.impact_consent).
impact_consent = Table(
    "registry_impact_consent", metadata,
    Column("organisation_id", String(36), ForeignKey("registry_organisation.id"), primary_key=True),
    Column("shown", Boolean, nullable=False, server_default=false()),
    Column("decided_by", String(100), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=False),
)

# The site's good-practice handbook as PDF, per language (issue 19): generated from the published case
# studies, kept with the fingerprint of what it was made from, and made again when that changes.
handbook = Table(
    "registry_handbook", metadata,
    Column("language", String(2), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("pdf", LargeBinary, nullable=False),
    Column("generated_at", DateTime(timezone=True), nullable=False),
)
