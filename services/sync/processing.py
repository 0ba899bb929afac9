"""Applying events exactly once: verify, validate, track and apply, in one transaction per batch.

For every incoming message:

- not a well-formed envelope, or a signature that is not the claimed site's: dead-lettered with the
  reason. Its claimed (stream, seq) is not trusted, so it does not take the place of the real event;
  reconciliation fetches the real one from the site's feed.
- a directed message whose `to` names another site than the consumer's (`addressed_to`): dead-lettered,
  not applied, and its (stream, seq) not claimed: it is another site's message.
- well signed but its data breaks the type's schema: dead-lettered, and its (stream, seq) recorded
  as quarantined, so the stream moves on.
- otherwise: the tracking row is claimed and, if the event is new, the handler applies it, all in the
  transaction that commits the batch. Messages are acknowledged only after that commit.
- an event of a stream an operator paused for this consumer (moderation) is skipped without claiming
  its tracking row: it is neither applied nor lost, and on resume it is pulled from the feed in order.

While a handler runs, the event's correlation id, id, stream and seq are in the log context.
"""
from __future__ import annotations

import copy
import json
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from services.common import inbox, logs
from services.common.envelope import Envelope, MalformedEnvelope
from services.common.jsonschemas import EventValidator, InvalidEventData
from services.common.signing import SignatureError, Verifier

log = logging.getLogger("sopro.consumer")

Handler = Callable[[Connection, Envelope], None]


@dataclass
class DeadLetter:
    body: str
    reason: str
    stream: str | None = None
    seq: int | None = None
    event_id: str | None = None


