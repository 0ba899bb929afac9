"""The `programmes_*` tables and the queries the handlers and the API need. SQLite and PostgreSQL alike.

Concurrency: every change to a programme's places or hours runs while its transaction holds the
programme row (SELECT ... FOR UPDATE on PostgreSQL; SQLite's BEGIN IMMEDIATE serialises all writers).
The lock is held until commit, so transactions on one programme run one after the other: an
application's arrival number is taken under the lock and therefore follows commit order, and every
check of places left or hours left reads what the previous holder committed. The partial unique index
on live applications is a second line against a duplicate firm.

Hours are stored as whole quarter hours (integers), so sums are exact on both databases.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

from sqlalchemy import (
    JSON, Boolean, Column, Connection, Date, DateTime, ForeignKey, Index, Integer, String, Table, UniqueConstraint,
    and_, func, insert, select, text, true, update,
)
from sqlalchemy.exc import IntegrityError

from services.common.db import Component, new_metadata
from services.common.errors import Conflict, NotFound
from services.enquiries.programmes import model as m

metadata = new_metadata()
COMPONENT = Component("programmes", metadata, Path(__file__).parent / "migrations" / "versions")

ACTIVE_BOOKING, CANCELLED_BOOKING = "active", "cancelled"


def _timestamps():
    return [Column("created_at", DateTime(timezone=True), nullable=False),
            Column("updated_at", DateTime(timezone=True), nullable=False)]


programme = Table(
    "programmes_programme", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("funder", String(200), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("places", Integer, nullable=False),
    Column("first_consultation_quarters", Integer, nullable=False),
    Column("further_quarters", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("last_arrival", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    *_timestamps(),
)

application = Table(
    "programmes_application", metadata,
    Column("id", String(36), primary_key=True),
    Column("programme_id", String(36), ForeignKey("programmes_programme.id"), nullable=False),
    Column("arrival", Integer, nullable=False),
    Column("organisation_id", String(36), index=True),
    Column("firm_name", String(200), nullable=False),
    Column("firm_key", String(250), nullable=False),
    Column("status", String(16), nullable=False),
    Column("applied_at", DateTime(timezone=True), nullable=False),
    Column("ended_at", DateTime(timezone=True)),
    Column("reason", String(500)),
    UniqueConstraint("programme_id", "arrival"),
    # One live application per firm and programme, whatever happens above.
    Index("uq_programmes_application_live_firm", "programme_id", "firm_key", unique=True,
          postgresql_where=text("status IN ('accepted', 'waiting')"),
          sqlite_where=text("status IN ('accepted', 'waiting')")),
)

consultant = Table(
    "programmes_consultant", metadata,
    Column("id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("expertise", JSON, nullable=False),
    Column("languages", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("version", Integer, nullable=False),
    *_timestamps(),
)

booking = Table(
    "programmes_booking", metadata,
    Column("id", String(36), primary_key=True),
    Column("programme_id", String(36), ForeignKey("programmes_programme.id"), nullable=False, index=True),
    Column("application_id", String(36), ForeignKey("programmes_application.id"), nullable=False, index=True),
    Column("consultant_id", String(36), ForeignKey("programmes_consultant.id"), nullable=False, index=True),
    Column("delivered_on", Date, nullable=False),
    Column("kind", String(24), nullable=False),
    Column("quarters", Integer, nullable=False),
    Column("note", String(1000)),
    Column("status", String(16), nullable=False),
    Column("booked_by", String(100), nullable=False),
    Column("booked_at", DateTime(timezone=True), nullable=False),
    Column("cancelled_at", DateTime(timezone=True)),
)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def to_quarters(hours: Decimal) -> int:
    return int(hours * 4)


def to_hours(quarters: int | None) -> Decimal:
    return Decimal(quarters or 0) / 4


@dataclass(frozen=True)
class Page:
    items: list
    page: int
    per_page: int
    total: int


def _page(conn: Connection, table: Table, conditions: list, order_by, page: int, per_page: int, to_domain) -> Page:
    where = and_(true(), *conditions)
    total = conn.execute(select(func.count()).select_from(table).where(where)).scalar_one()
    rows = conn.execute(select(table).where(where).order_by(*order_by).limit(per_page).offset((page - 1) * per_page))
    return Page([to_domain(r) for r in rows], page, per_page, total)


def _one(conn: Connection, table: Table, id_: str, what: str, lock: bool = False):
    query = select(table).where(table.c.id == str(id_))
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(f"no {what} {id_}")
    return row


# --- programmes --------------------------------------------------------------------------------------

def _programme(row) -> m.Programme:
    return m.Programme(
        id=row.id, name=row.name, funder=row.funder, starts_on=row.starts_on, ends_on=row.ends_on, places=row.places,
        first_consultation_hours=to_hours(row.first_consultation_quarters),
        further_hours=to_hours(row.further_quarters), status=row.status, last_arrival=row.last_arrival,
        version=row.version,
    )


def load_programme(conn: Connection, programme_id: str, lock: bool = False) -> m.Programme:
    """The programme alone (for reading), or locked with its live applications and their usage (to change it).
    The lock is taken first, so what is read after it is what the previous holder committed."""
    p = _programme(_one(conn, programme, programme_id, "programme", lock))
    if lock:
        p.applications = [_application(r) for r in conn.execute(
            select(application).where(application.c.programme_id == p.id, application.c.status.in_(m.LIVE))
            .order_by(application.c.arrival))]
        p.usage = usage_of(conn, p.id)
    return p


def save_programme(conn: Connection, p: m.Programme, expected_version: int) -> None:
    now = utcnow()
    row = dict(id=p.id, name=p.name, funder=p.funder, starts_on=p.starts_on, ends_on=p.ends_on, places=p.places,
               first_consultation_quarters=to_quarters(p.first_consultation_hours),
               further_quarters=to_quarters(p.further_hours), status=p.status, last_arrival=p.last_arrival,
               version=p.version)
    if expected_version == 0:
        conn.execute(insert(programme).values(**row, created_at=now, updated_at=now))
        return
    done = conn.execute(update(programme).where(programme.c.id == p.id, programme.c.version == expected_version)
                        .values(**row, updated_at=now))
    if done.rowcount != 1:
        raise Conflict(f"programme {p.id} was changed concurrently; reload and retry", code="concurrent_update")


def touch_programme(conn: Connection, p: m.Programme) -> None:
    """Record a new arrival counter without a version bump (applications are not changes of terms)."""
    conn.execute(update(programme).where(programme.c.id == p.id).values(last_arrival=p.last_arrival))


def search_programmes(conn: Connection, *, page: int = 1, per_page: int = 50, status: str | None = None) -> Page:
    conditions = [programme.c.status == status] if status else []
    return _page(conn, programme, conditions, (programme.c.starts_on.desc(), programme.c.created_at, programme.c.id),
                 page, per_page, _programme)


# --- applications ------------------------------------------------------------------------------------

def _application(row) -> m.Application:
    return m.Application(
        id=row.id, programme_id=row.programme_id, firm=m.Firm(row.firm_name, row.organisation_id),
        arrival=row.arrival, status=row.status, applied_at=row.applied_at, ended_at=row.ended_at, reason=row.reason,
    )


def save_changed_applications(conn: Connection, p: m.Programme, ended: list[m.Application] = ()) -> None:
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


def load_application(conn: Connection, programme_id: str, application_id: str) -> m.Application:
    row = _one(conn, application, application_id, "application")
    if row.programme_id != programme_id:
        raise NotFound(f"no application {application_id} to programme {programme_id}")
    return _application(row)


def waiting_positions(conn: Connection, programme_id: str) -> dict[str, int]:
    """Each waiting application's place on the waiting list (1 = next to move up)."""
    ids = conn.execute(select(application.c.id).where(application.c.programme_id == programme_id,
                                                      application.c.status == m.WAITING)
                       .order_by(application.c.arrival)).scalars()
    return {id_: position for position, id_ in enumerate(ids, start=1)}


