"""The criteria catalogues the agency published, as it published them (table `hub_criteria`).

Version 1, the network's first catalogue, is bundled (data/criteria-v1.yaml, the same file every site
bundles) and applies from the start; it is not a row. Every later version is a row, written once, in the
transaction that sends it to the member sites (`publishing`), and never changed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

import yaml
from sqlalchemy import JSON, Column, Connection, Date, Integer, String, Table, insert, select

from services.common.db import UtcDateTime
from services.contracts.events.criteria import CatalogueData
from services.hub.rows import metadata

GENESIS = 1
GENESIS_APPLIES_FROM = date(2000, 1, 1)  # as the sites' services/label/catalogues.py: from the start
GENESIS_FILE = Path(__file__).resolve().parent / "data" / "criteria-v1.yaml"

hub_criteria = Table(
    "hub_criteria",
    metadata,
    Column("version", Integer, primary_key=True, autoincrement=False),
    Column("applies_from", Date, nullable=False),
    Column("published_at", UtcDateTime, nullable=False),
    Column("body", JSON, nullable=False),  # the data of hub.criteria.published, as sent
    Column("published_by", String(200), nullable=False),  # the agency admin's subject
)


@dataclass(frozen=True)
class Version:
    version: int
    applies_from: date
    published_at: datetime | None  # None for the bundled first version
    published_by: str | None
    body: dict  # the contract's shape (CatalogueData, dumped): decimals as strings

    @property
    def criteria(self) -> list[dict]:
        return self.body["criteria"]

    @property
    def title(self) -> dict:
        return self.body["title"]


@lru_cache(maxsize=1)
def genesis() -> Version:
    raw = yaml.safe_load(GENESIS_FILE.read_text(encoding="utf-8"))
    # Read through the contract like any later version (version 1 is below the contract's minimum of 2,
    # so it is checked as 2 and given back its number).
    loaded = CatalogueData().load({**raw, "version": 2, "applies_from": GENESIS_APPLIES_FROM.isoformat()})
    body = {**CatalogueData().dump(loaded), "version": GENESIS}
    return Version(GENESIS, GENESIS_APPLIES_FROM, None, None, body)


def _version(row) -> Version:
    return Version(row.version, row.applies_from, row.published_at, row.published_by, row.body)


def all_versions(conn: Connection) -> list[Version]:
    """Every version, oldest first."""
    rows = conn.execute(select(hub_criteria).order_by(hub_criteria.c.version)).all()
    return [genesis(), *(_version(r) for r in rows)]


def find(conn: Connection, number: int) -> Version | None:
    if number == GENESIS:
        return genesis()
    row = conn.execute(select(hub_criteria).where(hub_criteria.c.version == number)).first()
    return _version(row) if row is not None else None


def newest(conn: Connection, lock: bool = False) -> Version:
    query = select(hub_criteria).order_by(hub_criteria.c.version.desc()).limit(1)
    row = conn.execute(query.with_for_update() if lock else query).first()
    return _version(row) if row is not None else genesis()


def in_force(versions: list[Version], today: date) -> Version:
    """The newest of `versions` whose day has come."""
    return max((v for v in versions if v.applies_from <= today), key=lambda v: v.version)


def add(conn: Connection, body: dict, applies_from: date, published_at: datetime, published_by: str) -> None:
    conn.execute(insert(hub_criteria).values(version=body["version"], applies_from=applies_from,
                                             published_at=published_at, body=body, published_by=published_by))