@dataclass
class Outcome:
    applied: list[Envelope] = field(default_factory=list)
    duplicates: int = 0
    dead: list[DeadLetter] = field(default_factory=list)
    paused: int = 0  # events of paused streams, skipped unclaimed
    # stream -> (contiguous seq, max seen seq) after this batch
    positions: dict[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def gaps(self) -> dict[str, tuple[int, int]]:
        return {s: p for s, p in self.positions.items() if p[1] > p[0]}

    def add(self, part: Outcome) -> None:
        """Count in the outcome of a part of the batch (applied on its own)."""
        self.applied += part.applied
        self.duplicates += part.duplicates
        self.dead += part.dead
        self.paused += part.paused
        self.positions.update(part.positions)


@dataclass(frozen=True)
class Checked:
    """A message and what `EventProcessor.check` said of it, done before the batch is processed."""
    body: object
    result: tuple


def _text(body) -> str:
    if isinstance(body, bytes):
        return body.decode("utf-8", errors="replace")
    return body if isinstance(body, str) else json.dumps(body)


class EventProcessor:
    def __init__(self, name: str, engine: Engine, verifier: Verifier, validator: EventValidator,
                 handlers: dict[str, Handler], accept_site: Callable[[str], bool] = lambda site: True,
                 on_applied: Callable[[Envelope], None] | None = None, addressed_to: str | None = None):
        self.name = name
        self.engine = engine
        self.verifier = verifier
        self.validator = validator
        self.handlers = handlers
        self.accept_site = accept_site
        # A consumer of directed messages (a site's inbox) applies only those whose `to` names it.
        self.addressed_to = addressed_to
        self.on_applied = on_applied
        self.through_pause: frozenset[str] = frozenset()

    def ignoring_pause(self, *streams: str) -> "EventProcessor":
        """This processor, applying the given streams even while they are paused (a resume's catch-up)."""
        clone = copy.copy(self)
        clone.through_pause = frozenset(streams)
        return clone

    def check(self, body) -> tuple[Envelope | None, DeadLetter | None, bool]:
        """(envelope, dead letter, quarantine?) for one raw message."""
        try:
            env = Envelope.parse(body)
        except MalformedEnvelope as exc:
            return None, DeadLetter(_text(body), f"malformed: {exc}"), False
        except RecursionError:  # JSON nested too deep to read: without this, a poison redelivered forever
            return None, DeadLetter(_text(body), "malformed: nested too deeply"), False
        where = dict(stream=env.stream, seq=env.seq, event_id=str(env.id))
        if not self.accept_site(env.site):
            return None, DeadLetter(_text(body), f"site {env.site} is not accepted by {self.name}", **where), False
        try:
            self.verifier.verify(env.unsigned_fields(), env.signature, env.site)
        except SignatureError as exc:
            return None, DeadLetter(_text(body), f"forged: {exc}", **where), False
        if self.addressed_to is not None and env.to != self.addressed_to:  # signed, so `to` can be trusted
            reason = f"misdirected: addressed to {env.to or 'no site'}, not to {self.addressed_to}"
            return None, DeadLetter(_text(body), reason, **where), False
        try:
            self.validator.validate(env.type, env.version, env.data)
        except InvalidEventData as exc:
            return env, DeadLetter(_text(body), f"invalid: {exc}", **where), True
        return env, None, False

    def process(self, bodies: list) -> Outcome:
        """Apply a batch in one transaction; if a handler fails, isolate the poison one by one. A body may
        come `Checked` already (the consumer checks each on another thread as it arrives)."""
        checked = [b.result if isinstance(b, Checked) else self.check(b) for b in bodies]
        try:
            return self._apply(checked)
        except OperationalError:
            raise  # the database is unreachable: nothing is acknowledged, the batch comes again
        except DBAPIError:
            if len(checked) == 1:
                raise
        except Exception as exc:  # noqa: BLE001 - a handler bug must not block the stream
            if len(checked) == 1:
                return self._apply_as_poison(checked[0], exc)
        outcome = Outcome()
        for item in checked:
            try:
                part = self._apply([item])
            except OperationalError:
                raise
            except Exception as exc:  # noqa: BLE001
                part = self._apply_as_poison(item, exc)
            outcome.add(part)
        return outcome

    def _apply(self, checked) -> Outcome:
        outcome = Outcome()
        events = _distinct_events(checked, outcome)
        with self.engine.begin() as conn:
            events, checked = self._without_paused(conn, events, checked, outcome)
            self._record_dead_letters(conn, checked, outcome)
            self._claim_and_apply(conn, events, outcome)
        if self.on_applied is not None:
            for env in outcome.applied:
                with logs.bound_event(env):
                    self.on_applied(env)
        return outcome

    def _without_paused(self, conn: Connection, events: list, checked: list, outcome: Outcome) -> tuple[list, list]:
        """The events and checked messages less those of streams an operator paused (counted as paused)."""
        paused = inbox.paused_streams(conn, self.name) - self.through_pause
        if not paused:
            return events, checked
        outcome.paused = sum(1 for env, _ in events if env.stream in paused)
        # A paused stream's invalid event is quarantined when it is pulled on resume.
        return ([(env, q) for env, q in events if env.stream not in paused],
                [item for item in checked if item[0] is None or item[0].stream not in paused])

    def _record_dead_letters(self, conn: Connection, checked: list, outcome: Outcome) -> None:
        for _, dead, _ in checked:
            if dead is not None:
                inbox.record_dead_letter(conn, self.name, dead.reason, dead.body, dead.stream, dead.seq,
                                         dead.event_id)
                outcome.dead.append(dead)

    def _claim_and_apply(self, conn: Connection, events: list, outcome: Outcome) -> None:
        """Claim the events' tracking rows, apply the new ones that are not quarantined, and move each
        stream's position over what was claimed."""
        new = inbox.claim(conn, self.name, [
            (env.stream, env.seq, str(env.id), inbox.QUARANTINED if quarantine else inbox.APPLIED)
            for env, quarantine in events
        ])
        touched: dict[str, int] = defaultdict(int)
        prepared: dict[Callable, list] = {}
        for env, quarantine in events:
            if str(env.id) not in new:
                outcome.duplicates += 1
                continue
            touched[env.stream] = max(touched[env.stream], env.seq)
            if not quarantine:
                self._handle(conn, env, prepared)
                outcome.applied.append(env)
        _write_prepared(conn, prepared)
        outcome.positions.update(inbox.advance_many(conn, self.name, touched))

    def _handle(self, conn: Connection, env: Envelope, prepared: dict[Callable, list]) -> None:
        """Apply one event; or, for a handler that can write a batch's events together (its `prepare`
        turns the event into what its `write_prepared` writes), prepare it to be written with the others.
        Before a handler that writes on its own, what was prepared is written: effects keep their order."""
        handler = self.handlers.get(env.type)
        if handler is None:
            return
        with logs.bound_event(env):
            prepare = getattr(handler, "prepare", None)
            if prepare is not None:
                prepared.setdefault(handler.write_prepared, []).append(prepare(env))
                return
            _write_prepared(conn, prepared)
            handler(conn, env)

    def _apply_as_poison(self, item, error: Exception | None = None) -> Outcome:
        env, dead, _ = item
        with logs.bound_event(env) if env else logs.bound():
            log.exception("%s: handler failed for %s; quarantining it", self.name, env and env.id)
        reason = f"handler failed for {env.type} {env.stream}#{env.seq}" if env else "handler failed"
        if error is not None:  # the handler's own words say what was wrong with the event
            reason = f"{reason}: {type(error).__name__}: {str(error)[:500]}"
        body = dead.body if dead else env.to_json()
        return self._apply([(env, DeadLetter(body, reason, env.stream, env.seq, str(env.id)), True)])


def _distinct_events(checked: list, outcome: Outcome) -> list[tuple[Envelope, bool]]:
    """Each checked event once (with whether to quarantine it), in stream order; a second copy of an
    event in the batch (a redelivery) counts as a duplicate."""
    events, seen = [], set()
    for env, _, quarantine in checked:
        if env is None:
            continue
        if str(env.id) in seen:
            outcome.duplicates += 1
            continue
        seen.add(str(env.id))
        events.append((env, quarantine))
    events.sort(key=lambda e: (e[0].stream, e[0].seq))
    return events


def _write_prepared(conn: Connection, prepared: dict[Callable, list]) -> None:
    for write, items in prepared.items():
        write(conn, items)
    prepared.clear()
