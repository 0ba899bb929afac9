"""What the registry holds about a person (GDPR art. 15, 17 and 20): their support statements, with the
audit of each, and the organisations that name them as contact person.

A person is found by e-mail address (compared casefolded) or by one of their statements (id or
reference); statements without an e-mail are found only the second way.
"""
from __future__ import annotations

from sqlalchemy import Connection, func, or_, select, update

from services.common.clock import utcnow
from services.registry.statement_store import audit_trail
from services.registry.tables import organisation, support_statement


def _rows(conn: Connection, query) -> list[dict]:
    return [dict(r._mapping) for r in conn.execute(query)]


def statement_email(conn: Connection, statement: str) -> tuple[list[dict], str | None]:
    """The statement given by id or reference, and its e-mail address (None if it has none)."""
    st = support_statement
    rows = _rows(conn, select(st).where(or_(st.c.id == statement, st.c.reference == statement)))
    return rows, (rows[0]["email"] if rows else None)


def personal_records(conn: Connection, email: str | None = None, statement: str | None = None) -> dict[str, list]:
    st, org = support_statement, organisation
    statements = []
    if statement:
        statements, found = statement_email(conn, statement)
        email = email or found
    if email:
        key = email.strip().casefold()
        known = {s["id"] for s in statements}
        statements += [s for s in _rows(conn, select(st).where(func.lower(st.c.email) == key).order_by(st.c.id))
                       if s["id"] not in known]
    for s in statements:
        s.pop("search_text", None)  # derived from the fields above
        s["audit"] = audit_trail(conn, s["id"])
    contacts = []
    if email:
        contacts = _rows(conn, select(org.c.id, org.c.reference, org.c.name, org.c.status, org.c.contact_name,
                                      org.c.contact_email, org.c.contact_phone)
                         .where(func.lower(org.c.contact_email) == email.strip().casefold()).order_by(org.c.id))
    return {"support_statements": statements, "organisation_contacts": contacts}


def erase_contacts(conn: Connection, email: str) -> dict[str, int]:
    """Empty the contact person of every organisation naming the address, whatever its state (a withdrawn
    one too). No event: the contact person never leaves the site. The version moves on, so a writer
    holding an older copy cannot save the contact back."""
    org = organisation
    done = conn.execute(update(org).where(func.lower(org.c.contact_email) == email.strip().casefold()).values(
        contact_name=None, contact_email=None, contact_phone=None, version=org.c.version + 1,
        updated_at=utcnow()))
    return {"organisation_contacts": done.rowcount}


def statements_of(conn: Connection, email: str) -> list[str]:
    """The ids of the statements giving the address that still hold personal data."""
    st = support_statement
    return list(conn.execute(select(st.c.id).where(func.lower(st.c.email) == email.strip().casefold(),
                                                   st.c.status != "erased").order_by(st.c.id)).scalars())
