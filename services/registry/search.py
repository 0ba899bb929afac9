"""Paged search over the registry's tables: records in creation order, filtered by status and by the
conditions each store adds (text and prefix matches with the kernel's `containing` and `starting_with`)."""
from __future__ import annotations

from sqlalchemy import Connection, Table, and_, select, true

from services.common.db import Page, paged


def in_statuses(table: Table, statuses) -> list:
    """The condition on the record's status, as a list to extend; none for no statuses (all)."""
    return [table.c.status.in_(statuses)] if statuses else []


def page_of(conn: Connection, table: Table, conditions: list, page: int, per_page: int, to_domain) -> Page:
    """One page of the table's records that meet every condition, oldest first, each made by `to_domain`."""
    query = select(table).where(and_(true(), *conditions))
    return paged(conn, query, (table.c.created_at, table.c.id), page, per_page, to_domain)
