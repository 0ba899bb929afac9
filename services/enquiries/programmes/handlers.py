"""Use cases of consultation programmes and the consultant directory.

Each handler runs in one unit of work. Whatever touches a programme's places or hours first locks the
programme (`store.load_programme(..., lock=True)`), so applications, withdrawals and bookings of one
programme are serialised and decided on committed state (see store.py). No events are published.

`acting_for` restricts a member to its own organisation's applications (None for staff). `mail` (the
site's address and languages, `notices.mail_site(runtime)`): the applicant's mail about a place or a booking
is written in the same transaction (notices.py); None writes none.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from services.common.clock import utcnow
from services.common.errors import Conflict, Forbidden, Invalid, NotFound
from services.common.uow import UnitOfWork
from services.enquiries.programmes import bookings_store, consultants_store, notices, store, tables
from services.enquiries.programmes.applications import ACCEPTED, Application, Firm
from services.enquiries.programmes.consultants import Consultant
from services.enquiries.programmes.model import Programme
from services.web.notify import MailSite


def _new_id() -> str:
    return str(uuid.uuid4())


def _check_member(acting_for: str | None, organisation_id: str | None) -> None:
    if acting_for is not None and acting_for != organisation_id:
        raise Forbidden("a member may only act for its own organisation")


# --- programmes --------------------------------------------------------------------------------------

def create_programme(uow: UnitOfWork, fields: dict) -> Programme:
    with uow:
        programme = Programme.create(id=_new_id(), **fields)
        store.save_programme(uow.conn, programme, 0)
        uow.commit()
    return programme


def _tell_moved_up(uow: UnitOfWork, mail: MailSite | None, programme: Programme, waiting: set[str]) -> None:
    """The firms that waited (`waiting`, before the change) and hold a place now hear of it."""
    for application in programme.applications:
        if application.id in waiting and application.status == ACCEPTED:
            notices.place_given(uow.conn, mail, programme, application, True, utcnow())


def update_programme(uow: UnitOfWork, programme_id: str, changes: dict, mail: MailSite | None = None) -> Programme:
    """New terms; more places take firms off the waiting list at once."""
    with uow:
        programme = store.load_programme(uow.conn, programme_id, lock=True)
        loaded_at = programme.version
        waiting = {a.id for a in programme.waiting_list}
        if programme.update(**changes):
            store.save_programme(uow.conn, programme, loaded_at)
            store.save_changed_applications(uow.conn, programme)
            _tell_moved_up(uow, mail, programme, waiting)
            uow.commit()
    return programme


def close_programme(uow: UnitOfWork, programme_id: str) -> Programme:
    with uow:
        programme = store.load_programme(uow.conn, programme_id, lock=True)
        loaded_at = programme.version
        programme.close()
        store.save_programme(uow.conn, programme, loaded_at)
        uow.commit()
    return programme


# --- applications ------------------------------------------------------------------------------------

def apply(uow: UnitOfWork, programme_id: str, firm: Firm, now: datetime,
          acting_for: str | None = None, mail: MailSite | None = None) -> tuple[Application, int | None]:
    """A firm applies. Returns the application and, if it waits, its place on the waiting list."""
    _check_member(acting_for, firm.organisation_id)
    with uow:
        programme = store.load_programme(uow.conn, programme_id, lock=True)
        application = programme.apply(_new_id(), firm, now)
        store.touch_programme(uow.conn, programme)
        store.save_changed_applications(uow.conn, programme)
        position = programme.position_of(application)
        if application.status == ACCEPTED:
            notices.place_given(uow.conn, mail, programme, application, False, now)
        uow.commit()
    return application, position


def end_application(uow: UnitOfWork, programme_id: str, application_id: str, status: str, now: datetime,
                    reason: str | None, acting_for: str | None = None, mail: MailSite | None = None) -> Application:
    """Withdraw (the firm) or cancel (the site) an application; its place goes to the next in line."""
    with uow:
        application = store.load_application(uow.conn, programme_id, application_id)  # 404 first
        _check_member(acting_for, application.firm.organisation_id)
        programme = store.load_programme(uow.conn, programme_id, lock=True)
        waiting = {a.id for a in programme.waiting_list}
        ended = programme.end(application_id, status, now, reason)
        store.save_changed_applications(uow.conn, programme, [ended])
        _tell_moved_up(uow, mail, programme, waiting)
        uow.commit()
    return ended


# --- bookings ----------------------------------------------------------------------------------------

def book_hours(uow: UnitOfWork, programme_id: str, fields: dict, today: date, booked_by: str,
               mail: MailSite | None = None) -> dict:
    """A consultant's hours with a firm, counted against the firm's allowance; never beyond it."""
    with uow:
        programme = store.load_programme(uow.conn, programme_id, lock=True)
        try:
            consultant = consultants_store.load_consultant(uow.conn, fields["consultant_id"])
        except NotFound:
            raise Invalid("unknown consultant", {"consultant_id": ["no such consultant at this site"]}) from None
        try:
            application = store.load_application(uow.conn, programme_id, fields["application_id"])
        except NotFound:
            raise Invalid("unknown application", {"application_id": ["no such application to this programme"]}) \
                from None
        consultant.require_active()
        programme.book(fields["application_id"], fields["kind"], fields["hours"], fields["date"], today)
        booking = bookings_store.add_booking(
            uow.conn, id=_new_id(), programme_id=programme_id, application_id=fields["application_id"],
            consultant_id=consultant.id, delivered_on=fields["date"], kind=fields["kind"], hours=fields["hours"],
            note=fields.get("note"), booked_by=booked_by)
        notices.booking_changed(uow.conn, mail, programme, application, booking, False, utcnow())
        uow.commit()
    return booking


def cancel_booking(uow: UnitOfWork, programme_id: str, booking_id: str, mail: MailSite | None = None) -> dict:
    """Correct a mistaken booking: its hours go back to the firm's allowance and off the consultant's."""
    with uow:
        programme = store.load_programme(uow.conn, programme_id, lock=True)
        booking = bookings_store.load_booking(uow.conn, programme_id, booking_id)
        if booking["status"] != tables.ACTIVE_BOOKING:
            raise Conflict("the booking is already cancelled", code="booking_cancelled")
        programme.unbook(booking["application_id"], booking["kind"], booking["hours"])
        bookings_store.cancel_booking(uow.conn, booking_id)
        cancelled = bookings_store.load_booking(uow.conn, programme_id, booking_id)
        application = store.load_application(uow.conn, programme_id, booking["application_id"])
        notices.booking_changed(uow.conn, mail, programme, application, cancelled, True, utcnow())
        uow.commit()
    return cancelled


# --- consultants -------------------------------------------------------------------------------------

def enrol_consultant(uow: UnitOfWork, fields: dict, recorded_by: str | None = None) -> Consultant:
    """`public_profile: true` records the expert's consent to a public profile, given to `recorded_by`."""
    fields = dict(fields)
    public_profile = fields.pop("public_profile", False)
    with uow:
        consultant = Consultant.enrol(id=_new_id(), **fields)
        consultant.record_consent(bool(public_profile), recorded_by, utcnow())
        consultants_store.save_consultant(uow.conn, consultant, 0)
        uow.commit()
    return consultant


def update_consultant(uow: UnitOfWork, consultant_id: str, changes: dict, recorded_by: str | None = None) -> Consultant:
    """`public_profile` false withdraws the consent: the profile is hidden from the next request on."""
    changes = dict(changes)
    public_profile = changes.pop("public_profile", None)
    with uow:
        consultant = consultants_store.load_consultant(uow.conn, consultant_id, lock=True)
        loaded_at = consultant.version
        changed = consultant.update(**changes)
        if public_profile is not None and consultant.record_consent(public_profile, recorded_by, utcnow()):
            consultant.version += 0 if changed else 1
            changed = True
        if changed:
            consultants_store.save_consultant(uow.conn, consultant, loaded_at)
            uow.commit()
    return consultant


def remove_consultant(uow: UnitOfWork, consultant_id: str) -> None:
    """Only a consultant without bookings can go; one with delivered hours is made inactive instead."""
    with uow:
        consultants_store.load_consultant(uow.conn, consultant_id, lock=True)
        consultants_store.delete_consultant(uow.conn, consultant_id)
        uow.commit()
