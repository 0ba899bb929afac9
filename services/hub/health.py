"""The federation's health as the agency sees it at the hub: how far behind each stream is, which
streams are paused, and what was dead-lettered.

- Position: every seq up to `contiguous` is applied (or quarantined); `max_seen` is the highest seq
  that reached the hub. `head` is the site's newest seq, read from its feed when asked (the truth
  about lag: events the site has published that the hub has not applied yet). A site that does not
  answer leaves `head` unknown; the lag then counts only what the hub has seen.
- Paused streams come from `services.sync.moderation` when that module is installed.
- Dead letters are the hub ingest consumer's rows in the kernel's `dead_letter` table.

Queries return plain dataclasses; `summarise_streams` (pure) lists every stream the hub expects,
including those it has never heard from.
"""
from __future__ import annotations

import importlib
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable

from sqlalchemy import Connection, func, select

from services.common import inbox

log = logging.getLogger("sopro.hub.health")

HUB_CONSUMER = "hub.ingest"


@dataclass(frozen=True)
class StreamHealth:
    stream: str
    contiguous: int
    max_seen: int
    quarantined: int
    updated_at: datetime | None
    head: int | None = None  # the site's newest seq; None when not asked or unreachable
    paused: bool = False

    @property
    def site(self) -> str:
        return self.stream.split("/", 1)[0]

    @property
    def lag(self) -> int:
        """Events published (or seen) but not yet applied in order."""
        return max(self.head or 0, self.max_seen) - self.contiguous

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


def positions(conn: Connection, consumer: str = HUB_CONSUMER) -> dict[str, tuple[int, int, datetime]]:
    sp = inbox.stream_position
    rows = conn.execute(select(sp.c.stream, sp.c.contiguous_seq, sp.c.max_seen_seq, sp.c.updated_at)
                        .where(sp.c.consumer == consumer))
    return {r.stream: (r.contiguous_seq, r.max_seen_seq, r.updated_at) for r in rows}


def quarantined_counts(conn: Connection, consumer: str = HUB_CONSUMER) -> dict[str, int]:
    ib = inbox.inbox
    rows = conn.execute(select(ib.c.stream, func.count())
                        .where(ib.c.consumer == consumer, ib.c.status == inbox.QUARANTINED).group_by(ib.c.stream))
    return {stream: count for stream, count in rows}


def paused_streams(conn: Connection) -> set[str] | None:
    """The streams moderation has paused, or None when moderation is not installed."""
    try:
        moderation = importlib.import_module("services.sync.moderation")
    except ModuleNotFoundError as exc:
        if exc.name == "services.sync.moderation":
            return None
        raise
    lister = getattr(moderation, "paused_streams", None)
    if lister is None:
        return None
    return {str(s) for s in lister(conn)}


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
    """The newest dead letters of the consumer, and how many there are in all."""
    dl = inbox.dead_letter
    total = conn.execute(select(func.count()).select_from(dl).where(dl.c.consumer == consumer)).scalar_one()
    rows = conn.execute(
        select(dl.c.id, dl.c.received_at, dl.c.reason, dl.c.stream, dl.c.seq, dl.c.event_id)
        .where(dl.c.consumer == consumer).order_by(dl.c.id.desc()).limit(limit)
    )
    return [DeadLetterRow(*r) for r in rows], total


def read_heads(streams: Iterable[str], head_of: Callable[[str], int], workers: int = 8) -> dict[str, int | None]:
    """Ask every stream's site for its newest seq, in parallel; None for a site that does not answer."""
    streams = list(streams)

    def ask(stream: str) -> int | None:
        try:
            return int(head_of(stream))
        except Exception as exc:  # noqa: BLE001 - an unreachable or failing site is shown as unknown
            log.info("head of %s unknown: %s", stream, exc)
            return None

    if not streams:
        return {}
    with ThreadPoolExecutor(max_workers=min(workers, len(streams))) as pool:
        return dict(zip(streams, pool.map(ask, streams)))
