"""Dead letters: inspect them, and re-drive them through their consumer's processor.

A message is dead-lettered when it was malformed, forged, invalid against its schema, misdirected, or
when its handler failed (DESIGN.md §3.5). The `dead_letter` table keeps its reason, its envelope without
`data` and hashes (services.common.inbox.dead_letter_digest), never the message: a site's bug could put
personal data in it. So after the cause is fixed (a handler bug, a missing reference, a site's key now
listed), `redrive` re-reads the event from its origin by (stream, seq) (`Origins`: the site's own
outbox, or at the hub the member site's feed) and feeds it through the same checks and handler again,
in one transaction. A letter without a (stream, seq) (a message that was not an envelope), or whose
origin holds another event there (a forgery) or none, stays dead and says so. Otherwise:

- still bad (malformed, forged, invalid): the reason is reported again and the letter stays dead;
- its (stream, seq) was quarantined for it: the tracking row becomes `applied` as the handler applies
  it (a conditional update, so two re-drives cannot both apply it);
- not tracked yet (a rejected sender): it is claimed and applied like a new event;
- tracked as applied already (the reconciler pulled the real event from the feed): nothing to do.

A successful re-drive marks the letter `redriven_at`/`redriven_by`; the row stays, for audit. The
copies in the broker's `<queue>.dlq` are not touched: the table is the record.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import json

import requests
from sqlalchemy import Connection, Engine, select, update

from services.common import inbox, logs
from services.common.clock import utcnow
from services.common.db import Page, paged
from services.common.errors import NotFound
from services.common.inbox import dead_letter
from services.common.outbox import outbox
from services.sync.processing import EventProcessor
from services.sync.reconcile import FeedClient

log = logging.getLogger("sopro.deadletters")

STATES = ("dead", "redriven", "all")
SUMMARY = [c for c in dead_letter.c if c.name not in ("envelope", "data_sha256", "body_sha256", "body_length")]

APPLIED = "applied"
ALREADY_APPLIED = "already_applied"
ALREADY_REDRIVEN = "already_redriven"
STILL_DEAD = "still_dead"


@dataclass(frozen=True)
class Redriven:
    id: int
    outcome: str  # one of the constants above
    reason: str | None = None  # why it is still dead

    @property
    def ok(self) -> bool:
        return self.outcome != STILL_DEAD


def _filtered(query, consumer: str | None, state: str):
    if consumer:
        query = query.where(dead_letter.c.consumer == consumer)
    if state == "dead":
        query = query.where(dead_letter.c.redriven_at.is_(None))
    elif state == "redriven":
        query = query.where(dead_letter.c.redriven_at.is_not(None))
    return query


def list_letters(conn: Connection, consumer: str | None = None, state: str = "dead", page: int = 1,
                 per_page: int = 50) -> Page[dict]:
    """A page of dead letters (without their bodies), oldest first, and how many there are."""
    return paged(conn, _filtered(select(*SUMMARY), consumer, state), (dead_letter.c.id,), page, per_page,
                 lambda row: dict(row._mapping))


def get_letter(conn: Connection, letter_id: int) -> dict:
    row = conn.execute(select(dead_letter).where(dead_letter.c.id == letter_id)).first()
    if row is None:
        raise NotFound(f"no dead letter {letter_id}")
    letter = dict(row._mapping)
    letter["envelope"] = json.loads(letter["envelope"]) if letter["envelope"] is not None else None
    return letter


class Unreadable(Exception):
    """The origin of a stream cannot be read from here; the message says why."""


class Origins:
    """Where a dead letter's event is read again by (stream, seq): this site's own streams from its own
    outbox; at the hub, the member sites' streams from their feeds."""

    def __init__(self, engine: Engine, site_id: str, feeds: FeedClient | None = None):
        self.engine = engine
        self.site_id = site_id
        self.feeds = feeds

    def event(self, stream: str, seq: int) -> str | dict | None:
        site = stream.split("/", 1)[0]
        if site == self.site_id:
            with self.engine.connect() as conn:
                return conn.execute(select(outbox.c.envelope).where(outbox.c.stream == stream,
                                                                    outbox.c.seq == seq)).scalar()
        if self.feeds is None:
            raise Unreadable(f"{site}'s events cannot be read again here: {self.site_id} may not read "
                             f"{site}'s feed; the dead letter keeps no copy of the message")
        try:
            return self.feeds.event(stream, seq)
        except requests.RequestException as exc:
            raise Unreadable(f"the feed of {stream} could not be read: {exc}") from None


def origins_of(runtime) -> Origins:
    """The origins a site (or the hub) re-reads dead letters from."""
    if not runtime.settings.is_hub:
        return Origins(runtime.engine, runtime.site_id)
    return Origins(runtime.engine, runtime.site_id, FeedClient(runtime.settings.federation, runtime.federation_token))


