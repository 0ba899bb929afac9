"""Queries of community events and their registrations. SQLite and PostgreSQL alike.

Concurrency: every change of an event or of its seats runs while its transaction holds the event's row
(SELECT ... FOR UPDATE on PostgreSQL; SQLite's writers are serialised anyway). The lock is taken first and
held until commit, so registrations of one event run one after the other: an arrival number follows commit
order, and each decision about a seat reads what the previous holder committed. The partial unique index on
live registrations is a second line against one address registering twice.
"""
from __future__ import annotations


from datetime import datetime

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from services.common.clock import utcnow
from services.common.db import next_in_counter
from services.common.errors import Conflict, NotFound
from services.common.versioned import save_versioned
from services.community.calendar.model import LIVE, CommunityEvent, Registration
from services.community.calendar.tables import counter, event, registration

COLUMNS = ("id", "reference", "kind", "scope", "platform_forum", "texts", "languages", "starts_at", "ends_at",
           "venue", "country", "nuts3", "capacity", "status", "last_arrival", "version")


def next_reference(conn: Connection, site_id: str, year: int) -> str:
    """e.g. AT12-V-2026-0003 (V for Veranstaltung); the counter row is locked until commit."""
    return f"{site_id}-V-{year}-{next_in_counter(conn, counter, year=year):04d}"


def _event(row) -> CommunityEvent:
    return CommunityEvent(**{name: getattr(row, name) for name in COLUMNS})


def _registration(row) -> Registration:
    return Registration(id=row.id, event_id=row.event_id, arrival=row.arrival, name=row.name, email=row.email,
                        organisation=row.organisation, language=row.language, status=row.status,
                        registered_at=row.registered_at)


def load_event(conn: Connection, event_id: str, lock: bool = False) -> CommunityEvent:
    """The event alone (to read it), or locked with its live registrations (to change it)."""
    query = select(event).where(event.c.id == str(event_id))
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"no event {event_id}", code="unknown_event")
    found = _event(row)
    if lock:
        found.registrations = registrations_of(conn, found.id, LIVE)
    return found


def save_event(conn: Connection, e: CommunityEvent, expected_version: int, extra: list[Registration] = ()) -> None:
    """The event's row (at the version its snapshot events bumped it to) and the registrations it changed
    (`extra`: those it no longer holds, e.g. a cancelled one)."""
    save_versioned(conn, event, {name: getattr(e, name) for name in COLUMNS}, expected_version, what="event")
    by_id = {r.id: r for r in [*e.registrations, *extra]}
    now = utcnow()
    try:
        for registration_id in sorted(e.changed):
            r = by_id[registration_id]
            done = conn.execute(update(registration).where(registration.c.id == r.id)
                                .values(status=r.status, updated_at=now))
            if done.rowcount == 0:
                raise LookupError(r.id)  # a new one: its token's hash is written by add_registration
    except IntegrityError:
        raise Conflict("this address is already registered for the event", code="duplicate_registration") from None
    e.changed.clear()


def add_registration(conn: Connection, r: Registration, token_hash: str) -> None:
    try:
        conn.execute(insert(registration).values(
            id=r.id, event_id=r.event_id, arrival=r.arrival, name=r.name, email=r.email, email_key=r.email_key,
            organisation=r.organisation, language=r.language, status=r.status, token_hash=token_hash,
            registered_at=r.registered_at, updated_at=r.registered_at))
    except IntegrityError:
        raise Conflict("this address is already registered for the event", code="duplicate_registration") from None


def registrations_of(conn: Connection, event_id: str, statuses=None) -> list[Registration]:
    query = select(registration).where(registration.c.event_id == event_id)
    if statuses:
        query = query.where(registration.c.status.in_(statuses))
    return [_registration(r) for r in conn.execute(query.order_by(registration.c.arrival))]


def registration_by_token(conn: Connection, token_hash: str) -> Registration | None:
    row = conn.execute(select(registration).where(registration.c.token_hash == token_hash)).first()
    return _registration(row) if row else None


def counts(conn: Connection, event_ids: list[str]) -> dict[str, dict[str, int]]:
    """{event id: {"registered": n, "waiting": n}} for the listed events."""
    found = {id_: {"registered": 0, "waiting": 0} for id_ in event_ids}
    if event_ids:
        rows = conn.execute(select(registration.c.event_id, registration.c.status, func.count())
                            .where(registration.c.event_id.in_(event_ids), registration.c.status.in_(LIVE))
                            .group_by(registration.c.event_id, registration.c.status))
        for event_id, status, n in rows:
            found[event_id][status] = n
    return found


def events(conn: Connection, *, after: datetime | None = None, kind: str | None = None,
           include_cancelled: bool = True, limit: int = 500) -> list[CommunityEvent]:
    """Events in order of start (those ending after `after`, if given)."""
    query = select(event)
    if after is not None:
        query = query.where(event.c.ends_at > after)
    if kind:
        query = query.where(event.c.kind == kind)
    if not include_cancelled:
        query = query.where(event.c.status == "scheduled")
    return [_event(r) for r in conn.execute(query.order_by(event.c.starts_at, event.c.id).limit(limit))]


def updated_at(conn: Connection, event_ids: list[str]) -> dict[str, datetime]:
    """When each event last changed (a calendar's LAST-MODIFIED)."""
    if not event_ids:
        return {}
    return dict(conn.execute(select(event.c.id, event.c.updated_at).where(event.c.id.in_(event_ids))).all())
