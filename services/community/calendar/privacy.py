"""What community events hold about a person: their registrations (name, address, organisation, language),
found by the address in any case.

The export lists each registration with its event's reference. Erasure deletes the person's registrations
(and their reminder rows): a live one first ends as the registrant's own cancellation would, so a waiting
person moves up and the hub's counts follow (in the eraser's transaction), then the rows go. Whoever moves up
that way is not mailed (the eraser has no mail site); the registrant's page shows the seat. The events
themselves name no person and stay.
"""
from __future__ import annotations

from sqlalchemy import Connection, delete, select

from services.common import outbox
from services.community.calendar import store
from services.community.calendar.tables import LIVE, event, registration, reminder


def _of(email: str):
    return registration.c.email_key == email.strip().casefold()


def personal_records(conn: Connection, email: str | None = None, statement: str | None = None) -> dict[str, list]:
    if not email:
        return {}
    r = registration
    rows = conn.execute(select(event.c.reference.label("event"), r.c.id, r.c.name, r.c.email, r.c.organisation,
                               r.c.language, r.c.status, r.c.arrival, r.c.registered_at)
                        .join(event, event.c.id == r.c.event_id).where(_of(email))
                        .order_by(r.c.registered_at, r.c.id))
    return {"community_event_registrations": [dict(row._mapping) for row in rows]}


def live_registrations(conn: Connection, email: str) -> list[tuple[str, str]]:
    """(event id, registration id) of the person's registrations that still hold or wait for a seat."""
    return [tuple(row) for row in conn.execute(select(registration.c.event_id, registration.c.id)
                                               .where(_of(email), registration.c.status.in_(LIVE)))]


def _site_of(reference: str) -> str:
    return reference.split("-V-", 1)[0]  # AT12-V-2026-0003 (store.next_reference)


def erase_person(conn: Connection, email: str, actor: str, ground: str) -> dict[str, int]:
    """Delete the person's registrations. A live one is first cancelled under its event's lock, as the
    registrant's own cancellation: the longest-waiting moves up and the event's new counts go to the outbox
    in this transaction."""
    for event_id, registration_id in sorted(live_registrations(conn, email)):
        held = store.load_event(conn, event_id, lock=True)
        loaded_at = held.version
        cancelled, _moved = held.cancel_registration(registration_id)
        store.save_event(conn, held, loaded_at, [cancelled])
        outbox.append(conn, _site_of(held.reference), held.pop_events())
    ids = list(conn.execute(select(registration.c.id).where(_of(email))).scalars())
    if ids:
        conn.execute(delete(reminder).where(reminder.c.registration_id.in_(ids)))
        conn.execute(delete(registration).where(registration.c.id.in_(ids)))
    return {"community_event_registrations": len(ids)}