def search_applications(conn: Connection, programme_id: str, *, page: int = 1, per_page: int = 50,
                        status: str | None = None, organisation_id: str | None = None) -> Page:
    conditions = [application.c.programme_id == programme_id]
    if status:
        conditions.append(application.c.status == status)
    if organisation_id:
        conditions.append(application.c.organisation_id == organisation_id)
    return _page(conn, application, conditions, (application.c.arrival,), page, per_page, _application)


# --- hours -------------------------------------------------------------------------------------------

def usage_of(conn: Connection, programme_id: str) -> dict[str, m.Usage]:
    rows = conn.execute(
        select(booking.c.application_id, booking.c.kind, func.sum(booking.c.quarters))
        .where(booking.c.programme_id == programme_id, booking.c.status == ACTIVE_BOOKING)
        .group_by(booking.c.application_id, booking.c.kind))
    usage: dict[str, m.Usage] = {}
    for application_id, kind, quarters in rows:
        usage[application_id] = usage.get(application_id, m.Usage()).plus(kind, to_hours(quarters))
    return usage


def add_booking(conn: Connection, *, id: str, programme_id: str, application_id: str, consultant_id: str,
                delivered_on, kind: str, hours: Decimal, note: str | None, booked_by: str) -> dict:
    row = dict(id=id, programme_id=programme_id, application_id=application_id, consultant_id=consultant_id,
               delivered_on=delivered_on, kind=kind, quarters=to_quarters(hours), note=note, status=ACTIVE_BOOKING,
               booked_by=booked_by, booked_at=utcnow(), cancelled_at=None)
    conn.execute(insert(booking).values(**row))
    return _booking_dict(row)


