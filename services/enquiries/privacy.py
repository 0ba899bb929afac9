"""What the enquiries service holds about a person: enquiries naming them as the client's contact.

Erasure empties the contact person of every such enquiry in every state; the version moves on, so a
writer holding an older copy of the enquiry cannot save the contact back.
"""
from __future__ import annotations

from sqlalchemy import Connection, func, select, update

from services.enquiries.lifecycle.tables import enquiry


def _naming(email: str):
    return func.lower(enquiry.c.contact_email) == email.strip().casefold()


def personal_records(conn: Connection, email: str | None = None, statement: str | None = None) -> dict[str, list]:
    if not email:
        return {}
    e = enquiry
    rows = conn.execute(select(e.c.id, e.c.reference, e.c.title, e.c.state, e.c.created_at, e.c.contact_name,
                               e.c.contact_email, e.c.contact_phone)
                        .where(_naming(email)).order_by(e.c.id))
    return {"enquiry_contacts": [dict(r._mapping) for r in rows]}


def erase_person(conn: Connection, email: str, actor: str, ground: str) -> dict[str, int]:
    done = conn.execute(update(enquiry).where(_naming(email)).values(
        contact_name=None, contact_email=None, contact_phone=None, version=enquiry.c.version + 1))
    return {"enquiry_contacts": done.rowcount}
