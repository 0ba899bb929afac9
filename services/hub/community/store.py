"""The hub's community tables (Alembic branch `hub_community`): each site's community events and its
national stakeholder platform's members, as the newest event of each aggregate described them.

Keyed by (site, id) like the consolidated register (`services.hub.rows`): a site only ever changes its own
rows, and a snapshot overwrites a row only when its `aggregate_version` is newer.

Nothing personal is kept: an event holds its public description and its counts (seats taken, people
waiting), never who registered; a platform member is an organisation id with its role, never a person.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import JSON, Boolean, Column, Date, Index, Integer, PrimaryKeyConstraint, String, Table, Text

from services.common.db import Component, UtcDateTime, new_metadata
from services.hub.rows import UUID_STR, bookkeeping_columns

metadata = new_metadata()
COMPONENT = Component("hub_community", metadata, Path(__file__).parent / "migrations" / "versions")

hub_community_event = Table(
    "hub_community_event",
    metadata,
    *bookkeeping_columns(),
    Column("reference", String(40), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("platform_forum", Boolean, nullable=False),
    Column("texts", JSON, nullable=False),  # [{language, title, summary}], as the event gave them
    Column("languages", JSON, nullable=False),  # the languages it is held in
    Column("starts_at", UtcDateTime, nullable=False),
    Column("ends_at", UtcDateTime, nullable=False),
    Column("venue", Text, nullable=False),
    Column("country", String(2), nullable=False),
    Column("nuts3", String(5)),
    Column("capacity", Integer, nullable=False),
    Column("registered", Integer, nullable=False),  # a count, never who
    Column("waiting", Integer, nullable=False),  # a count
    Column("status", String(16), nullable=False),
    PrimaryKeyConstraint("site", "id"),
    Index("ix_hub_community_event_ends_at", "ends_at"),
    Index("ix_hub_community_event_forum", "platform_forum", "site"),
)

# One organisation's membership of its country's platform, keyed by the membership aggregate of its site.
hub_platform_member = Table(
    "hub_platform_member",
    metadata,
    *bookkeeping_columns(),
    Column("organisation_id", UUID_STR, nullable=False),
    Column("country", String(2), nullable=False),
    Column("role", String(32), nullable=False),
    Column("joined_on", Date, nullable=False),
    Column("status", String(16), nullable=False),
    PrimaryKeyConstraint("site", "id"),
    Index("ix_hub_platform_member_country", "country", "status"),
)
