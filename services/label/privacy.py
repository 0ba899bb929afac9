"""What the label service holds about a person: complaints whose contact holds their address.

A complaint's contact is free text ("Theo Maier <theo@example.at>"), so a person is found where it
holds their address, in any case; erasure empties it in every state of the complaint.
"""
from __future__ import annotations

from sqlalchemy import Connection, func, select, update

from services.common.clock import utcnow
from services.common.db import containing
from services.label.store import audit_step, complaint


def _holding(email: str):
    return containing(func.lower(complaint.c.contact), email.strip().casefold())


def personal_records(conn: Connection, email: str | None = None, statement: str | None = None) -> dict[str, list]:
    if not email:
        return {}
    c = complaint
    rows = conn.execute(select(c.c.id, c.c.label_number, c.c.text, c.c.contact, c.c.status, c.c.created_at)
                        .where(_holding(email)).order_by(c.c.id))
    return {"label_complaints": [dict(r._mapping) for r in rows]}


def erase_person(conn: Connection, email: str, actor: str, ground: str) -> dict[str, int]:
    """Empty the contact of every complaint holding the address; the audit keeps who, when and why."""
    ids = list(conn.execute(select(complaint.c.id).where(_holding(email))).scalars())
    if ids:
        conn.execute(update(complaint).where(complaint.c.id.in_(ids)).values(contact=None, updated_at=utcnow()))
    for complaint_id in ids:
        audit_step(conn, "complaint", complaint_id, "contact erased", actor, details={"ground": ground})
    return {"label_complaints": len(ids)}
