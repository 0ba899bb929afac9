"""Queries of the consultant directory, and of the hours its consultants delivered."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, func, select

from services.common.db import Page
from services.common.errors import Conflict
from services.common.versioned import save_versioned
from services.enquiries.programmes.consultants import Consultant
from services.enquiries.programmes.hours import to_hours
from services.enquiries.programmes.store import one_row
from services.enquiries.programmes.tables import ACTIVE_BOOKING, booking, consultant


def _consultant(row) -> Consultant:
    return Consultant(id=row.id, name=row.name, expertise=list(row.expertise), languages=list(row.languages),
                      active=row.active, version=row.version, region=row.region, summaries=dict(row.summaries or {}),
                      publications=list(row.publications or []), consent_at=row.profile_consent_at,
                      consent_by=row.profile_consent_by)


def load_consultant(conn: Connection, consultant_id: str, lock: bool = False) -> Consultant:
    return _consultant(one_row(conn, consultant, consultant_id, "consultant", lock))


def save_consultant(conn: Connection, c: Consultant, expected_version: int) -> None:
    row = dict(id=c.id, name=c.name, expertise=list(c.expertise), languages=list(c.languages), active=c.active,
               version=c.version, region=c.region, summaries=dict(c.summaries), publications=list(c.publications),
               profile_consent_at=c.consent_at, profile_consent_by=c.consent_by)
    save_versioned(conn, consultant, row, expected_version, what="consultant")


def delete_consultant(conn: Connection, consultant_id: str) -> None:
    if conn.execute(select(booking.c.id).where(booking.c.consultant_id == consultant_id).limit(1)).first():
        raise Conflict("the consultant has booked hours; set active to false instead", code="consultant_has_bookings")
    conn.execute(consultant.delete().where(consultant.c.id == consultant_id))


def hours_delivered(conn: Connection, consultant_ids: list[str]) -> dict[str, Decimal]:
    rows = conn.execute(select(booking.c.consultant_id, func.sum(booking.c.quarters))
                        .where(booking.c.consultant_id.in_(consultant_ids), booking.c.status == ACTIVE_BOOKING)
                        .group_by(booking.c.consultant_id))
    return {id_: to_hours(quarters) for id_, quarters in rows}


def search_consultants(conn: Connection, *, page: int = 1, per_page: int = 50, active: bool | None = None,
                       division: str | None = None, language: str | None = None, q: str | None = None) -> Page:
    """Filters on the JSON lists run in Python over the (small) directory, the same on both databases."""
    query = select(consultant).order_by(consultant.c.name, consultant.c.id)
    if active is not None:
        query = query.where(consultant.c.active == active)
    found = [_consultant(r) for r in conn.execute(query)]
    found = [c for c in found if (division is None or division in c.expertise)
             and (language is None or language in c.languages)
             and (q is None or q.casefold() in c.name.casefold())]
    start = (page - 1) * per_page
    return Page(found[start:start + per_page], page, per_page, len(found))


def _in_region(expert_region: str | None, wanted: str) -> bool:
    """AT12 finds the experts of AT121 and those of the whole AT12; AT121 also finds those of all of AT12."""
    return expert_region is not None and (expert_region.startswith(wanted) or wanted.startswith(expert_region))


def _mentions(c: Consultant, words: str) -> bool:
    text = " ".join([c.name, *c.summaries.values(), *(p["title"] for p in c.publications)]).casefold()
    return all(word in text for word in words.casefold().split())


def public_experts(conn: Connection, *, limit: int, division: str | None = None, language: str | None = None,
                   region: str | None = None, q: str | None = None) -> Page:
    """The active consultants with a public profile (a consent on record) matching the filters, by name.
    Nothing without a consent is read into the answer."""
    query = (select(consultant).where(consultant.c.active.is_(True), consultant.c.profile_consent_at.is_not(None))
             .order_by(consultant.c.name, consultant.c.id))
    found = [c for c in map(_consultant, conn.execute(query))
             if (division is None or division in c.expertise) and (language is None or language in c.languages)
             and (region is None or _in_region(c.region, region)) and (q is None or _mentions(c, q))]
    return Page(found[:limit], 1, limit, len(found))
