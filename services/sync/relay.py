"""The outbox relay: sequences committed outbox rows, signs them, publishes them with confirms.

For each stream, under a lock that only one relay process holds at a time:

1. *Sequence* (one transaction): rows that have committed but have no `seq` get the next numbers of
   their stream, in id order, with their signed envelope. A row still uncommitted is invisible here,
   so it gets its number when it has committed: `seq` follows commit order and nothing is skipped.
   (Remembering "the last id sent" would skip a row whose transaction took an id early and committed
   late.)
2. *Publish* the rows in `seq` order, persistent, with publisher confirms through a sliding window
   (services.common.bus.Publisher: at most `window` unconfirmed). The relay does not wait for a batch's
   confirms before sequencing and signing the next: the broker confirms batch N while the database
   works on batch N+1.
3. *Mark* published, only after the confirms, the prefix of sent rows the broker has confirmed: one
   range UPDATE before each batch is sequenced, and once more at the end; on PostgreSQL on a connection
   of its own, while the next batch is sequenced (services/sync/relay_marking.py), and waited for before
   the stream is let go. On a refusal or a timeout the confirmed prefix is marked and the rest stays
   pending. Marking a prefix keeps "every seq below the first unpublished one is on the bus" true (the
   feed's published_seq).

A relay starts each stream by publishing the rows sequenced but never marked. So one that dies
between 2 and 3 publishes the same envelopes again on its next run; consumers
absorb the duplicates by (stream, seq). A second relay on the same database finds the stream locked
and leaves it alone, so nothing is published twice by design.
"""
from __future__ import annotations

import json
import logging
import threading
from collections import deque
from contextlib import contextmanager
from datetime import timezone
from typing import NamedTuple

from sqlalchemy import Connection, Engine, bindparam, func, select, text, update

from services.common.bus import OutgoingMessage, Publisher, PublishError
from services.common.clock import utcnow
from services.common.db import is_postgres
from services.common.envelope import dumps, routing_key, unsigned_fields
from services.common.outbox import outbox, outbox_stream
from services.common.signing import sign
from services.sync.relay_marking import MarkingAlongside, MarkingNow

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


class _Sequenced(NamedTuple):
    id: int
    seq: int
    event_id: str
    type: str
    to_site: str | None
    envelope: str


# One statement for the batch. The envelopes travel as one JSON text: a text[] parameter would have
# psycopg escape every quote of every envelope with a regular expression (~170 us a row).
_SET_SEQUENCED = text(
    "UPDATE outbox SET seq = v.seq, envelope = v.envelope "
    "FROM json_to_recordset(CAST(:batch AS json)) AS v(id bigint, seq bigint, envelope text) "
    "WHERE outbox.id = v.id"
)


def write_sequenced(conn: Connection, rows: list[_Sequenced]) -> None:
    """Write the rows' seq and envelope: one set-based statement on PostgreSQL, an executemany on SQLite."""
    if is_postgres(conn):
        batch = json.dumps([{"id": r.id, "seq": r.seq, "envelope": r.envelope} for r in rows], ensure_ascii=False)
        conn.execute(_SET_SEQUENCED, {"batch": batch})
        return
    conn.execute(update(outbox).where(outbox.c.id == bindparam("row_id"))
                 .values(seq=bindparam("new_seq"), envelope=bindparam("new_envelope")),
                 [{"row_id": r.id, "new_seq": r.seq, "new_envelope": r.envelope} for r in rows])


class _InFlight:
    """The seqs of a stream's messages sent and not yet marked, by the publisher's ticket."""

    def __init__(self, publisher: Publisher):
        self.publisher = publisher
        self.pending: deque[tuple[int, int]] = deque()  # (ticket, seq), both ascending

    def send(self, site_id: str, rows) -> None:
        publisher, pending = self.publisher, self.pending
        with publisher.burst():
            for r in rows:
                ticket = publisher.send(OutgoingMessage(routing_key(site_id, r.type, r.to_site), r.envelope,
                                                        r.event_id))
                pending.append((ticket, r.seq))

    def take_confirmed(self) -> list[int]:
        """The seqs the broker has confirmed since the last call, ascending."""
        confirmed, pending, seqs = self.publisher.confirmed, self.pending, []
        while pending and pending[0][0] <= confirmed:
            seqs.append(pending.popleft()[1])
        return seqs


