"""What the enquiries service holds about a person: enquiries naming them as the client's contact."""
from __future__ import annotations

from sqlalchemy import Connection, func, select

from services.enquiries.lifecycle.tables import enquiry


def personal_records(conn: Connection, email: str | None = None, statement: str | None = None) -> dict[str, list]:
    if not email:
        return {}
    e = enquiry
    rows = conn.execute(select(e.c.id, e.c.reference, e.c.title, e.c.state, e.c.created_at, e.c.contact_name,
                               e.c.contact_email, e.c.contact_phone)
                        .where(func.lower(e.c.contact_email) == email.strip().casefold()).order_by(e.c.id))
    return {"enquiry_contacts": [dict(r._mapping) for r in rows]}
