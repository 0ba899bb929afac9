"""How the registry's aggregates are saved and loaded, on SQLite and PostgreSQL alike.

Aggregates are saved with optimistic locking: an update names the version it was loaded at, and a
concurrent change in between turns into a 409 instead of a lost update.
"""
from __future__ import annotations

from sqlalchemy import Connection, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from services.common.clock import utcnow
from services.common.errors import Conflict, NotFound


def search_text(*parts: str | None) -> str:
    """What free-text search looks in: casefolded in Python, because SQLite's lower() is ASCII-only."""
    return "\n".join(p for p in parts if p).casefold()


def save(conn: Connection, table: Table, row: dict, expected_version: int) -> None:
    """Insert a new aggregate (expected version 0) or update the one loaded at `expected_version`."""
    what, now = table.name.removeprefix("registry_"), utcnow()
    try:
        if expected_version == 0:
            conn.execute(insert(table).values(**row, created_at=now, updated_at=now))
            return
        done = conn.execute(update(table).where(table.c.id == row["id"], table.c.version == expected_version)
                            .values(**row, updated_at=now))
    except IntegrityError:
        # A concurrent writer took a unique value (e.g. the registration number) after our check.
        raise Conflict(f"{what} conflicts with a record saved meanwhile", code="concurrent_write") from None
    if done.rowcount != 1:
        raise Conflict(f"{what} {row['id']} was changed concurrently; reload and retry", code="concurrent_update")


def replace_codes(conn: Connection, table: Table, key: str, owner_id: str, codes: list[str]) -> None:
    """The CPV codes of an offer or case study, one row each (`registry_offer_cpv`, `registry_case_study_cpv`)."""
    conn.execute(table.delete().where(table.c[key] == owner_id))
    if codes:
        conn.execute(insert(table), [{key: owner_id, "code": code} for code in codes])


def load_row(conn: Connection, table: Table, id_: str, what: str, lock: bool):
    """The row of an aggregate (locked for update with `lock`); NotFound names it as `what`."""
    query = select(table).where(table.c.id == str(id_))
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"no {what} {id_}")
    return row
