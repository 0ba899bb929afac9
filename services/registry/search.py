"""Paged search over the registry's tables: text and prefix matches that take the user's input
literally, and pages in creation order."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Table, and_, func, select, true


@dataclass(frozen=True)
class Page:
    items: list
    page: int
    per_page: int
    total: int


def contains(table: Table, text: str):
    """Case-insensitive substring match on the table's search text; the user's % and _ match literally."""
    escaped = text.casefold().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return table.c.search_text.like(f"%{escaped}%", escape="\\")


def starts(column, prefix: str):
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"{escaped}%", escape="\\")


def in_statuses(table: Table, statuses) -> list:
    """The condition on the record's status, as a list to extend; none for no statuses (all)."""
    return [table.c.status.in_(statuses)] if statuses else []


def page_of(conn: Connection, table: Table, conditions: list, page: int, per_page: int, to_domain) -> Page:
    where = and_(true(), *conditions)
    total = conn.execute(select(func.count()).select_from(table).where(where)).scalar_one()
    rows = conn.execute(select(table).where(where).order_by(table.c.created_at, table.c.id)
                        .limit(per_page).offset((page - 1) * per_page))
    return Page([to_domain(r) for r in rows], page, per_page, total)
