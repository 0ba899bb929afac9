"""The outbox relay: sequences committed outbox rows, signs them, publishes them with confirms.

For each stream, under a lock that only one relay process holds at a time:

1. *Sequence* (one transaction): rows that have committed but have no `seq` get the next numbers of
   their stream, in id order, with their signed envelope. A row still uncommitted is invisible here,
   so it gets its number when it has committed: `seq` follows commit order and nothing is skipped.
   (Remembering "the last id sent" would skip a row whose transaction took an id early and committed
   late.)
2. *Publish* the sequenced, unpublished rows in `seq` order as one batch of persistent messages, and
   wait for the broker's confirms.
3. *Mark* them published (one transaction), only after the confirms.

A relay that dies between 2 and 3 publishes the same envelopes again on its next run; consumers
absorb the duplicates by (stream, seq). A second relay on the same database finds the stream locked
and leaves it alone, so nothing is published twice by design.
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from datetime import timezone

from sqlalchemy import Connection, Engine, bindparam, func, select, update

from services.common.bus import OutgoingMessage, Publisher
from services.common.clock import utcnow
from services.common.db import is_postgres
from services.common.envelope import dumps, routing_key, unsigned_fields
from services.common.outbox import outbox, outbox_stream
from services.common.signing import sign

log = logging.getLogger("sopro.relay")

_local_locks: dict[str, threading.Lock] = {}
_local_locks_guard = threading.Lock()


@contextmanager
def stream_lock(conn: Connection, stream: str):
    """Yield True if this relay holds `stream`, False if another relay does."""
    if is_postgres(conn):
        # Advisory locks are database-wide: the key includes the schema, so sites sharing a database
        # (in separate schemas) do not hold each other's streams.
        key = conn.execute(select(func.hashtext(func.current_schema() + ":sopro.relay:" + stream))).scalar()
        got = conn.execute(select(func.pg_try_advisory_lock(key))).scalar()
        conn.commit()
        try:
            yield bool(got)
        finally:
            if got:
                conn.execute(select(func.pg_advisory_unlock(key)))
                conn.commit()
        return
    # SQLite serves one process (embedded mode): a lock per stream within it.
    with _local_locks_guard:
        lock = _local_locks.setdefault(f"{conn.engine.url}:{stream}", threading.Lock())
    got = lock.acquire(blocking=False)
    try:
        yield got
    finally:
        if got:
            lock.release()


class Relay:
    def __init__(self, engine: Engine, site_id: str, signing_key, publisher: Publisher, batch_size: int = 500,
                 after_confirm=None):
        self.engine = engine
        self.site_id = site_id
        self.signing_key = signing_key
        self.publisher = publisher
        self.batch_size = batch_size
        # A hook for fault-injection tests: runs after the broker confirmed, before rows are marked.
        self.after_confirm = after_confirm

    def pending_streams(self, conn: Connection) -> list[str]:
        rows = conn.execute(select(outbox.c.stream).where(outbox.c.published_at.is_(None)).distinct())
        streams = sorted(r.stream for r in rows)
        conn.rollback()
        return streams

    def run_once(self) -> int:
        """Relay everything pending now. Returns how many messages were published and marked."""
        published = 0
        with self.engine.connect() as conn:
            for stream in self.pending_streams(conn):
                with stream_lock(conn, stream) as held:
                    if not held:
                        continue
                    while True:
                        self.sequence(conn, stream)
                        count = self.publish_batch(conn, stream)
                        published += count
                        if count < self.batch_size:
                            break
        return published

    def sequence(self, conn: Connection, stream: str) -> int:
        """Give committed, unsequenced rows of `stream` their seq and signed envelope."""
        with conn.begin():
            last = conn.execute(
                select(outbox_stream.c.last_seq).where(outbox_stream.c.stream == stream).with_for_update()
            ).scalar()
            if last is None:
                conn.execute(outbox_stream.insert().values(stream=stream, last_seq=0))
                last = 0
            rows = conn.execute(
                select(outbox).where(outbox.c.stream == stream, outbox.c.seq.is_(None))
                .order_by(outbox.c.id).limit(self.batch_size)
            ).all()
            if not rows:
                return 0
            updates = []
            for row in rows:
                last += 1
                updates.append({"row_id": row.id, "new_seq": last, "new_envelope": self._envelope(row, last)})
            conn.execute(
                update(outbox).where(outbox.c.id == bindparam("row_id"))
                .values(seq=bindparam("new_seq"), envelope=bindparam("new_envelope")),
                updates,
            )
            conn.execute(update(outbox_stream).where(outbox_stream.c.stream == stream).values(last_seq=last))
        return len(rows)

    def _envelope(self, row, seq: int) -> str:
        """The signed envelope of an outbox row, as the JSON that is published and served by the feed."""
        occurred = row.occurred_at
        if occurred.tzinfo is None:  # SQLite returns naive datetimes; they were written as UTC
            occurred = occurred.replace(tzinfo=timezone.utc)
        fields = unsigned_fields(
            id=row.event_id, type=row.type, version=row.version, site=self.site_id, stream=row.stream, seq=seq,
            aggregate_id=row.aggregate_id, aggregate_version=row.aggregate_version,
            occurred_at=occurred.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
            correlation_id=row.correlation_id, causation_id=row.causation_id, data=row.data, to=row.to_site,
        )
        fields["signature"] = sign(fields, self.signing_key, self.site_id)
        return dumps(fields)

    def publish_batch(self, conn: Connection, stream: str) -> int:
        """Publish sequenced, unpublished rows of `stream` in seq order; mark them after the confirms."""
        with conn.begin():
            rows = conn.execute(
                select(outbox.c.id, outbox.c.event_id, outbox.c.type, outbox.c.to_site, outbox.c.envelope)
                .where(outbox.c.stream == stream, outbox.c.seq.is_not(None), outbox.c.published_at.is_(None))
                .order_by(outbox.c.seq).limit(self.batch_size)
            ).all()
        if not rows:
            return 0
        self.publisher.publish([
            OutgoingMessage(routing_key(self.site_id, r.type, r.to_site), r.envelope, r.event_id) for r in rows
        ])
        if self.after_confirm is not None:
            self.after_confirm(rows)
        with conn.begin():
            conn.execute(update(outbox).where(outbox.c.id.in_([r.id for r in rows])).values(published_at=utcnow()))
        return len(rows)

    def run_forever(self, stop: threading.Event, wake: threading.Event | None = None, idle_seconds: float = 0.05,
                    error_backoff: float = 1.0) -> None:
        """Relay until `stop` is set. `wake` cuts the idle wait short when a commit signals new rows."""
        wake = wake or threading.Event()
        while not stop.is_set():
            try:
                count = self.run_once()
            except Exception:  # noqa: BLE001 - the broker or database may be down; keep trying
                log.warning("relay run failed; retrying in %.1fs", error_backoff, exc_info=True)
                self.publisher.close()
                stop.wait(error_backoff)
                continue
            if count == 0:
                self.publisher.keepalive()
                wake.wait(idle_seconds)
                wake.clear()

