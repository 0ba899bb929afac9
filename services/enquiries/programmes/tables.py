"""The `programmes_*` tables (one Alembic branch, `programmes`). SQLite and PostgreSQL alike.

Hours are stored as whole quarter hours (integers), so sums are exact on both databases. The partial
unique index on live applications is a second line against a duplicate firm (see store.py).
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import (
    JSON, Boolean, Column, Date, DateTime, ForeignKey, Index, Integer, String, Table, UniqueConstraint, text,
)

from services.common.db import Component, new_metadata

metadata = new_metadata()
COMPONENT = Component("programmes", metadata, Path(__file__).parent / "migrations" / "versions")

ACTIVE_BOOKING, CANCELLED_BOOKING = "active", "cancelled"


def _timestamps():
    return [Column("created_at", DateTime(timezone=True), nullable=False),
            Column("updated_at", DateTime(timezone=True), nullable=False)]


programme = Table(
    "programmes_programme", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("funder", String(200), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("places", Integer, nullable=False),
    Column("first_consultation_quarters", Integer, nullable=False),
    Column("further_quarters", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("last_arrival", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    *_timestamps(),
)

application = Table(
    "programmes_application", metadata,
    Column("id", String(36), primary_key=True),
    Column("programme_id", String(36), ForeignKey("programmes_programme.id"), nullable=False),
    Column("arrival", Integer, nullable=False),
    Column("organisation_id", String(36), index=True),
    Column("firm_name", String(200), nullable=False),
    Column("firm_key", String(250), nullable=False),
    Column("status", String(16), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("reason", String(500)),
    UniqueConstraint("programme_id", "arrival"),
    # One live application per firm and programme, whatever happens above.
    Index("uq_programmes_application_live_firm", "programme_id", "firm_key", unique=True,
          postgresql_where=text("status IN ('accepted', 'waiting')"),
          sqlite_where=text("status IN ('accepted', 'waiting')")),
)

consultant = Table(
    "programmes_consultant", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("expertise", JSON, nullable=False),
    Column("languages", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    *_timestamps(),
    # The public professional profile (profiles.py), shown only while a consent is on record.
    Column("region", String(5)),
    Column("summaries", JSON),
    Column("publications", JSON),
    Column("profile_consent_at", DateTime(timezone=True)),
    Column("profile_consent_by", String(100)),
)

booking = Table(
    "programmes_booking", metadata,
    Column("id", String(36), primary_key=True),
    Column("programme_id", String(36), ForeignKey("programmes_programme.id"), nullable=False, index=True),
    Column("application_id", String(36), ForeignKey("programmes_application.id"), nullable=False, index=True),
    Column("consultant_id", String(36), ForeignKey("programmes_consultant.id"), nullable=False, index=True),
    Column("delivered_on", Date, nullable=False),
    Column("kind", String(24), nullable=False),
    Column("quarters", Integer, nullable=False),
    Column("note", String(1000)),
    Column("status", String(16), nullable=False),
    Column("booked_by", String(100), nullable=False),
    Column("booked_at", DateTime(timezone=True), nullable=False),
    Column("cancelled_at", DateTime(timezone=True)),
)
