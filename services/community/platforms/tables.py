"""The table of the stakeholder platform's members (one Alembic branch, `community_platforms`), SQLite and
PostgreSQL alike. One row per organisation: a member that leaves keeps its row (status `left`) and
rejoins in it, so joining twice is decided on one locked row."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import Column, Date, Integer, String, Table

from services.common.db import Component, UtcDateTime, new_metadata

metadata = new_metadata()
COMPONENT = Component("community_platforms", metadata, Path(__file__).parent / "migrations" / "versions")

platform_member = Table(
    "community_platform_member", metadata,
    Column("id", String(36), primary_key=True),  # the organisation's id, as in the registry's events
    Column("country", String(2), nullable=False, index=True),
    Column("role", String(32), nullable=False),
    Column("joined_on", Date, nullable=False),
    Column("left_on", Date),
    Column("status", String(16), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
