"""Pages of consultation programmes: places, the waiting list and hours, for brokers and site admins.

Forms are loaded with the API's schemas (`ProgrammeSchema`, `ProgrammeApplicationSchema`,
`ProgrammeBookingSchema`, `ConsultantSchema`) and call the API's handlers; a booking beyond a firm's
allowance is the domain's 409, shown with the form. Closing a programme and cancelling a booking ask
first, on a page of their own (no script needed), then call the API's handlers; so does taking back a
firm's place or its place on the waiting list (the site cancels the application).
"""
from __future__ import annotations

import csv
import io
from functools import partial

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from services.common.auth import current_principal, roles
from services.common.clock import utc_today, utcnow
from services.common.errors import Conflict, SoproError
from services.common.runtime import current_runtime
from services.enquiries.programmes import bookings_store, consultants_store, handlers, notices, reports, store, tables
from services.enquiries.programmes.applications import ACCEPTED, CANCELLED, WAITING
from services.enquiries.programmes.consultants import LANGUAGES
from services.enquiries.programmes.hours import BOOKING_KINDS
from services.enquiries.programmes.schemas import (
    ConsultantSchema, ProgrammeApplicationSchema, ProgrammeBookingSchema, ProgrammeSchema,
)
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint
from services.web.i18n import show_date
from services.web.numbers import show_number
from services.web.vocabulary import term

blp = page_blueprint("programme_pages", "services.enquiries")
STAFF = ("site_admin", "broker")
nav_link(blp, "programmes", _l("Consultation programmes"), roles=STAFF, area=OFFICE_AREA, order=20)

PROGRAMME_FIELDS = ("name", "funder", "starts_on", "ends_on", "places", "first_consultation_hours", "further_hours")
BOOKING_FIELDS = ("application_id", "consultant_id", "date", "hours", "kind", "note")


def _read(fn, *args, **kwargs):
    with current_runtime().engine.connect() as conn:
        return fn(conn, *args, **kwargs)


def _integer(body: dict, name: str) -> dict:
    """The API takes this as a JSON integer; a form posts text, so a whole number is passed as one."""
    if isinstance(body.get(name), str) and body[name].strip().isdigit():
        body[name] = int(body[name])
    return body


@blp.route("/office/programmes", methods=["GET", "POST"])
@roles(*STAFF)
def programmes():
    """The programmes with places left and waiting lists; a form opens a new one."""
    state, consultant_form, status = forms.FormState(), forms.FormState(), 200
    if request.method == "POST":
        body, state.values = forms.body_from(request.form, PROGRAMME_FIELDS)
        fields = forms.load(ProgrammeSchema(), _integer(body, "places"), state)
        if fields is not None:
            try:
                programme = handlers.create_programme(current_runtime().uow(), fields)
            except SoproError as exc:
                forms.apply_domain_error(exc, state)
            else:
                flash(_("The programme has been opened."), "success")
                return redirect(url_for(".programme", programme_id=programme.id))
        status = 422
    return _programmes_page(state, consultant_form, status)


def _programmes_page(state, consultant_form, status):
    def load(conn):
        items = store.search_programmes(conn, per_page=100).items
        consultants = consultants_store.search_consultants(conn, per_page=200).items
        return [(p, store.count_by_status(conn, p.id)) for p in items], consultants
    rows, consultants = _read(load)
    # Both forms have a `name` field: the consultant's fields carry a prefix in their ids.
    return render_template("enquiries/programmes.html", rows=rows, consultants=consultants, form=state,
                           consultant_form=consultant_form.scoped("consultant"), languages=LANGUAGES), status


@blp.route("/office/consultants", methods=["POST"])
@roles(*STAFF)
def add_consultant():
    body, values = forms.body_from(request.form, ("name", "expertise", "languages"), lists=("expertise", "languages"))
    state = forms.FormState(values=values)
    fields = forms.load(ConsultantSchema(), body, state)
    if fields is not None:
        try:
            handlers.enrol_consultant(current_runtime().uow(), fields, current_principal().subject)
        except SoproError as exc:
            forms.apply_domain_error(exc, state)
        else:
            flash(_("The consultant has been added."), "success")
            return redirect(url_for(".programmes"))
    return _programmes_page(forms.FormState(), state, 422)


