"""Database: engines, metadata conventions, and the components that own tables; and the query idioms
every store shares: the dialect's INSERT with ON CONFLICT, reference counters, literal LIKE matching and
paging (`Page`, `paged`).

SQLAlchemy Core throughout. SQLite (embedded mode) and PostgreSQL (distributed mode) run the same code.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Callable, Generic, Iterator, Sequence, TypeVar

from sqlalchemy import (
    BigInteger, ColumnElement, Connection, DateTime, Engine, Integer, MetaData, Numeric, Row, Select, String, Table,
    create_engine, event, func, select, update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.dml import Insert
from sqlalchemy.types import TypeDecorator

T = TypeVar("T")

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


# The kernel's own tables (outbox, inbox, dead letters, users) live on this metadata.
kernel_metadata = new_metadata()


# --- column types that behave the same on SQLite and PostgreSQL ------------------------------------

BigId = BigInteger().with_variant(Integer, "sqlite")  # SQLite autoincrements only INTEGER keys


class ExactDecimal(TypeDecorator):
    """NUMERIC on PostgreSQL; a decimal string on SQLite, whose NUMERIC would round through a float."""

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int = 18, scale: int = 4):
        super().__init__(precision, scale)
        self.precision, self.scale = precision, scale

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(String(self.precision + 2))
        return dialect.type_descriptor(Numeric(self.precision, self.scale))

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return str(Decimal(value)) if dialect.name == "sqlite" else Decimal(value)

    def process_result_value(self, value, dialect):
        return None if value is None else plain(Decimal(str(value)))


def plain(value: Decimal) -> Decimal:
    """The same number without padding zeros and without an exponent: 12.5000 -> 12.5, 1E+2 -> 100."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


class UtcDateTime(TypeDecorator):
    """A timestamp that is always an aware UTC datetime, on SQLite too (which returns naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value: datetime | None, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def make_engine(url: str, **kwargs) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; take control so that BEGIN is explicit.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    return create_engine(url, **kwargs)


def _sqlite_pragmas(dbapi_conn, _record):
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def is_postgres(conn_or_engine: Connection | Engine) -> bool:
    return conn_or_engine.dialect.name == "postgresql"


def dialect_insert(db: Connection | Engine | str, table: Table) -> Insert:
    """The database's own INSERT (`db` or its dialect's name), which unlike the generic one takes
    ON CONFLICT DO NOTHING / DO UPDATE: both SQLite and PostgreSQL have them, spelled alike."""
    name = db if isinstance(db, str) else db.dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(table)


def next_in_counter(conn: Connection, counter: Table, **key) -> int:
    """The next number (from 1) of `key`'s row in a counter table with a `value` column: the counters
    behind reference numbers. The increment locks the row until the caller's transaction ends, so
    two transactions never take the same number."""
    conn.execute(dialect_insert(conn, counter).values(**key, value=0).on_conflict_do_nothing())
    return conn.execute(update(counter).where(*(counter.c[name] == value for name, value in key.items()))
                        .values(value=counter.c.value + 1).returning(counter.c.value)).scalar_one()


# --- text matching -----------------------------------------------------------------------------------

LIKE_ESCAPE = "\\"


def escape_like(text: str) -> str:
    """`text` for a LIKE pattern with `escape=LIKE_ESCAPE`: a user's % and _ match themselves, not anything."""
    return text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")


def containing(column, text: str) -> ColumnElement[bool]:
    """`column` holds `text` (LIKE, so case-sensitive on PostgreSQL: compare casefolded columns)."""
    return column.like(f"%{escape_like(text)}%", escape=LIKE_ESCAPE)


def starting_with(column, prefix: str) -> ColumnElement[bool]:
    """`column` begins with `prefix`, e.g. a CPV code with a division or a NUTS code with a country."""
    return column.like(f"{escape_like(prefix)}%", escape=LIKE_ESCAPE)


@dataclass(frozen=True)
class Component:
    """A set of tables with its own Alembic branch: the kernel, or one service. `reindex(conn)` rebuilds
    what the component derives from its rows outside its tables (a full-text index), after a restore."""

    name: str
    metadata: MetaData
    versions_dir: Path
    reindex: Callable[[Connection], None] | None = None


# --- paging ------------------------------------------------------------------------------------------

IN_BATCH = 500  # ids per `IN (...)`: far below every driver's parameter limit


def batches(values: Sequence[T], size: int = IN_BATCH) -> Iterator[Sequence[T]]:
    """`values` in slices of at most `size`, for queries with `IN (...)` over many ids."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def offset_of(page: int, per_page: int) -> int:
    return (page - 1) * per_page


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a listing and how many items the whole listing has: what every list API answers."""

    items: list[T]
    page: int
    per_page: int
    total: int

    def as_dict(self, present: Callable[[T], object] = lambda item: item) -> dict:
        """The body of a paged answer, each item as `present` shows it."""
        return {"items": [present(item) for item in self.items], "page": self.page, "per_page": self.per_page,
                "total": self.total}


def paged(conn: Connection, query: Select, order_by, page: int, per_page: int,
          present: Callable[[Row], T] = lambda row: row._mapping) -> Page[T]:
    """One page of `query` in `order_by` order, each row as `present` makes it (a mapping by default),
    and how many rows the whole query has."""
    total = conn.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    rows = conn.execute(query.order_by(*order_by).limit(per_page).offset(offset_of(page, per_page)))
    return Page([present(row) for row in rows], page, per_page, total)
