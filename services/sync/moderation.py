"""Moderation: the hub pauses and resumes its ingest of one site's stream, losing nothing.

While a stream is paused, the hub's event processor skips its events without claiming their
tracking rows (services/sync/processing.py): nothing of the stream is applied, and the position
stays where the pause found it. Nothing is lost either, because the site's feed keeps every event.

Resuming, in this order:

1. pull the stream from the hub's contiguous position to the end of the site's feed, *through* the
   pause, so the held-back events are applied in seq order while live ones are still skipped;
2. close the pause, so live events are applied again;
3. pull once more, for what the site published between 1 and 2.

Tracking rows make every step idempotent, so each event is applied exactly once, whoever pulls it.
If the site's feed is unreachable at step 1, the resume is refused (503) and the stream stays paused:
resuming without the backlog would apply live events before the held-back ones.

Every pause is kept, with who paused and resumed it, when and why.
"""
from __future__ import annotations

import logging

import requests
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from services.common.clock import utcnow
from services.common.errors import Conflict, Unavailable
from services.common.inbox import stream_pause, stream_position
from services.sync.reconcile import Reconciler

log = logging.getLogger("sopro.moderation")


def open_pause(conn, consumer: str, stream: str):
    return conn.execute(select(stream_pause).where(
        stream_pause.c.consumer == consumer, stream_pause.c.stream == stream, stream_pause.c.resumed_at.is_(None)
    )).first()


def pause(engine: Engine, consumer: str, stream: str, by: str, reason: str) -> dict:
    """Pause `consumer`'s ingest of `stream`. 409 if it is paused already."""
    try:
        with engine.begin() as conn:
            conn.execute(stream_pause.insert().values(
                consumer=consumer, stream=stream, paused_at=utcnow(), paused_by=by, reason=reason))
    except IntegrityError:
        raise Conflict(f"{stream} is already paused") from None
    log.warning("%s: ingest of %s paused by %s: %s", consumer, stream, by, reason)
    with engine.connect() as conn:
        return dict(open_pause(conn, consumer, stream)._mapping)


def resume(reconciler: Reconciler, stream: str, by: str) -> dict:
    """Resume the reconciler's consumer on `stream`, applying the held-back events first, in order."""
    consumer, engine = reconciler.processor.name, reconciler.processor.engine
    with engine.connect() as conn:
        held = open_pause(conn, consumer, stream)
    if held is None:
        raise Conflict(f"{stream} is not paused")
    try:
        pulled = reconciler.heal(stream, through_pause=True)
    except requests.RequestException as exc:
        raise Unavailable(f"the feed of {stream} is unreachable, so its backlog cannot be applied first; "
                          "the stream stays paused, try again", {"feed": [type(exc).__name__]}) from None
    with engine.begin() as conn:
        conn.execute(update(stream_pause).where(stream_pause.c.id == held.id, stream_pause.c.resumed_at.is_(None))
                     .values(resumed_at=utcnow(), resumed_by=by))
    try:
        pulled += reconciler.heal(stream)
    except requests.RequestException:
        log.info("%s: feed of %s unreachable right after the resume; the reconciler will catch up", consumer, stream)
    log.warning("%s: ingest of %s resumed by %s; %d held-back events applied", consumer, stream, by, pulled)
    with engine.connect() as conn:
        row = conn.execute(select(stream_pause).where(stream_pause.c.id == held.id)).one()
    return {**row._mapping, "applied": pulled}


def history(engine: Engine, consumer: str, stream: str | None = None) -> list[dict]:
    """Every pause of `consumer` (of one stream, if given), newest first."""
    query = select(stream_pause).where(stream_pause.c.consumer == consumer)
    if stream:
        query = query.where(stream_pause.c.stream == stream)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query.order_by(stream_pause.c.id.desc()))]


def streams(engine: Engine, consumer: str, expected: list[str]) -> list[dict]:
    """Where `consumer` stands on each stream: positions, the origin's last seq, and any open pause."""
    with engine.connect() as conn:
        positions = {r.stream: r for r in conn.execute(select(stream_position)
                                                       .where(stream_position.c.consumer == consumer))}
        pauses = {r.stream: r for r in conn.execute(select(stream_pause).where(
            stream_pause.c.consumer == consumer, stream_pause.c.resumed_at.is_(None)))}
    found = []
    for stream in sorted(set(expected) | set(positions) | set(pauses)):
        pos, held = positions.get(stream), pauses.get(stream)
        found.append({
            "stream": stream,
            "contiguous_seq": pos.contiguous_seq if pos else 0,
            "max_seen_seq": pos.max_seen_seq if pos else 0,
            "origin_last_seq": pos.source_last_seq if pos else None,
            "paused": held is not None,
            "paused_at": held.paused_at if held else None,
            "paused_by": held.paused_by if held else None,
            "reason": held.reason if held else None,
        })
    return found
