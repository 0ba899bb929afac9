"""HTTP API of consultation programmes and the consultant directory: /api/v1/programmes, /consultants.

Access (default deny; every method declares its rule):
- site_admin and broker ("staff"): everything: programmes, applications on a firm's behalf,
  cancelling applications, bookings, reports and the consultant directory.
- member: reads programmes, applies for its own organisation (the token's), and sees and withdraws
  its own organisation's applications.
"""
from __future__ import annotations

import dataclasses

from flask.views import MethodView
from flask_smorest import Blueprint

from services.common.auth import acting_for, current_principal, roles
from services.common.clock import utc_today, utcnow
from services.common.errors import Forbidden
from services.common.runtime import current_runtime
from services.enquiries.programmes import bookings_store, consultants_store, handlers, notices, reports, store
from services.enquiries.programmes.applications import ACCEPTED, CANCELLED, WAITING, WITHDRAWN, Application
from services.enquiries.programmes.consultants import Consultant
from services.enquiries.programmes.hours import to_hours
from services.enquiries.programmes.model import Programme
from services.enquiries.programmes.schemas import (
    ApplicationPage, ProgrammeApplicationQuery, ProgrammeApplicationSchema, BookingPage, ProgrammeBookingQuery, ProgrammeBookingSchema, ConsultantPage,
    ConsultantPatch, ConsultantQuery, ConsultantSchema, ProgrammePage, ProgrammePatch, ProgrammeQuery,
    ProgrammeSchema, ProgrammeReason, ProgrammeReportSchema,
)

blp = Blueprint("programmes", __name__, url_prefix="/api/v1",
                description="Subsidised consultation programmes and the consultant directory")

STAFF = ("site_admin", "broker")
STAFF_AND_MEMBERS = (*STAFF, "member")


# --- helpers -----------------------------------------------------------------------------------------

def _read(fn, *args, **kwargs):
    with current_runtime().engine.connect() as conn:
        return fn(conn, *args, **kwargs)


def _present_programme(conn, programme: Programme) -> dict:
    counts = store.count_by_status(conn, programme.id)
    accepted = counts.get(ACCEPTED, 0)
    return {**{f.name: getattr(programme, f.name) for f in dataclasses.fields(programme)},
            "accepted": accepted, "places_left": max(programme.places - accepted, 0),
            "waiting_list_length": counts.get(WAITING, 0)}


def _present_application(application: Application, positions: dict[str, int]) -> dict:
    return {**dataclasses.asdict(application), "waiting_position": positions.get(application.id)}


def _own_application(conn, programme_id: str, application_id: str) -> Application:
    application = store.load_application(conn, programme_id, application_id)
    member_of = acting_for(STAFF)
    if member_of is not None and application.firm.organisation_id != member_of:
        raise Forbidden("a member may only see its own organisation's applications")
    return application


# --- programmes --------------------------------------------------------------------------------------

