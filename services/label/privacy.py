"""What the label service holds about a person: complaints they filed giving their address as contact."""
from __future__ import annotations

from sqlalchemy import Connection, func, select

from services.label.store import complaint


def personal_records(conn: Connection, email: str | None = None, statement: str | None = None) -> dict[str, list]:
    if not email:
        return {}
    c = complaint
    rows = conn.execute(select(c.c.id, c.c.label_number, c.c.text, c.c.contact, c.c.status, c.c.created_at)
                        .where(func.lower(c.c.contact) == email.strip().casefold()).order_by(c.c.id))
    return {"label_complaints": [dict(r._mapping) for r in rows]}
