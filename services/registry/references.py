"""Human references of the registry's records, e.g. AT12-O-2026-0007: the site, a letter for the kind
of record, the year and a per-site counter (the `registry_counter` table)."""
from __future__ import annotations

from sqlalchemy import Connection

from services.common.db import next_in_counter
from services.registry.tables import counter

# The letter of each kind of record in its reference.
REFERENCE_LETTERS = {"organisation": "O", "offer": "F", "support_statement": "S", "case_study": "C"}


def reference(site_id: str, letter: str, year: int, number: int) -> str:
    return f"{site_id}-{letter}-{year}-{number:04d}"


def next_reference(conn: Connection, site_id: str, kind: str, year: int) -> str:
    """The next reference of a kind of record. Safe under concurrency: the counter row is locked by the
    increment until the caller's transaction ends."""
    letter = REFERENCE_LETTERS[kind]
    return reference(site_id, letter, year, next_in_counter(conn, counter, letter=letter, year=year))
