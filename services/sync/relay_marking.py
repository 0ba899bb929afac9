"""Marking relayed rows published, after the broker's confirms (services/sync/relay.py, step 3).

On PostgreSQL a thread marks on a connection of its own while the relay sequences, signs and sends the next
batch: the mark rewrites every confirmed row, and that work no longer waits for the relay's, nor the relay's
for it (the relay bench ran 10 % faster, bench/README.md). The marks go in the order they were asked for,
each a committed range of confirmed seqs, so "every seq below the first unpublished one is on the bus"
holds at every commit. The relay waits for its marks before it lets go of the stream. After a failed mark
the thread marks nothing more: the rows stay pending and the next run publishes them again, which the
consumers absorb. A run of one batch (a relay keeping up with a trickle of writes) has nothing to overlap:
it marks on the relay's own connection, as SQLite does.

SQLite (one process, one writer at a time) marks at once, on the relay's connection.
"""
from __future__ import annotations

import logging
import queue
import threading
from datetime import datetime
from typing import Callable

from sqlalchemy import Connection, Engine, update

from services.common.outbox import outbox

log = logging.getLogger("sopro.relay")


def mark_published(conn: Connection, stream: str, seqs: list[int], at: datetime) -> int:
    """Mark the rows of `seqs` published `at`: ascending and, but for rows already marked, contiguous (rows
    go out in seq order and only a confirmed prefix is taken), so one range covers them."""
    if not seqs:
        return 0
    conn.execute(update(outbox).where(outbox.c.stream == stream, outbox.c.seq.between(seqs[0], seqs[-1]),
                                      outbox.c.published_at.is_(None)).values(published_at=at))
    return len(seqs)


class MarkingNow:
    """Marks on the relay's own connection, each range in a transaction of its own (SQLite). `clock`: the
    relay's, for the time of publication."""

    def __init__(self, conn: Connection, stream: str, clock: Callable[[], datetime]):
        self.conn, self.stream, self.clock, self.marked = conn, stream, clock, 0

    def mark(self, seqs: list[int]) -> None:
        if seqs:
            with self.conn.begin():
                self.marked += mark_published(self.conn, self.stream, seqs, self.clock())

    last = mark  # the stream's last mark: nothing follows it to overlap with

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        pass


class MarkingAlongside(MarkingNow):
    """Marks on a connection of its own, on its own thread, in the order asked (PostgreSQL); started by the
    first mark that has a batch after it, so a run of one batch marks on the relay's connection, with no
    thread and no second connection. Leaving the block waits for every mark asked for; a failed mark is
    raised there (or at the next `mark`), unless the block is already leaving with an error of its own."""

    def __init__(self, engine: Engine, conn: Connection, stream: str, clock: Callable[[], datetime]):
        super().__init__(conn, stream, clock)
        self.engine = engine
        self._asked: queue.SimpleQueue = queue.SimpleQueue()
        self._failure: BaseException | None = None
        self._thread: threading.Thread | None = None

    def mark(self, seqs: list[int]) -> None:
        if self._failure is not None:
            raise self._failure
        if seqs:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=f"relay-mark {self.stream}", daemon=True)
                self._thread.start()
            self._asked.put((seqs, self.clock()))  # the time the broker's confirms were taken
            self.marked += len(seqs)

    def last(self, seqs: list[int]) -> None:
        if self._thread is None:
            super().mark(seqs)
        else:
            self.mark(seqs)

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._thread is None:
            return
        self._asked.put(None)
        self._thread.join()
        if self._failure is not None and exc is not self._failure:
            if exc is None:
                raise self._failure
            log.warning("marking %s failed as well: %s", self.stream, self._failure)

    def _run(self) -> None:
        try:
            with self.engine.connect() as conn:
                while (asked := self._asked.get()) is not None:
                    with conn.begin():
                        mark_published(conn, self.stream, *asked)
        except Exception as failure:  # noqa: BLE001 - handed to the relay's thread, which raises it
            self._failure = failure
            while self._asked.get() is not None:  # mark nothing after a failed mark
                pass
