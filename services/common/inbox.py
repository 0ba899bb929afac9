"""The inbox: what each consumer has applied, written in the same transaction as the effects.

A tracking row is unique on (consumer, stream, seq) and on (consumer, event id). Inserting it first,
with ON CONFLICT DO NOTHING, tells the consumer whether the event is new; a concurrent duplicate waits
on the unique index and then finds it taken. That is the exactly-once effect.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache

from sqlalchemy import (
    BigInteger, Column, Connection, DateTime, Index, Integer, PrimaryKeyConstraint, String, Table, Text,
    UniqueConstraint, and_, bindparam, or_, select, text, update,
)

from services.common import bulk
from services.common.clock import utcnow
from services.common.db import BigId, dialect_insert, kernel_metadata

APPLIED = "applied"
QUARANTINED = "quarantined"

inbox = Table(
    "inbox",
    kernel_metadata,
    Column("consumer", String(100), nullable=False),
    Column("stream", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("status", String(16), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("consumer", "stream", "seq"),
    UniqueConstraint("consumer", "event_id"),
)

stream_position = Table(
    "stream_position",
    kernel_metadata,
    Column("consumer", String(100), nullable=False),
    Column("stream", String(64), nullable=False),
    # Every seq up to here has been applied (or quarantined): the point to resume the feed from.
    Column("contiguous_seq", BigInteger, nullable=False),
    Column("max_seen_seq", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # The origin's own newest seq, as its feed last reported it (None until the feed was read):
    # how far this consumer is behind the site, not only behind what it has seen.
    Column("source_last_seq", BigInteger),
    PrimaryKeyConstraint("consumer", "stream"),
)

dead_letter = Table(
    "dead_letter",
    kernel_metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("consumer", String(100), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),
    Column("stream", String(64)),
    Column("seq", BigInteger),
    Column("event_id", String(36)),
    # Never the message itself: a site's bug could put personal data in it (see dead_letter_digest).
    Column("envelope", Text),  # JSON: the envelope's own fields, without `data`; null if not a JSON object
    Column("data_sha256", String(64)),  # of `data`, as canonical JSON; null if there was none
    Column("body_sha256", String(64), nullable=False),  # of the message as received (UTF-8)
    Column("body_length", Integer, nullable=False),  # its length in bytes
    # Set when a re-drive applied the message; the row stays as the audit record.
    Column("redriven_at", DateTime(timezone=True)),
    Column("redriven_by", String(100)),
)

# Moderation: a consumer does not apply a paused stream's events (and does not claim them), so they
# are taken from the origin's feed, in order, on resume. Rows are kept as the record of who paused
# what and when; at most one pause of a stream is open (resumed_at IS NULL) at a time.
stream_pause = Table(
    "stream_pause",
    kernel_metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("consumer", String(100), nullable=False),
    Column("stream", String(64), nullable=False),
    Column("paused_at", DateTime(timezone=True), nullable=False),
    Column("paused_by", String(100), nullable=False),
    Column("reason", Text, nullable=False),
    Column("resumed_at", DateTime(timezone=True)),
    Column("resumed_by", String(100)),
    Index("ix_stream_pause_open", "consumer", "stream", unique=True,
          postgresql_where=text("resumed_at IS NULL"), sqlite_where=text("resumed_at IS NULL")),
)


def track(conn: Connection, consumer: str, stream: str, seq: int, event_id: str, status: str = APPLIED) -> bool:
    """Claim (stream, seq) and the event id for this consumer. False if it was applied before."""
    stmt = dialect_insert(conn, inbox).values(
        consumer=consumer, stream=stream, seq=seq, event_id=event_id, status=status, applied_at=utcnow()
    ).on_conflict_do_nothing().returning(inbox.c.seq)
    return conn.execute(stmt).first() is not None


def claim(conn: Connection, consumer: str, events: list[tuple[str, int, str, str]]) -> set[str]:
    """Claim the tracking rows of many events (stream, seq, event id, status) in one statement.

    Returns the ids of the events that were new. The caller passes each event once.
    """
    if not events:
        return set()
    now = utcnow()
    rows = [{"consumer": consumer, "stream": stream, "seq": seq, "event_id": event_id, "status": status,
             "applied_at": now} for stream, seq, event_id, status in events]
    dialect = conn.dialect.name
    return set(conn.execute(_claim_statement(dialect), bulk.parameters(dialect, inbox, _CLAIMED, rows)).scalars())


_CLAIMED = ("consumer", "stream", "seq", "event_id", "status", "applied_at")


@lru_cache(maxsize=4)
def _claim_statement(dialect: str):
    # One cached statement for all the rows (services.common.bulk).
    return bulk.insert(dialect, inbox, _CLAIMED).on_conflict_do_nothing().returning(inbox.c.event_id)


def advance(conn: Connection, consumer: str, stream: str, seen_seq: int) -> tuple[int, int]:
    """Move the stream's contiguous position over every tracked seq. Returns (contiguous, max seen)."""
    return advance_many(conn, consumer, {stream: seen_seq})[stream]