def _booking_dict(row) -> dict:
    data = dict(row if isinstance(row, dict) else row._mapping)
    data["hours"] = to_hours(data.pop("quarters"))
    data["date"] = data.pop("delivered_on")
    return data


def load_booking(conn: Connection, programme_id: str, booking_id: str) -> dict:
    row = _one(conn, booking, booking_id, "booking")
    if row.programme_id != programme_id:
        raise NotFound(f"no booking {booking_id} in programme {programme_id}")
    return _booking_dict(row)


def cancel_booking(conn: Connection, booking_id: str) -> None:
    conn.execute(update(booking).where(booking.c.id == booking_id)
                 .values(status=CANCELLED_BOOKING, cancelled_at=utcnow()))


def search_bookings(conn: Connection, programme_id: str, *, page: int = 1, per_page: int = 50,
                    application_id: str | None = None, consultant_id: str | None = None,
                    status: str | None = None) -> Page:
    conditions = [booking.c.programme_id == programme_id]
    for column, value in ((booking.c.application_id, application_id), (booking.c.consultant_id, consultant_id),
                          (booking.c.status, status)):
        if value:
            conditions.append(column == value)
    return _page(conn, booking, conditions, (booking.c.delivered_on, booking.c.booked_at, booking.c.id),
                 page, per_page, _booking_dict)


# --- consultants -------------------------------------------------------------------------------------

def _consultant(row) -> m.Consultant:
    return m.Consultant(id=row.id, name=row.name, expertise=list(row.expertise), languages=list(row.languages),
                        active=row.active, version=row.version)


def load_consultant(conn: Connection, consultant_id: str, lock: bool = False) -> m.Consultant:
    return _consultant(_one(conn, consultant, consultant_id, "consultant", lock))


def save_consultant(conn: Connection, c: m.Consultant, expected_version: int) -> None:
    now = utcnow()
    row = dict(id=c.id, name=c.name, expertise=list(c.expertise), languages=list(c.languages), active=c.active,
               version=c.version)
    if expected_version == 0:
        conn.execute(insert(consultant).values(**row, created_at=now, updated_at=now))
        return
    done = conn.execute(update(consultant).where(consultant.c.id == c.id, consultant.c.version == expected_version)
                        .values(**row, updated_at=now))
    if done.rowcount != 1:
        raise Conflict(f"consultant {c.id} was changed concurrently; reload and retry", code="concurrent_update")


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


def count_by_status(conn: Connection, programme_id: str) -> dict[str, int]:
    rows = conn.execute(select(application.c.status, func.count()).where(application.c.programme_id == programme_id)
                        .group_by(application.c.status))
    return {status: count for status, count in rows}
