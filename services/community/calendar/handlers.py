"""Use cases of community events, one unit of work each.

Whatever touches an event's seats first locks its row (`store.load_event(..., lock=True)`), so
registrations, cancellations and capacity changes of one event are serialised and decided on committed state
(store.py). The event's contract snapshot with its counts goes to the outbox in the same transaction
(`uow.record`), and so does the registrants' mail (notices.py; `mail` None writes none).
"""
from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from services.common.uow import UnitOfWork
from services.community.calendar import notices, store
from services.community.calendar.model import REGISTERED, CommunityEvent, Registration
from services.community.calendar.notices import EventMail
from services.community.calendar.tables import reminder

REMINDER_DAYS = 2


def hash_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Registered:
    """A new registration, its place on the waiting list (None with a seat) and its secret link's token
    (known only in this request and in the mail)."""
    registration: Registration
    position: int | None
    token: str
    event: CommunityEvent


def create_event(uow: UnitOfWork, site, fields: dict, now: datetime) -> CommunityEvent:
    """`site`: the site's config (its id names the reference, its country is the event's)."""
    with uow:
        reference = store.next_reference(uow.conn, site.id, now.year)
        event = CommunityEvent.create(now, id=str(uuid.uuid4()), reference=reference, country=site.country, **fields)
        store.save_event(uow.conn, event, 0)
        uow.record(event)
        uow.commit()
    return event


def update_event(uow: UnitOfWork, event_id: str, changes: dict, now: datetime,
                 mail: EventMail | None = None) -> CommunityEvent:
    """New terms; a raised capacity moves the waiting up at once (and tells them)."""
    with uow:
        event = store.load_event(uow.conn, event_id, lock=True)
        loaded_at = event.version
        moved = event.update(changes, now)
        if event.version != loaded_at:
            store.save_event(uow.conn, event, loaded_at)
            for registration in moved:
                notices.moved_up(uow.conn, mail, event, registration, now)
            uow.record(event)
            uow.commit()
    return event


def cancel_event(uow: UnitOfWork, event_id: str, now: datetime, mail: EventMail | None = None) -> CommunityEvent:
    """Call the event off; everyone registered or waiting hears of it."""
    with uow:
        event = store.load_event(uow.conn, event_id, lock=True)
        loaded_at = event.version
        event.cancel()
        store.save_event(uow.conn, event, loaded_at)
        for registration in event.registrations:
            notices.called_off(uow.conn, mail, event, registration, now)
        uow.record(event)
        uow.commit()
    return event


def register(uow: UnitOfWork, event_id: str, person: dict, now: datetime,
             mail: EventMail | None = None) -> Registered:
    """`person`: name, email, organisation (or None), language. Registered while seats are left, else waiting."""
    token = secrets.token_urlsafe(24)
    with uow:
        event = store.load_event(uow.conn, event_id, lock=True)
        loaded_at = event.version
        registration = event.register(str(uuid.uuid4()), person["name"], person["email"],
                                      person.get("organisation"), person["language"], now)
        store.add_registration(uow.conn, registration, hash_of(token))
        store.save_event(uow.conn, event, loaded_at)
        position = event.position_of(registration)
        notices.registration_confirmed(uow.conn, mail, event, registration, position, token, now)
        uow.record(event)
        uow.commit()
    return Registered(registration, position, token, event)


def find_registration(conn, token: str) -> Registration | None:
    """The registration the secret link opens, or None (unknown, mistyped or over-long)."""
    if not token or len(token) > 100:
        return None
    return store.registration_by_token(conn, hash_of(token))


def cancel_registration(uow: UnitOfWork, event_id: str, registration_id: str, now: datetime,
                        mail: EventMail | None = None) -> Registration:
    """The registrant (or staff) cancels; the seat goes to the longest-waiting, who is told."""
    with uow:
        event = store.load_event(uow.conn, event_id, lock=True)
        loaded_at = event.version
        cancelled, moved = event.cancel_registration(registration_id)
        store.save_event(uow.conn, event, loaded_at, [cancelled])
        for registration in moved:
            notices.moved_up(uow.conn, mail, event, registration, now)
        uow.record(event)
        uow.commit()
    return cancelled


def remind(uow: UnitOfWork, now: datetime, mail: EventMail | None, days: int = REMINDER_DAYS) -> list[tuple[str, int]]:
    """Registered people of scheduled events starting within `days` are reminded, each registration once
    (its reminder row and the mail's key, in one transaction per event). Returns (reference, mails)."""
    with uow.engine.connect() as conn:
        due = [e.id for e in store.events(conn, after=now, include_cancelled=False)
               if now < e.starts_at <= now + timedelta(days=days)]
    done = []
    for event_id in due:
        with uow:
            event = store.load_event(uow.conn, event_id, lock=True)
            sent = set(uow.conn.execute(select(reminder.c.registration_id)
                                        .where(reminder.c.event_id == event_id)).scalars())
            count = 0
            for registration in event.registrations:
                if registration.status != REGISTERED or registration.id in sent:
                    continue
                uow.conn.execute(insert(reminder).values(registration_id=registration.id, event_id=event_id,
                                                         sent_at=now))
                count += notices.reminder(uow.conn, mail, event, registration, now)
            uow.commit()
        done.append((event.reference, count))
    return done


