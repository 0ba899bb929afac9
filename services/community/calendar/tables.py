"""The `community_*` tables of community events (one Alembic branch, `community_calendar`). SQLite and
PostgreSQL alike.

A registration keeps the SHA-256 of its secret link's token, never the token. Its arrival number is unique
per event (taken under the event's row lock, store.py); the partial unique index on live registrations is a
second line against the same address registering twice. A reminder row per registration makes the reminder
job send each reminder once, whatever runs twice.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint, text

from services.common.db import Component, UtcDateTime, new_metadata

metadata = new_metadata()
COMPONENT = Component("community_calendar", metadata, Path(__file__).parent / "migrations" / "versions")

event = Table(
    "community_event", metadata,
    Column("id", String(36), primary_key=True),
    Column("reference", String(40), nullable=False, unique=True),
    Column("kind", String(32), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("platform_forum", Boolean, nullable=False),
    Column("texts", JSON, nullable=False),  # [{"language", "title", "summary"}], at least one
    Column("languages", JSON, nullable=False),  # the languages it is held in
    Column("starts_at", UtcDateTime, nullable=False, index=True),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("venue", String(300), nullable=False),
    Column("country", String(2), nullable=False),
    Column("nuts3", String(5)),
    Column("capacity", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("last_arrival", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

counter = Table(
    "community_counter", metadata,
    Column("year", Integer, primary_key=True),
    Column("value", Integer, nullable=False),
)

LIVE = ("registered", "waiting")

registration = Table(
    "community_registration", metadata,
    Column("id", String(36), primary_key=True),
    Column("event_id", String(36), ForeignKey("community_event.id"), nullable=False, index=True),
    Column("arrival", Integer, nullable=False),
    Column("name", String(200), nullable=False),
    Column("email", String(254), nullable=False),
    Column("email_key", String(254), nullable=False, index=True),  # the address casefolded
    Column("organisation", String(200)),
    Column("language", String(2), nullable=False),
    Column("status", String(16), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("registered_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("event_id", "arrival"),
    Index("uq_community_registration_live_email", "event_id", "email_key", unique=True,
          postgresql_where=text("status IN ('registered', 'waiting')"),
          sqlite_where=text("status IN ('registered', 'waiting')")),
)

reminder = Table(
    "community_reminder", metadata,
    Column("registration_id", String(36), ForeignKey("community_registration.id"), primary_key=True),
    Column("event_id", String(36), nullable=False, index=True),
    Column("sent_at", UtcDateTime, nullable=False),
)