def programme_page(programme_id: str, apply_form=None, booking_form=None, status: int = 200):
    def load(conn):
        report = reports.programme_report(conn, programme_id)
        positions = store.waiting_positions(conn, programme_id)
        waiting = store.search_applications(conn, programme_id, status=WAITING, per_page=200).items
        accepted = store.search_applications(conn, programme_id, status=ACCEPTED, per_page=200).items
        consultants = consultants_store.search_consultants(conn, active=True, per_page=200).items
        bookings = bookings_store.search_bookings(conn, programme_id, status=tables.ACTIVE_BOOKING, per_page=200).items
        return store.load_programme(conn, programme_id), report, positions, waiting, accepted, consultants, bookings
    programme, report, positions, waiting, accepted, consultants, bookings = _read(load)
    return render_template(
        "enquiries/programme.html", programme=programme, report=report, positions=positions,
        waiting=sorted(waiting, key=lambda a: positions.get(a.id, 0)), accepted=accepted, consultants=consultants,
        apply_form=apply_form or forms.FormState(), booking_form=booking_form or forms.FormState(),
        kinds=BOOKING_KINDS, firm_choices=[(a.id, a.firm.name) for a in accepted], bookings=bookings,
        firm_names={**{row["application_id"]: row["firm_name"] for row in report["hours_by_firm"]},
                    **{a.id: a.firm.name for a in accepted}}, consultant_names={c.id: c.name for c in consultants},
        consultant_choices=[(c.id, c.name) for c in consultants]), status


@blp.route("/office/programmes/<uuid:programme_id>")
@roles(*STAFF)
def programme(programme_id):
    return programme_page(str(programme_id))


@blp.route("/office/programmes/<uuid:programme_id>/applications", methods=["POST"])
@roles(*STAFF)
def apply(programme_id):
    """A firm applies: a place while places are left, else the waiting list (first come, first served)."""
    body, values = forms.body_from(request.form, ("firm_name",))
    state = forms.FormState(values=values)
    firm = forms.load(ProgrammeApplicationSchema(), body, state)
    if firm is not None:
        try:
            position = handlers.apply(current_runtime().uow(), str(programme_id), firm, utcnow(),
                                      mail=notices.mail_site(current_runtime()))[1]
        except SoproError as exc:
            forms.apply_domain_error(exc, state)
            return programme_page(str(programme_id), apply_form=state, status=exc.status)
        flash(_("On the waiting list, place %(n)s.", n=position) if position else _("A place has been given."),
              "success")
        return redirect(url_for(".programme", programme_id=programme_id))
    return programme_page(str(programme_id), apply_form=state, status=422)


@blp.route("/office/programmes/<uuid:programme_id>/bookings", methods=["POST"])
@roles(*STAFF)
def book(programme_id):
    """A consultant's hours against a firm's allowance."""
    body, values = forms.body_from(request.form, BOOKING_FIELDS)
    state = forms.FormState(values=values)
    fields = forms.load(ProgrammeBookingSchema(), body, state)
    if fields is not None:
        try:
            handlers.book_hours(current_runtime().uow(), str(programme_id), fields, utc_today(),
                                current_principal().subject, notices.mail_site(current_runtime()))
        except SoproError as exc:
            if exc.status == 422 and exc.errors:
                state.add_errors(_booking_errors(exc.errors, str(programme_id)))
            else:
                forms.apply_domain_error(exc, state)
            return programme_page(str(programme_id), booking_form=state, status=exc.status)
        flash(_("The hours have been booked."), "success")
        return redirect(url_for(".programme", programme_id=programme_id))
    return programme_page(str(programme_id), booking_form=state, status=422)


# The booking's refusals the kernel's catalogue (services.web.messages) does not word, by the domain's text.
BOOKING_REFUSALS = {
    "no such consultant at this site": _l("There is no such consultant at this site."),
    "no such application to this programme": _l("There is no such application to this programme."),
}


def _booking_errors(errors: dict, programme_id: str) -> dict:
    """The domain's field messages about a booking, those of this module in the page's language (the
    programme's period with its dates as the page writes them)."""
    worded = {}
    for name, messages in errors.items():
        worded[name] = [str(BOOKING_REFUSALS[m]) if m in BOOKING_REFUSALS else _period(m, programme_id)
                        for m in (messages if isinstance(messages, list) else [messages])]
    return worded


def _period(message, programme_id: str):
    if not str(message).startswith("must lie in the programme's period"):
        return message
    programme = _read(store.load_programme, programme_id)
    return _("The date must lie in the programme's period, %(start)s to %(end)s.",
             start=show_date(programme.starts_on), end=show_date(programme.ends_on))


# --- closing a programme and cancelling a booking, each confirmed on its own page --------------------

