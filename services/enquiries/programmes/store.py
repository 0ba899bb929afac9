"""Queries of programmes and their applications, and what the other query modules share. SQLite and
PostgreSQL alike. The tables are in tables.py; bookings and consultants have their own query modules.

Concurrency: every change to a programme's places or hours runs while its transaction holds the
programme row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE serialises all writers).
The lock is held until commit, so transactions on one programme run one after the other: an
application's arrival number is taken under the lock and therefore follows commit order, and every
check of places left or hours left reads what the previous holder committed. The partial unique index
on live applications is a second line against a duplicate firm.
"""
from __future__ import annotations

from sqlalchemy import Connection, Table, and_, func, insert, select, true, update
from sqlalchemy.exc import IntegrityError

from services.common.db import Page, paged
from services.common.errors import Conflict, NotFound
from services.common.versioned import save_versioned
from services.enquiries.programmes.applications import LIVE, WAITING, Application, Firm
from services.enquiries.programmes.hours import Usage, to_hours, to_quarters
from services.enquiries.programmes.model import Programme
from services.enquiries.programmes.tables import ACTIVE_BOOKING, application, booking, programme


def page_of(conn: Connection, table: Table, conditions: list, order_by, page: int, per_page: int, to_domain) -> Page:
    """One page of `table`'s rows that meet `conditions`, as domain objects, with the total count."""
    return paged(conn, select(table).where(and_(true(), *conditions)), order_by, page, per_page, to_domain)


def one_row(conn: Connection, table: Table, id_: str, what: str, lock: bool = False):
    """The row of `table` with this id (locked if asked), or NotFound naming `what`."""
    query = select(table).where(table.c.id == str(id_))
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"no {what} {id_}")
    return row


# --- programmes --------------------------------------------------------------------------------------

def _programme(row) -> Programme:
    return Programme(
        id=row.id, name=row.name, funder=row.funder, starts_on=row.starts_on, ends_on=row.ends_on, places=row.places,
        first_consultation_hours=to_hours(row.first_consultation_quarters),
        further_hours=to_hours(row.further_quarters), status=row.status, last_arrival=row.last_arrival,
        version=row.version,
    )


def load_programme(conn: Connection, programme_id: str, lock: bool = False) -> Programme:
    """The programme alone (for reading), or locked with its live applications and their usage (to change it).
    The lock is taken first, so what is read after it is what the previous holder committed."""
    p = _programme(one_row(conn, programme, programme_id, "programme", lock))
    if lock:
        p.applications = [_application(r) for r in conn.execute(
            select(application).where(application.c.programme_id == p.id, application.c.status.in_(LIVE))
            .order_by(application.c.arrival))]
        p.usage = usage_of(conn, p.id)
    return p


def save_programme(conn: Connection, p: Programme, expected_version: int) -> None:
    row = dict(id=p.id, name=p.name, funder=p.funder, starts_on=p.starts_on, ends_on=p.ends_on, places=p.places,
               first_consultation_quarters=to_quarters(p.first_consultation_hours),
               further_quarters=to_quarters(p.further_hours), status=p.status, last_arrival=p.last_arrival,
               version=p.version)
    save_versioned(conn, programme, row, expected_version, what="programme")


def touch_programme(conn: Connection, p: Programme) -> None:
    """Record a new arrival counter without a version bump (applications are not changes of terms)."""
    conn.execute(update(programme).where(programme.c.id == p.id).values(last_arrival=p.last_arrival))


def search_programmes(conn: Connection, *, page: int = 1, per_page: int = 50, status: str | None = None) -> Page:
    conditions = [programme.c.status == status] if status else []
    order = (programme.c.starts_on.desc(), programme.c.created_at, programme.c.id)
    return page_of(conn, programme, conditions, order, page, per_page, _programme)


# --- applications ------------------------------------------------------------------------------------

def _application(row) -> Application:
    return Application(
        id=row.id, programme_id=row.programme_id, firm=Firm(row.firm_name, row.organisation_id),
        arrival=row.arrival, status=row.status, applied_at=row.applied_at, ended_at=row.ended_at, reason=row.reason,
    )


def save_changed_applications(conn: Connection, p: Programme, ended: list[Application] = ()) -> None:
    """Write the applications the programme changed (new, moved up, withdrawn or cancelled)."""
    by_id = {a.id: a for a in [*p.applications, *ended]}
    try:
        for application_id in sorted(p.changed):
            a = by_id[application_id]
            row = dict(status=a.status, ended_at=a.ended_at, reason=a.reason)
            done = conn.execute(update(application).where(application.c.id == a.id).values(**row))
            if done.rowcount == 0:
                conn.execute(insert(application).values(
                    id=a.id, programme_id=a.programme_id, arrival=a.arrival, organisation_id=a.firm.organisation_id,
                    firm_name=a.firm.name, firm_key=a.firm.key, applied_at=a.applied_at, **row))
    except IntegrityError:
        raise Conflict("this firm already has an application to the programme",
                       code="duplicate_application") from None
    p.changed.clear()


def load_application(conn: Connection, programme_id: str, application_id: str) -> Application:
    row = one_row(conn, application, application_id, "application")
    if row.programme_id != programme_id:
        raise NotFound(f"no application {application_id} to programme {programme_id}")
    return _application(row)


def waiting_positions(conn: Connection, programme_id: str) -> dict[str, int]:
    """Each waiting application's place on the waiting list (1 = next to move up)."""
    ids = conn.execute(select(application.c.id).where(application.c.programme_id == programme_id,
                                                      application.c.status == WAITING)
                       .order_by(application.c.arrival)).scalars()
    return {id_: position for position, id_ in enumerate(ids, start=1)}


def search_applications(conn: Connection, programme_id: str, *, page: int = 1, per_page: int = 50,
                        status: str | None = None, organisation_id: str | None = None) -> Page:
    conditions = [application.c.programme_id == programme_id]
    if status:
        conditions.append(application.c.status == status)
    if organisation_id:
        conditions.append(application.c.organisation_id == organisation_id)
    return page_of(conn, application, conditions, (application.c.arrival,), page, per_page, _application)


# --- hours used ------------------------------------------------------------------------------------

def usage_of(conn: Connection, programme_id: str) -> dict[str, Usage]:
    rows = conn.execute(
        select(booking.c.application_id, booking.c.kind, func.sum(booking.c.quarters))
        .where(booking.c.programme_id == programme_id, booking.c.status == ACTIVE_BOOKING)
        .group_by(booking.c.application_id, booking.c.kind))
    usage: dict[str, Usage] = {}
    for application_id, kind, quarters in rows:
        usage[application_id] = usage.get(application_id, Usage()).plus(kind, to_hours(quarters))
    return usage


def count_by_status(conn: Connection, programme_id: str) -> dict[str, int]:
    rows = conn.execute(select(application.c.status, func.count()).where(application.c.programme_id == programme_id)
                        .group_by(application.c.status))
    return {status: count for status, count in rows}
