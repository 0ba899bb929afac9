"""The report of a programme: places, the waiting list, and hours by firm and by consultant (staff only;
it names consultants and firms, so it stays at the site)."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, and_, case, func, select

from services.enquiries.programmes import store, tables
from services.enquiries.programmes.applications import ACCEPTED, CANCELLED, WAITING, WITHDRAWN
from services.enquiries.programmes.hours import FIRST_CONSULTATION, FURTHER, to_hours


def programme_report(conn: Connection, programme_id: str) -> dict:
    programme = store.load_programme(conn, programme_id)
    counts = store.count_by_status(conn, programme.id)
    allowance = programme.first_consultation_hours + programme.further_hours
    by_firm = [{**row, "remaining_hours": max(allowance - row["total_hours"], Decimal(0))}
               for row in hours_by_firm(conn, programme.id)]
    accepted = counts.get(ACCEPTED, 0)
    return {
        "programme_id": programme.id, "name": programme.name, "status": programme.status,
        "places": programme.places, "accepted": accepted, "places_left": max(programme.places - accepted, 0),
        "waiting_list_length": counts.get(WAITING, 0), "withdrawn": counts.get(WITHDRAWN, 0),
        "cancelled": counts.get(CANCELLED, 0), "allowance_hours": allowance,
        "hours_total": sum((row["total_hours"] for row in by_firm), start=Decimal(0)),
        "hours_by_firm": by_firm, "hours_by_consultant": hours_by_consultant(conn, programme.id),
    }


def hours_by_firm(conn: Connection, programme_id: str) -> list[dict]:
    """Every application that holds a place or has hours, in order of arrival, with its hours per kind."""
    a, b = tables.application, tables.booking
    first = func.sum(case((b.c.kind == FIRST_CONSULTATION, b.c.quarters), else_=0))
    further = func.sum(case((b.c.kind == FURTHER, b.c.quarters), else_=0))
    firm = (a.c.id, a.c.organisation_id, a.c.firm_name, a.c.status, a.c.arrival)
    rows = conn.execute(
        select(*firm, first.label("first"), further.label("further"))
        .select_from(a.outerjoin(b, and_(b.c.application_id == a.c.id, b.c.status == tables.ACTIVE_BOOKING)))
        .where(a.c.programme_id == programme_id)
        .group_by(*firm)
        .order_by(a.c.arrival))
    return [dict(application_id=r.id, organisation_id=r.organisation_id, firm_name=r.firm_name, status=r.status,
                 first_consultation_hours=to_hours(r.first), further_hours=to_hours(r.further),
                 total_hours=to_hours((r.first or 0) + (r.further or 0)))
            for r in rows if r.status == ACCEPTED or (r.first or 0) + (r.further or 0) > 0]


def hours_by_consultant(conn: Connection, programme_id: str) -> list[dict]:
    b, c = tables.booking, tables.consultant
    rows = conn.execute(
        select(c.c.id, c.c.name, func.sum(b.c.quarters).label("quarters"))
        .select_from(b.join(c, c.c.id == b.c.consultant_id))
        .where(b.c.programme_id == programme_id, b.c.status == tables.ACTIVE_BOOKING)
        .group_by(c.c.id, c.c.name)
        .order_by(c.c.name, c.c.id))
    return [dict(consultant_id=r.id, name=r.name, hours=to_hours(r.quarters)) for r in rows]
