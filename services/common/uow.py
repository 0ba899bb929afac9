"""The unit of work: one transaction in which a handler's state changes and their events commit."""
from __future__ import annotations

import threading
from typing import Callable, Iterable

from sqlalchemy import Connection, Engine

from services.common import outbox


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

    The events' rows are built when recorded and written with the commit, as the transaction's last
    statement, all of them at once and on PostgreSQL in the COMMIT's message
    (services/common/outbox.write_and_commit).
    Rows a handler writes with outbox.append on `conn` directly come before them.

    A unit of work that joins a caller's transaction (`joining`: a consumer's, which commits it) writes
    its events when they are recorded: it never commits, so it must not hold them back.
    """

    def __init__(self, engine: Engine, site_id: str, hooks: CommitHooks | None = None):
        self.engine = engine
        self.site_id = site_id
        self.hooks = hooks
        self.conn: Connection | None = None
        self._committed = False
        self.correlation_id: str | None = None
        self.causation_id: str | None = None
        self._rows: list[dict] = []
        self._joined = False

    @classmethod
    def joining(cls, conn: Connection, site_id: str, *, correlation_id: str | None = None,
                causation_id: str | None = None) -> "UnitOfWork":
        """A unit of work in `conn`'s open transaction, which its owner commits or rolls back."""
        uow = cls(conn.engine, site_id)
        uow.conn, uow._joined = conn, True
        uow.correlation_id, uow.causation_id = correlation_id, causation_id
        return uow

    def __enter__(self) -> "UnitOfWork":
        self.conn = self.engine.connect()
        self.conn.begin()
        self._committed = False
        self._rows = []
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
        for aggregate in aggregates:
            self.record_events(aggregate.pop_events(), to=to)

    def record_events(self, recorded: Iterable, to: str | None = None) -> None:
        rows = outbox.rows_of(self.site_id, list(recorded), correlation_id=self.correlation_id,
                              causation_id=self.causation_id, to=to)
        if self._joined:
            outbox.write(self.conn, rows)
        else:
            self._rows += rows

    def commit(self) -> None:
        if self._joined:
            raise RuntimeError("a unit of work joining a transaction leaves the commit to its owner")
        rows, self._rows = self._rows, []
        outbox.write_and_commit(self.conn, rows)
        self._committed = True

    def rollback(self) -> None:
        self._rows = []
        self.conn.rollback()
