"""Database: engines, metadata conventions, the unit of work and migrations.

SQLAlchemy Core throughout. SQLite (embedded mode) and PostgreSQL (distributed mode) run the same code.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import Connection, Engine, MetaData, create_engine, event

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


class CommitHooks:
    """In-process wake-ups after a commit (e.g. the relay polls less when it is told there is work)."""

    def __init__(self):
        self._hooks: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def add(self, hook: Callable[[], None]) -> None:
        with self._lock:
            self._hooks.append(hook)

    def fire(self) -> None:
        for hook in list(self._hooks):
            hook()


class UnitOfWork:
    """One transaction: the handler's state changes and the events they cause commit together.

    Usage::

        with uow:                       # begins
            repo_call(uow.conn, ...)
            uow.record(aggregate)       # its pending events go to the outbox in this transaction
            uow.commit()
    """

    def __init__(self, engine: Engine, site_id: str, hooks: CommitHooks | None = None):
        self.engine = engine
        self.site_id = site_id
        self.hooks = hooks
        self.conn: Connection | None = None
        self._committed = False
        self.correlation_id: str | None = None
        self.causation_id: str | None = None

    def __enter__(self) -> "UnitOfWork":
        self.conn = self.engine.connect()
        self.conn.begin()
        self._committed = False
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self.conn.in_transaction():
                self.conn.rollback()
        finally:
            self.conn.close()
            self.conn = None
        if self._committed and self.hooks is not None:
            self.hooks.fire()

    def record(self, *aggregates, to: str | None = None) -> None:
        from services.common import outbox  # local: outbox imports this module

        for aggregate in aggregates:
            outbox.append(
                self.conn,
                self.site_id,
                aggregate.pop_events(),
                correlation_id=self.correlation_id,
                causation_id=self.causation_id,
                to=to,
            )

    def record_events(self, recorded: Iterable, to: str | None = None) -> None:
        from services.common import outbox

        outbox.append(self.conn, self.site_id, list(recorded), correlation_id=self.correlation_id,
                      causation_id=self.causation_id, to=to)

    def commit(self) -> None:
        self.conn.commit()
        self._committed = True

    def rollback(self) -> None:
        self.conn.rollback()


@dataclass(frozen=True)
class Component:
    """A set of tables with its own Alembic branch: the kernel, or one service."""

    name: str
    metadata: MetaData
    versions_dir: Path