@blp.route("/office/programmes/<uuid:programme_id>/close", methods=["GET", "POST"])
@roles(*STAFF)
def close(programme_id):
    """No more applications, bookings or changes: asked first, then the API's `close_programme`."""
    programme = _read(store.load_programme, str(programme_id))
    confirm = partial(_confirm_page, programme, _("Close the programme “%(name)s”?", name=programme.name),
                      _("Nobody can apply or book hours any more, and its terms can no longer change."),
                      _("Close the programme"), url_for(".close", programme_id=programme_id))
    if request.method == "GET":
        return confirm()
    try:
        handlers.close_programme(current_runtime().uow(), str(programme_id))
    except Conflict as exc:
        return confirm(_("The programme is closed already."), exc.status)
    flash(_("The programme is closed."), "success")
    return redirect(url_for(".programme", programme_id=programme_id))


@blp.route("/office/programmes/<uuid:programme_id>/bookings/<uuid:booking_id>/cancel", methods=["GET", "POST"])
@roles(*STAFF)
def cancel_booking(programme_id, booking_id):
    """A mistaken booking: asked first, then the API's `cancel_booking` gives the hours back."""
    programme = _read(store.load_programme, str(programme_id))
    booking = _read(bookings_store.load_booking, str(programme_id), str(booking_id))
    confirm = partial(_confirm_page, programme, _("Cancel the booking of %(hours)s hours on %(date)s?",
                                                  hours=show_number(booking["hours"]), date=show_date(booking["date"])),
                      _("The hours go back to the firm's allowance and off the consultant's."), _("Cancel the booking"),
                      url_for(".cancel_booking", programme_id=programme_id, booking_id=booking_id))
    if request.method == "GET":
        return confirm()
    try:
        handlers.cancel_booking(current_runtime().uow(), str(programme_id), str(booking_id),
                                notices.mail_site(current_runtime()))
    except Conflict as exc:
        return confirm(_("This booking is cancelled already.") if exc.code == "booking_cancelled"
                       else _("The programme is closed: its bookings can no longer change."), exc.status)
    flash(_("The booking is cancelled; its hours are back in the allowance."), "success")
    return redirect(url_for(".programme", programme_id=programme_id))


def _confirm_page(programme, question: str, consequence: str, button: str, action: str, refusal: str | None = None,
                  status: int = 200):
    """The question with its button; once refused (409), the refusal instead of the button."""
    return render_template("enquiries/programme_confirm.html", programme=programme, question=question,
                           consequence=consequence, button=button, action=action,
                           form=forms.FormState(message=refusal)), status


@blp.route("/office/programmes/<uuid:programme_id>/applications/<uuid:application_id>/cancel",
           methods=["GET", "POST"])
@roles(*STAFF)
def cancel_application(programme_id, application_id):
    """The site takes back a place or a place on the waiting list: asked first, then the API's
    `end_application` (cancelled); a freed place goes to the longest-waiting firm."""
    programme = _read(store.load_programme, str(programme_id))
    application = _read(store.load_application, str(programme_id), str(application_id))
    confirm = partial(_confirm_page, programme, _("Cancel the application of %(firm)s?", firm=application.firm.name),
                      _("A place it holds goes to the firm that has waited longest; hours booked on it stay booked."),
                      _("Cancel the application"),
                      url_for(".cancel_application", programme_id=programme_id, application_id=application_id))
    if request.method == "GET":
        return confirm()
    try:
        handlers.end_application(current_runtime().uow(), str(programme_id), str(application_id), CANCELLED,
                                 utcnow(), None, mail=notices.mail_site(current_runtime()))
    except Conflict as exc:
        return confirm(_("This application has already ended.") if exc.code == "application_ended"
                       else _("The programme is closed: its applications can no longer change."), exc.status)
    flash(_("The application of %(firm)s is cancelled.", firm=application.firm.name), "success")
    return redirect(url_for(".programme", programme_id=programme_id))


# --- the report for the funder -----------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a spreadsheet would run such a cell as a formula


def _cell(text: str) -> str:
    """A firm's name as a spreadsheet shows it, never as a formula (firms name themselves when applying)."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


@blp.route("/office/programmes/<uuid:programme_id>/report.csv")
@roles(*STAFF)
def report_csv(programme_id):
    """The programme's hours by firm for its funder, as a spreadsheet reads them (hours as plain decimals);
    the same figures as the API's GET /programmes/{id}/report."""
    report = _read(reports.programme_report, str(programme_id))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Firm"), _("Status"), _("First consultation"), _("Further"), _("Hours in total"),
                     _("Hours left")])
    for row in report["hours_by_firm"]:
        writer.writerow([_cell(row["firm_name"]), term(row["status"]), row["first_consultation_hours"],
                         row["further_hours"], row["total_hours"], row["remaining_hours"]])
    name = f"programme-{str(programme_id)[:8]}-report.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
