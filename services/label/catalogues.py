"""Which criteria catalogue applies: the versions the agency published for the whole network.

The agency publishes a version at the hub; it reaches every site as the hub's signed directed message
`hub.criteria.published` (services/label/consumers.py), which is stored here as it came and never
changed. Version 1, the network's first catalogue, is bundled (data/criteria-v1.yaml) and applies from
the start. A site has no way to write a version of its own.

`in_force(conn, today)` is the newest version whose `applies_from` has come: new applications, renewals
and spot checks are made under it. `version(conn, n)` is the one an application was made under: an
assessment and a decision keep it, whatever was published since.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, Engine, insert, select

from services.label import catalogue as cat
from services.label.store import criteria

GENESIS = 1  # the bundled version every site and the hub start from
GENESIS_APPLIES_FROM = date(2000, 1, 1)


@dataclass(frozen=True)
class Published:
    version: int
    applies_from: date
    published_at: datetime | None
    catalogue: cat.Catalogue


def _genesis() -> Published:
    return Published(GENESIS, GENESIS_APPLIES_FROM, None, cat.load(GENESIS))


def _published(row) -> Published:
    return Published(row.version, row.applies_from, row.published_at,
                     cat.from_dict(row.body, f"criteria version {row.version}"))


def all_versions(conn: Connection) -> list[Published]:
    """Every version this site knows, oldest first (the bundled first one included)."""
    rows = conn.execute(select(criteria).order_by(criteria.c.version)).all()
    stored = [_published(r) for r in rows]
    return stored if any(p.version == GENESIS for p in stored) else [_genesis(), *stored]


def in_force(conn: Connection, today: date) -> cat.Catalogue:
    """The newest version that applies on `today`."""
    row = conn.execute(select(criteria).where(criteria.c.applies_from <= today)
                       .order_by(criteria.c.version.desc()).limit(1)).first()
    return _published(row).catalogue if row is not None else cat.load(GENESIS)


def version(conn: Connection, number: int) -> cat.Catalogue:
    """Version `number`, as published (LookupError when this site never received it)."""
    row = conn.execute(select(criteria).where(criteria.c.version == int(number))).first()
    if row is not None:
        return _published(row).catalogue
    if int(number) == GENESIS:
        return cat.load(GENESIS)
    raise LookupError(f"no criteria catalogue version {number}")


def version_of(engine: Engine, number: int) -> cat.Catalogue:
    with engine.connect() as conn:
        return version(conn, number)


def in_force_at(engine: Engine, today: date) -> cat.Catalogue:
    with engine.connect() as conn:
        return in_force(conn, today)


def store_published(conn: Connection, body: dict, applies_from: date, published_at: datetime,
                    event_id: str | None) -> bool:
    """Keep a version as the agency published it; a version already held is never replaced (False)."""
    catalogue = cat.from_dict(body, "published criteria")  # refuses a malformed catalogue (CatalogueError)
    if conn.execute(select(criteria.c.version).where(criteria.c.version == catalogue.version)).first():
        return False
    conn.execute(insert(criteria).values(version=catalogue.version, applies_from=applies_from,
                                         published_at=published_at, body=body, event_id=event_id))
    return True
