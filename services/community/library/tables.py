"""The library's tables (`community_library_*`) and its full-text index, on their own Alembic branch.

The texts are a table of their own, one row per (item, language); the document's bytes are a table of
their own too, so that listing and searching never read them. The index `community_library_fts` is
derived from the texts (services.common.fulltext): created by the migration's hand-written DDL.
"""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import JSON, Column, Connection, ForeignKey, Integer, LargeBinary, String, Table, Text, select

from services.common.db import Component, UtcDateTime, new_metadata
from services.common.fulltext import Index

metadata = new_metadata()
INDEX = Index("community_library_fts")

item = Table(
    "community_library_item", metadata,
    Column("id", String(36), primary_key=True),
    Column("reference", String(40), nullable=False, unique=True),
    Column("kind", String(32), nullable=False, index=True),
    Column("year", Integer, nullable=False, index=True),
    Column("authors", JSON, nullable=False),  # personal data: shown at the site, never in an event
    Column("status", String(16), nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("document_media_type", String(100)),
    Column("document_size", Integer),
    Column("document_sha256", String(64)),
    Column("document_language", String(2)),
    Column("document_filename", String(200)),
    Column("created_by", String(100), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

text = Table(
    "community_library_text", metadata,
    Column("item_id", String(36), ForeignKey("community_library_item.id", ondelete="CASCADE"), primary_key=True),
    Column("language", String(2), primary_key=True),
    Column("position", Integer, nullable=False),  # the order given: the first is the fallback
    Column("title", String(300), nullable=False),
    Column("abstract", Text, nullable=False),
    Column("keywords", String(500), nullable=False),
)

document = Table(
    "community_library_document", metadata,
    Column("item_id", String(36), ForeignKey("community_library_item.id", ondelete="CASCADE"), primary_key=True),
    Column("content", LargeBinary, nullable=False),
)

counter = Table(
    "community_library_counter", metadata,
    Column("year", Integer, primary_key=True),
    Column("value", Integer, nullable=False),
)


def reindex(conn: Connection) -> None:
    """The full-text index rebuilt from the published items' texts (after a restore: backups leave it out)."""
    INDEX.clear(conn)
    rows = conn.execute(select(text).join(item, item.c.id == text.c.item_id).where(item.c.status == "published")
                        .order_by(text.c.item_id, text.c.position)).all()
    texts: dict[str, list[dict]] = {}
    for r in rows:
        texts.setdefault(r.item_id, []).append({"language": r.language, "title": r.title, "abstract": r.abstract,
                                                "keywords": r.keywords})
    for item_id, given in texts.items():
        INDEX.put(conn, item_id, given)


COMPONENT = Component("community_library", metadata, Path(__file__).parent / "migrations" / "versions",
                      reindex=reindex)
