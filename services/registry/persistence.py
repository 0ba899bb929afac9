"""How the registry's aggregates are saved and loaded, on SQLite and PostgreSQL alike; saving is the
kernel's optimistic locking (services.common.versioned)."""
from __future__ import annotations

from sqlalchemy import Connection, Table, insert, select

from services.common.errors import NotFound
from services.common.versioned import save_versioned


def search_text(*parts: str | None) -> str:
    """What free-text search looks in: casefolded in Python, because SQLite's lower() is ASCII-only."""
    return "\n".join(p for p in parts if p).casefold()


def save(conn: Connection, table: Table, row: dict, expected_version: int) -> None:
    """Insert a new aggregate (expected version 0) or update the one loaded at `expected_version`."""
    save_versioned(conn, table, row, expected_version, what=table.name.removeprefix("registry_"))


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
