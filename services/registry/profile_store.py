"""Organisations' public profiles in the registry's tables: one row per language written."""
from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select

from services.registry.tables import organisation_profile


def load_profile(conn: Connection, organisation_id: str) -> dict[str, str]:
    """{language: text} of the organisation's profile; empty if it wrote none."""
    t = organisation_profile
    found = conn.execute(select(t.c.language, t.c.text).where(t.c.organisation_id == organisation_id))
    return {row.language: row.text for row in found}


def save_profile(conn: Connection, organisation_id: str, texts: dict[str, str]) -> None:
    """Make the organisation's profile exactly `texts` (a language left out has no text any more)."""
    t = organisation_profile
    conn.execute(delete(t).where(t.c.organisation_id == organisation_id))
    if texts:
        conn.execute(insert(t), [{"organisation_id": organisation_id, "language": language, "text": text}
                                 for language, text in texts.items()])