@blp.route("/programmes")
class Programmes(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.arguments(ProgrammeQuery, location="query")
    @blp.response(200, ProgrammePage)
    def get(self, query):
        """List consultation programmes (newest period first), with places left and waiting list length."""
        with current_runtime().engine.connect() as conn:
            page = store.search_programmes(conn, **query)
            return page.as_dict(lambda p: _present_programme(conn, p))

    @roles(*STAFF)
    @blp.arguments(ProgrammeSchema)
    @blp.response(201, ProgrammeSchema)
    def post(self, fields):
        """Open a programme: funder, period, places, and the allowance per firm (default 4 + 10 hours)."""
        programme = handlers.create_programme(current_runtime().uow(), fields)
        return _read(_present_programme, programme)


@blp.route("/programmes/<uuid:programme_id>")
class ProgrammeById(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.response(200, ProgrammeSchema)
    def get(self, programme_id):
        """A programme, with places left and the waiting list's length."""
        with current_runtime().engine.connect() as conn:
            return _present_programme(conn, store.load_programme(conn, str(programme_id)))

    @roles(*STAFF)
    @blp.arguments(ProgrammePatch)
    @blp.response(200, ProgrammeSchema)
    def patch(self, changes, programme_id):
        """Change an open programme's terms. More places move waiting firms up; fewer than the accepted
        firms, or an allowance below hours already used, is a 409."""
        programme = handlers.update_programme(current_runtime().uow(), str(programme_id), changes,
                                              notices.mail_site(current_runtime()))
        return _read(_present_programme, programme)


@blp.route("/programmes/<uuid:programme_id>/close")
class ProgrammeClosing(MethodView):
    @roles(*STAFF)
    @blp.response(200, ProgrammeSchema)
    def post(self, programme_id):
        """Close a programme: no more applications, bookings or changes."""
        programme = handlers.close_programme(current_runtime().uow(), str(programme_id))
        return _read(_present_programme, programme)


@blp.route("/programmes/<uuid:programme_id>/report")
class ProgrammeReport(MethodView):
    @roles(*STAFF)
    @blp.response(200, ProgrammeReportSchema)
    def get(self, programme_id):
        """Hours by firm and by consultant, places left and the waiting list's length."""
        return _read(reports.programme_report, str(programme_id))


# --- applications ------------------------------------------------------------------------------------

@blp.route("/programmes/<uuid:programme_id>/applications")
class Applications(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.arguments(ProgrammeApplicationQuery, location="query")
    @blp.response(200, ApplicationPage)
    def get(self, query, programme_id):
        """Applications in order of arrival (a member sees its own organisation's only)."""
        member_of = acting_for(STAFF)
        if member_of is not None:
            query["organisation_id"] = member_of
        with current_runtime().engine.connect() as conn:
            store.load_programme(conn, str(programme_id))  # 404 for an unknown programme
            positions = store.waiting_positions(conn, str(programme_id))
            page = store.search_applications(conn, str(programme_id), **query)
        return page.as_dict(lambda a: _present_application(a, positions))

    @roles(*STAFF_AND_MEMBERS)
    @blp.arguments(ProgrammeApplicationSchema)
    @blp.response(201, ProgrammeApplicationSchema)
    def post(self, firm, programme_id):
        """A firm applies. First come, first served: accepted while places are left, else on the waiting
        list. A member applies for its own organisation; staff for any firm, or a first contact by name."""
        member_of = acting_for(STAFF)
        if member_of is not None and firm.organisation_id is None:
            firm = dataclasses.replace(firm, organisation_id=member_of)
        application, position = handlers.apply(current_runtime().uow(), str(programme_id), firm, utcnow(), member_of,
                                               notices.mail_site(current_runtime()))
        return _present_application(application, {application.id: position} if position else {})


@blp.route("/programmes/<uuid:programme_id>/applications/<uuid:application_id>")
class ApplicationById(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.response(200, ProgrammeApplicationSchema)
    def get(self, programme_id, application_id):
        """An application, with its place on the waiting list if it waits."""
        with current_runtime().engine.connect() as conn:
            application = _own_application(conn, str(programme_id), str(application_id))
            return _present_application(application, store.waiting_positions(conn, str(programme_id)))


@blp.route("/programmes/<uuid:programme_id>/applications/<uuid:application_id>/withdraw")
class ApplicationWithdrawal(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.arguments(ProgrammeReason)
    @blp.response(200, ProgrammeApplicationSchema)
    def post(self, body, programme_id, application_id):
        """The firm withdraws; a place it held goes to the first on the waiting list."""
        application = handlers.end_application(current_runtime().uow(), str(programme_id), str(application_id),
                                               WITHDRAWN, utcnow(), body["reason"], acting_for(STAFF),
                                               notices.mail_site(current_runtime()))
        return _present_application(application, {})


@blp.route("/programmes/<uuid:programme_id>/applications/<uuid:application_id>/cancel")
class ApplicationCancellation(MethodView):
    @roles(*STAFF)
    @blp.arguments(ProgrammeReason)
    @blp.response(200, ProgrammeApplicationSchema)
    def post(self, body, programme_id, application_id):
        """The site cancels an application; a place it held goes to the first on the waiting list."""
        application = handlers.end_application(current_runtime().uow(), str(programme_id), str(application_id),
                                               CANCELLED, utcnow(), body["reason"],
                                               mail=notices.mail_site(current_runtime()))
        return _present_application(application, {})


# --- bookings ----------------------------------------------------------------------------------------

@blp.route("/programmes/<uuid:programme_id>/bookings")
class Bookings(MethodView):
    @roles(*STAFF)
    @blp.arguments(ProgrammeBookingQuery, location="query")
    @blp.response(200, BookingPage)
    def get(self, query, programme_id):
        """Hours booked in the programme, by date (filter by firm's application, consultant, status)."""
        with current_runtime().engine.connect() as conn:
            store.load_programme(conn, str(programme_id))
            return bookings_store.search_bookings(conn, str(programme_id), **query).as_dict()

    @roles(*STAFF)
    @blp.arguments(ProgrammeBookingSchema)
    @blp.response(201, ProgrammeBookingSchema)
    def post(self, fields, programme_id):
        """Log a consultant's hours against a firm's allowance. Beyond the allowance: 409, saying how
        many hours are left (`errors.remaining`)."""
        return handlers.book_hours(current_runtime().uow(), str(programme_id), fields, utc_today(),
                                   current_principal().subject, notices.mail_site(current_runtime()))


@blp.route("/programmes/<uuid:programme_id>/bookings/<uuid:booking_id>/cancel")
class BookingCancellation(MethodView):
    @roles(*STAFF)
    @blp.response(200, ProgrammeBookingSchema)
    def post(self, programme_id, booking_id):
        """Cancel a mistaken booking: the hours return to the firm's allowance."""
        return handlers.cancel_booking(current_runtime().uow(), str(programme_id), str(booking_id),
                                       notices.mail_site(current_runtime()))


# --- consultants -------------------------------------------------------------------------------------

def _with_hours(conn, consultants: list[Consultant]) -> list[dict]:
    delivered = consultants_store.hours_delivered(conn, [c.id for c in consultants])
    return [{**dataclasses.asdict(c), "hours_delivered": delivered.get(c.id, to_hours(0))}
            for c in consultants]


@blp.route("/consultants")
class Consultants(MethodView):
    @roles(*STAFF)
    @blp.arguments(ConsultantQuery, location="query")
    @blp.response(200, ConsultantPage)
    def get(self, query):
        """The site's experts and consultants (by CPV division, language, name), with hours delivered."""
        with current_runtime().engine.connect() as conn:
            page = consultants_store.search_consultants(conn, **query)
            return {**page.as_dict(), "items": _with_hours(conn, page.items)}

    @roles(*STAFF)
    @blp.arguments(ConsultantSchema)
    @blp.response(201, ConsultantSchema)
    def post(self, fields):
        """Add an expert or consultant to the directory."""
        consultant = handlers.enrol_consultant(current_runtime().uow(), fields, current_principal().subject)
        return _read(_with_hours, [consultant])[0]


@blp.route("/consultants/<uuid:consultant_id>")
class ConsultantById(MethodView):
    @roles(*STAFF)
    @blp.response(200, ConsultantSchema)
    def get(self, consultant_id):
        """A consultant, with the hours delivered in all programmes."""
        with current_runtime().engine.connect() as conn:
            return _with_hours(conn, [consultants_store.load_consultant(conn, str(consultant_id))])[0]

    @roles(*STAFF)
    @blp.arguments(ConsultantPatch)
    @blp.response(200, ConsultantSchema)
    def patch(self, changes, consultant_id):
        """Change a consultant; `active: false` takes them out of new bookings."""
        consultant = handlers.update_consultant(current_runtime().uow(), str(consultant_id), changes,
                                                current_principal().subject)
        return _read(_with_hours, [consultant])[0]

    @roles(*STAFF)
    @blp.response(204)
    def delete(self, consultant_id):
        """Remove a consultant without bookings (one with delivered hours: 409; make them inactive)."""
        handlers.remove_consultant(current_runtime().uow(), str(consultant_id))