def _refetch(letter: dict, origins: Origins) -> tuple[str | dict | None, str | None]:
    """(the origin's event, None) or (None, why it cannot be re-driven)."""
    stream, seq = letter["stream"], letter["seq"]
    if stream is None or seq is None:
        return None, "it names no stream and seq (it was not an envelope), so it cannot be read again"
    try:
        event = origins.event(stream, seq)
    except Unreadable as exc:
        return None, str(exc)
    if event is None:
        return None, f"its origin holds no event at {stream}#{seq}"
    found = (json.loads(event) if isinstance(event, str) else event).get("id")
    if letter["event_id"] is not None and found != letter["event_id"]:
        return None, (f"its origin's event at {stream}#{seq} is another one ({found}): the letter was not "
                      "the origin's (the genuine event is pulled by reconciliation)")
    return event, None


def redrive(processor: EventProcessor, letter_id: int, by: str, origins: Origins) -> Redriven:
    """Read one dead letter's event of `processor`'s consumer again from `origins` and feed it through
    the processor (see the module's docstring)."""
    with processor.engine.connect() as conn:
        letter = get_letter(conn, letter_id)
    if letter["consumer"] != processor.name:
        raise ValueError(f"dead letter {letter_id} belongs to {letter['consumer']}, not {processor.name}")
    if letter["redriven_at"] is not None:
        return Redriven(letter_id, ALREADY_REDRIVEN)
    body, why_not = _refetch(letter, origins)
    if why_not is not None:
        return Redriven(letter_id, STILL_DEAD, why_not)
    env, dead, _ = processor.check(body)
    if dead is not None:
        return Redriven(letter_id, STILL_DEAD, dead.reason)
    try:
        with processor.engine.begin() as conn, logs.bound_event(env):
            if env.stream in inbox.paused_streams(conn, processor.name):
                return Redriven(letter_id, STILL_DEAD, f"{env.stream} is paused; resume it first")
            outcome = _claim_and_apply(conn, processor, env)
            if outcome == STILL_DEAD:
                return Redriven(letter_id, STILL_DEAD, f"{env.stream}#{env.seq} is held by another event")
            marked = conn.execute(update(dead_letter).where(dead_letter.c.id == letter_id,
                                                            dead_letter.c.redriven_at.is_(None))
                                  .values(redriven_at=utcnow(), redriven_by=by))
            if marked.rowcount == 0:  # a concurrent re-drive won; this transaction rolls back
                raise _Lost()
    except _Lost:
        return Redriven(letter_id, ALREADY_REDRIVEN)
    except Exception as exc:  # noqa: BLE001 - the handler still fails: the letter stays dead
        with logs.bound_event(env):
            log.warning("re-drive of dead letter %s failed: %s", letter_id, exc)
        return Redriven(letter_id, STILL_DEAD, f"handler failed for {env.type} {env.stream}#{env.seq}: {exc}")
    with logs.bound_event(env):
        log.info("dead letter %s re-driven by %s: %s", letter_id, by, outcome)
    return Redriven(letter_id, outcome)


class _Lost(Exception):
    pass


def _claim_and_apply(conn: Connection, processor: EventProcessor, env) -> str:
    event_id, name = str(env.id), processor.name
    taken = conn.execute(select(inbox.inbox).where(inbox.inbox.c.consumer == name,
                                                   inbox.inbox.c.stream == env.stream,
                                                   inbox.inbox.c.seq == env.seq)).first()
    if taken is not None and taken.event_id != event_id:
        return STILL_DEAD
    if taken is not None and taken.status == inbox.APPLIED:
        return ALREADY_APPLIED
    if taken is not None:  # quarantined for this very event: take it back, once
        flipped = conn.execute(update(inbox.inbox).where(
            inbox.inbox.c.consumer == name, inbox.inbox.c.stream == env.stream, inbox.inbox.c.seq == env.seq,
            inbox.inbox.c.status == inbox.QUARANTINED).values(status=inbox.APPLIED, applied_at=utcnow()))
        if flipped.rowcount == 0:
            return ALREADY_APPLIED
    elif not inbox.track(conn, name, env.stream, env.seq, event_id):
        return ALREADY_APPLIED
    handler = processor.handlers.get(env.type)
    if handler is not None:
        handler(conn, env)
    inbox.advance(conn, name, env.stream, env.seq)
    return APPLIED


def redrive_all(processor: EventProcessor, by: str, origins: Origins) -> list[Redriven]:
    """Re-drive every open dead letter of `processor`'s consumer, oldest first."""
    with processor.engine.connect() as conn:
        ids = list(conn.execute(select(dead_letter.c.id).where(
            dead_letter.c.consumer == processor.name, dead_letter.c.redriven_at.is_(None)
        ).order_by(dead_letter.c.id)).scalars())
    return [redrive(processor, letter_id, by, origins) for letter_id in ids]