class Relay:
    def __init__(self, engine: Engine, site_id: str, signing_key, publisher: Publisher, batch_size: int = 500,
                 after_confirm=None):
        self.engine = engine
        self.site_id = site_id
        self.signing_key = signing_key
        self.publisher = publisher
        self.batch_size = batch_size
        # A hook for fault-injection tests: runs with the confirmed rows' seqs before they are marked.
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
                    if held:
                        published += self.relay_stream(conn, stream)
        return published

    def relay_stream(self, conn: Connection, stream: str) -> int:
        """Publish the stream's unpublished rows, then sequence and publish batch after batch while the
        confirms of the previous one are in flight; what has been confirmed is marked before each batch,
        alongside it on PostgreSQL (services/sync/relay_marking.py). On a refusal or a timeout the confirmed
        prefix is marked and PublishError raised."""
        in_flight = _InFlight(self.publisher)
        with self._marking(conn, stream) as marking:
            try:
                last = 0
                while True:  # left over by a relay that died between publishing and marking: first, in seq order
                    rows = self._unpublished(conn, stream, after=last)
                    in_flight.send(self.site_id, rows)
                    if len(rows) < self.batch_size:
                        break
                    last = rows[-1].seq
                while True:
                    marking.mark(self._confirmed(in_flight))
                    with conn.begin():
                        rows = self._sequence(conn, stream)
                    in_flight.send(self.site_id, rows)
                    if len(rows) < self.batch_size:
                        break
                self.publisher.flush()
                marking.last(self._confirmed(in_flight))
            except PublishError:  # raised outside the transactions: keep what the broker did confirm
                confirmed = in_flight.take_confirmed()
                if confirmed:
                    if self.after_confirm is not None:
                        self.after_confirm(confirmed)
                    marking.last(confirmed)
                raise
        return marking.marked

    def _marking(self, conn: Connection, stream: str):
        if is_postgres(conn):
            return MarkingAlongside(self.engine, conn, stream, utcnow)
        return MarkingNow(conn, stream, utcnow)

    def _confirmed(self, in_flight: "_InFlight") -> list[int]:
        self.publisher.poll()
        confirmed = in_flight.take_confirmed()
        if confirmed and self.after_confirm is not None:
            self.after_confirm(confirmed)
        return confirmed

    def _unpublished(self, conn: Connection, stream: str, after: int) -> list:
        with conn.begin():
            return conn.execute(
                select(outbox.c.seq, outbox.c.event_id, outbox.c.type, outbox.c.to_site, outbox.c.envelope)
                .where(outbox.c.stream == stream, outbox.c.seq > after, outbox.c.published_at.is_(None))
                .order_by(outbox.c.seq).limit(self.batch_size)
            ).all()

    def sequence(self, conn: Connection, stream: str) -> int:
        """Give committed, unsequenced rows of `stream` their seq and signed envelope (one batch)."""
        with conn.begin():
            return len(self._sequence(conn, stream))

    def _sequence(self, conn: Connection, stream: str) -> list[_Sequenced]:
        last = conn.execute(
            select(outbox_stream.c.last_seq).where(outbox_stream.c.stream == stream).with_for_update()
        ).scalar()
        if last is None:
            conn.execute(outbox_stream.insert().values(stream=stream, last_seq=0))
            last = 0
        # In id order: ordering by (seq, id), all seq NULL, reads ix_outbox_pending's tail under the stream
        # as it is stored, where ORDER BY id alone would sort the whole backlog for each batch.
        rows = conn.execute(
            select(outbox).where(outbox.c.stream == stream, outbox.c.seq.is_(None), outbox.c.published_at.is_(None))
            .order_by(outbox.c.seq, outbox.c.id).limit(self.batch_size)
        ).all()
        if not rows:
            return []
        sequenced = []
        for row in rows:
            last += 1
            sequenced.append(_Sequenced(row.id, last, row.event_id, row.type, row.to_site, self._envelope(row, last)))
        write_sequenced(conn, sequenced)
        conn.execute(update(outbox_stream).where(outbox_stream.c.stream == stream).values(last_seq=last))
        return sequenced

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

    def run_forever(self, stop: threading.Event, wake: threading.Event | None = None, idle_seconds: float = 0.05,
                    error_backoff: float = 1.0, want_wakeups=None, busy_poll_seconds: float = 0.005) -> None:
        """Relay until `stop` is set. `wake` cuts the idle wait short when a commit signals new rows.

        With `want_wakeups` (PostgreSQL: RelayWakeup.want), writers NOTIFY only while the relay asks for it.
        When rows keep coming (found again at the next look, a few milliseconds later) the relay stops
        asking and polls every `busy_poll_seconds`: at such rates a poll is cheaper than a NOTIFY per write.
        When a look finds nothing it asks again, then looks once more before it sleeps, for rows committed
        by writers that read the old answer."""
        wake = wake or threading.Event()
        wanted = True  # the listener asks for wake-ups whenever it connects
        busy = False  # the last look found rows
        while not stop.is_set():
            try:
                count = self.run_once()
                if want_wakeups is not None:
                    if count and busy and wanted:
                        want_wakeups(False)
                        wanted = False
                    elif not count and not wanted:
                        want_wakeups(True)
                        wanted, busy = True, False
                        continue
            except Exception:  # noqa: BLE001 - the broker or database may be down; keep trying
                log.warning("relay run failed; retrying in %.1fs", error_backoff, exc_info=True)
                self.publisher.close()
                wanted = want_wakeups is None  # ask again once the database answers
                stop.wait(error_backoff)
                continue
            busy = count > 0
            if busy and want_wakeups is not None:
                wake.wait(busy_poll_seconds)
                wake.clear()
            elif not busy:
                self.publisher.keepalive()
                wake.wait(idle_seconds)
                wake.clear()
