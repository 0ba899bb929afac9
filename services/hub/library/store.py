"""The hub's library table (`hub_library_item`, newest version per (site, item) wins) and its full-text
index `hub_library_fts`, keyed "<site>/<item id>", on their own Alembic branch (`hub_library`)."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import JSON, Column, Connection, Integer, PrimaryKeyConstraint, String, Table, select

from services.common.db import Component, new_metadata
from services.common.fulltext import Index
from services.hub.rows import bookkeeping_columns

metadata = new_metadata()
INDEX = Index("hub_library_fts")

hub_library_item = Table(
    "hub_library_item", metadata,
    *bookkeeping_columns(),
    Column("search_key", String(50), nullable=False, unique=True),  # "<site>/<id>", the index's owner
    Column("reference", String(40)),
    Column("kind", String(32), index=True),
    Column("year", Integer, index=True),
    Column("texts", JSON),  # [{"language", "title", "abstract", "keywords"}]
    Column("languages", String(8)),  # e.g. "de en": which texts there are (for the language filter)
    Column("document_media_type", String(100)),
    Column("document_size", Integer),
    Column("document_sha256", String(64)),
    Column("document_language", String(2)),
    Column("status", String(16), nullable=False, index=True),
    PrimaryKeyConstraint("site", "id"),
)


def search_key(site: str, item_id: str) -> str:
    return f"{site}/{item_id}"


def reindex(conn: Connection) -> None:
    """The full-text index rebuilt from the published items (after a restore: backups leave it out)."""
    INDEX.clear(conn)
    t = hub_library_item
    for key, texts in conn.execute(select(t.c.search_key, t.c.texts).where(t.c.status == "published")):
        INDEX.put(conn, key, texts)


COMPONENT = Component("hub_library", metadata, Path(__file__).parent / "migrations" / "versions", reindex=reindex)
