"""The federation's health as the agency sees it at the hub: how far behind each stream is, which
streams are paused, and what was dead-lettered.

- Position (the kernel's `stream_position`): every seq up to `contiguous` is applied (or
  quarantined); `max_seen` is the highest seq that reached the hub; `head` is the site's own newest
  seq as its feed last reported it (None until reconciliation has read the feed). Lag is what the
  site has published, or the hub has seen, beyond what it applied in order.
- Paused streams: the open pauses of moderation (the kernel's `stream_pause`, resumed_at empty).
- Dead letters: the hub ingest consumer's rows in `dead_letter`; a re-driven one stays as the record.

Queries return plain dataclasses; `summarise_streams` (pure) lists every stream the hub expects,
including those it has never heard from.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import Connection, func, select

from services.common import inbox

HUB_CONSUMER = "hub.ingest"


@dataclass(frozen=True)
class StreamHealth:
    stream: str
    contiguous: int
    max_seen: int
    quarantined: int
    updated_at: datetime | None
    head: int | None = None  # the site's newest seq as its feed last said; None until read
    paused: bool = False

    @property
    def site(self) -> str:
        return self.stream.split("/", 1)[0]

    @property
    def newest_known(self) -> int:
        """The site's newest seq as far as the hub knows: what its feed last reported, or what has
        arrived since (the feed is read on reconciliation, events keep arriving in between)."""
        return max(self.head or 0, self.max_seen)

    @property
    def lag(self) -> int:
        """Events published (or seen) but not yet applied in order."""
        return self.newest_known - self.contiguous

    @property
    def gap(self) -> bool:
        """A later event arrived before an earlier one: reconciliation will pull the missing range."""
        return self.max_seen > self.contiguous


@dataclass(frozen=True)
class DeadLetterRow:
    id: int
    received_at: datetime
    reason: str
    stream: str | None
    seq: int | None
    event_id: str | None
    redriven_at: datetime | None = None
    redriven_by: str | None = None


def positions(conn: Connection, consumer: str = HUB_CONSUMER) -> dict[str, tuple[int, int, datetime]]:
    """stream -> (contiguous seq, highest seq seen, when it last moved)."""
    sp = inbox.stream_position
    rows = conn.execute(select(sp.c.stream, sp.c.contiguous_seq, sp.c.max_seen_seq, sp.c.updated_at)
                        .where(sp.c.consumer == consumer))
    return {r.stream: (r.contiguous_seq, r.max_seen_seq, r.updated_at) for r in rows}


def heads(conn: Connection, consumer: str = HUB_CONSUMER) -> dict[str, int]:
    """stream -> the origin's newest seq, for the streams whose feed has been read."""
    sp = inbox.stream_position
    rows = conn.execute(select(sp.c.stream, sp.c.source_last_seq)
                        .where(sp.c.consumer == consumer, sp.c.source_last_seq.is_not(None)))
    return {stream: head for stream, head in rows}


def quarantined_counts(conn: Connection, consumer: str = HUB_CONSUMER) -> dict[str, int]:
    ib = inbox.inbox
    rows = conn.execute(select(ib.c.stream, func.count())
                        .where(ib.c.consumer == consumer, ib.c.status == inbox.QUARANTINED).group_by(ib.c.stream))
    return {stream: count for stream, count in rows}


def paused_streams(conn: Connection, consumer: str = HUB_CONSUMER) -> set[str]:
    """The streams moderation has paused and not resumed."""
    return inbox.paused_streams(conn, consumer)


def summarise_streams(expected: Iterable[str], found: dict[str, tuple[int, int, datetime]],
                      quarantined: dict[str, int], heads: dict[str, int | None] | None = None,
                      paused: set[str] | None = None) -> list[StreamHealth]:
    """Every expected stream and every stream seen, in order of site then service."""
    heads, paused = heads or {}, paused or set()
    streams = sorted(set(expected) | set(found))
    result = []
    for stream in streams:
        contiguous, max_seen, updated_at = found.get(stream, (0, 0, None))
        result.append(StreamHealth(stream, contiguous, max_seen, quarantined.get(stream, 0), updated_at,
                                   heads.get(stream), stream in paused))
    return result


def dead_letters(conn: Connection, limit: int = 50, consumer: str = HUB_CONSUMER) -> tuple[list[DeadLetterRow], int]:
    """The newest dead letters of the consumer, and how many are still open (not re-driven)."""
    dl = inbox.dead_letter
    open_count = conn.execute(select(func.count()).select_from(dl)
                              .where(dl.c.consumer == consumer, dl.c.redriven_at.is_(None))).scalar_one()
    rows = conn.execute(
        select(dl.c.id, dl.c.received_at, dl.c.reason, dl.c.stream, dl.c.seq, dl.c.event_id, dl.c.redriven_at,
               dl.c.redriven_by)
        .where(dl.c.consumer == consumer).order_by(dl.c.id.desc()).limit(limit)
    )
    return [DeadLetterRow(*r) for r in rows], open_count