def advance_many(conn: Connection, consumer: str, seen: dict[str, int]) -> dict[str, tuple[int, int]]:
    """`advance` for several streams (stream -> greatest seq seen), in four statements whatever their number.
    The position rows are locked in stream order, so two writers cannot deadlock on them."""
    if not seen:
        return {}
    streams = sorted(seen)
    now = utcnow()
    conn.execute(_position_insert(conn.dialect.name), [
        {"consumer": consumer, "stream": stream, "contiguous_seq": 0, "max_seen_seq": seen[stream],
         "updated_at": now} for stream in streams])
    found = conn.execute(
        select(stream_position.c.stream, stream_position.c.contiguous_seq, stream_position.c.max_seen_seq)
        .where(stream_position.c.consumer == consumer, stream_position.c.stream.in_(streams))
        .order_by(stream_position.c.stream)
        .with_for_update()
    ).all()
    contiguous = {r.stream: r.contiguous_seq for r in found}
    max_seen = {r.stream: max(r.max_seen_seq, seen[r.stream]) for r in found}
    following = conn.execute(
        select(inbox.c.stream, inbox.c.seq)
        .where(inbox.c.consumer == consumer,
               or_(*(and_(inbox.c.stream == stream, inbox.c.seq > contiguous[stream]) for stream in streams)))
        .order_by(inbox.c.stream, inbox.c.seq)
    )
    blocked: set[str] = set()
    for stream, seq in following:
        if stream in blocked:
            continue
        if seq != contiguous[stream] + 1:
            blocked.add(stream)
            continue
        contiguous[stream] = seq
    conn.execute(
        update(stream_position)
        .where(stream_position.c.consumer == bindparam("b_consumer"), stream_position.c.stream == bindparam("b_stream"))
        .values(contiguous_seq=bindparam("b_contiguous"), max_seen_seq=bindparam("b_max_seen"), updated_at=now),
        [{"b_consumer": consumer, "b_stream": stream, "b_contiguous": contiguous[stream], "b_max_seen": max_seen[stream]}
         for stream in streams],
    )
    return {stream: (contiguous[stream], max_seen[stream]) for stream in streams}


@lru_cache(maxsize=4)
def _position_insert(dialect: str):
    return dialect_insert(dialect, stream_position).on_conflict_do_nothing()


def positions(conn: Connection, consumer: str) -> dict[str, tuple[int, int]]:
    rows = conn.execute(
        select(stream_position.c.stream, stream_position.c.contiguous_seq, stream_position.c.max_seen_seq)
        .where(stream_position.c.consumer == consumer)
    )
    return {r.stream: (r.contiguous_seq, r.max_seen_seq) for r in rows}


# The envelope's own fields (services/common/envelope.py), which a dead letter keeps; never `data`.
ENVELOPE_FIELDS = ("id", "type", "version", "site", "stream", "seq", "aggregate_id", "aggregate_version",
                   "occurred_at", "correlation_id", "causation_id", "to", "signature")
_KEPT_TEXT = 200  # a well-formed envelope's texts are shorter; a malformed one's are cut


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", errors="surrogatepass")).hexdigest()


def dead_letter_digest(body: str) -> dict:
    """What the dead-letter table keeps of a message: its envelope's fields without `data`, a SHA-256 of
    `data`, and a SHA-256 and the length of the whole message. Never the data itself, nor unknown fields,
    nor the bytes of a message that is not JSON: a site's bug could put personal data in any of them."""
    raw = body.encode("utf-8", errors="surrogatepass")
    digest = {"envelope": None, "data_sha256": None, "body_sha256": hashlib.sha256(raw).hexdigest(),
              "body_length": len(raw)}
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, or nested too deep to read
        return digest
    if not isinstance(doc, dict):
        return digest
    kept = {k: (v[:_KEPT_TEXT] if isinstance(v, str) else v) for k, v in doc.items()
            if k in ENVELOPE_FIELDS and (v is None or isinstance(v, (str, int, float)))}
    digest["envelope"] = json.dumps(kept, ensure_ascii=False, separators=(",", ":"))
    if "data" in doc:
        digest["data_sha256"] = _sha256(json.dumps(doc["data"], sort_keys=True, ensure_ascii=False,
                                                   separators=(",", ":")))
    return digest


def record_dead_letter(conn: Connection, consumer: str, reason: str, body: str,
                       stream: str | None = None, seq: int | None = None, event_id: str | None = None) -> None:
    """Record a dead letter: where it came from and why, and the digest of its body (not the body)."""
    conn.execute(dead_letter.insert().values(
        consumer=consumer, received_at=utcnow(), reason=reason, stream=stream, seq=seq, event_id=event_id,
        **dead_letter_digest(body),
    ))


def paused_streams(conn: Connection, consumer: str) -> set[str]:
    """The streams whose ingest by `consumer` an operator has paused (and not yet resumed)."""
    return set(conn.execute(
        select(stream_pause.c.stream)
        .where(stream_pause.c.consumer == consumer, stream_pause.c.resumed_at.is_(None))
    ).scalars())


def note_origin_seq(conn: Connection, consumer: str, stream: str, last_seq: int) -> None:
    """Remember the origin's newest seq of `stream`, as its feed reported it (for the lag metrics)."""
    conn.execute(dialect_insert(conn, stream_position).values(
        consumer=consumer, stream=stream, contiguous_seq=0, max_seen_seq=0, updated_at=utcnow()
    ).on_conflict_do_nothing())
    conn.execute(
        update(stream_position)
        .where(stream_position.c.consumer == consumer, stream_position.c.stream == stream)
        .values(source_last_seq=last_seq)
    )
