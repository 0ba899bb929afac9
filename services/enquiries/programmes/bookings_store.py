"""Queries of the hours booked on a programme's applications (bookings). A booking is never deleted:
a correction cancels it, and its hours are free again. The caller holds the programme's lock (store.py).
"""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Connection, insert, update

from services.common.clock import utcnow
from services.common.db import Page
from services.common.errors import NotFound
from services.enquiries.programmes.hours import to_hours, to_quarters
from services.enquiries.programmes.store import one_row, page_of
from services.enquiries.programmes.tables import ACTIVE_BOOKING, CANCELLED_BOOKING, booking


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
    row = one_row(conn, booking, booking_id, "booking")
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
    return page_of(conn, booking, conditions, (booking.c.delivered_on, booking.c.booked_at, booking.c.id),
                   page, per_page, _booking_dict)
