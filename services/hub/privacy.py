"""What the hub knows about erasures: every support statement's status, never a person.

A site restored from a backup older than an erasure brings the person back; the hub's record of the
erased statements is how the site finds them to erase again (`sopro privacy erased` / `reerase`).
"""
from __future__ import annotations

from sqlalchemy import Connection, select

from services.hub.register.store import hub_support_statement


def erased_statements(conn: Connection, site_id: str) -> list[str]:
    """The ids of `site_id`'s support statements the hub knows as erased."""
    st = hub_support_statement
    return list(conn.execute(select(st.c.id).where(st.c.site == site_id, st.c.status == "erased")
                             .order_by(st.c.id)).scalars())
