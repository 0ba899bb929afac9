"""A member's consultation programmes: the open programmes with their places, and the member's own
organisation's application to each, with the hours booked on its place; closed programmes stay listed
for an organisation that applied to them, so it still sees how its place ended up. A member applies for its own organisation (named as the registry
knows it) and withdraws its application after confirming it; a place it held goes to the next in line.

Forms are loaded with the API's schemas (`ProgrammeApplicationSchema`, `ProgrammeReason`) and call the
API's handlers with the member's organisation as `acting_for`, so that another organisation's
application is refused as in the API. What the domain refuses (applied already, programme closed or
ended) is said above the programme's card, in the page's language.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from services.common.auth import acting_for, roles
from services.common.clock import utcnow
from services.common.errors import NotFound, SoproError
from services.common.ports import port
from services.common.runtime import current_runtime
from services.contracts.ports import MemberDirectory
from services.enquiries.programmes import handlers, notices, reports, store
from services.enquiries.programmes.applications import ACCEPTED, WAITING, WITHDRAWN
from services.enquiries.programmes.model import OPEN
from services.enquiries.programmes.schemas import ProgrammeApplicationSchema, ProgrammeReason
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint

MEMBER = ("member",)
PER_PAGE = 50
# The domain's refusals a member meets here, by code, in the page's language.
REFUSALS = {
    "programme_closed": _l("This programme is closed: it takes no more applications."),
    "programme_ended": _l("This programme has ended: it takes no more applications."),
    "application_ended": _l("This application has already ended."),
}

blp = page_blueprint("client_programme_pages", "services.enquiries")
nav_link(blp, "programmes", _l("Consultation programmes"), roles=MEMBER, area=OFFICE_AREA, order=14)


def _read(fn, *args, **kwargs):
    with current_runtime().engine.connect() as conn:
        return fn(conn, *args, **kwargs)


def own_organisation() -> str:
    return acting_for(())  # a member always acts for its own organisation here, whatever its other roles


def _prefix_of(programme_id: str) -> str:
    """Each programme has its own forms: their fields' ids carry its id."""
    return f"p{programme_id[:8]}"


@dataclass(frozen=True)
class Card:
    """One programme as the member sees it: its places left, and the organisation's latest application
    with its place on the waiting list and the hours booked on its place (if any)."""
    programme: object
    places_left: int
    application: object = None
    position: int | None = None
    hours: dict | None = None


def _card(conn, programme, organisation_id: str) -> Card | None:
    """The programme's card, or None for a programme that is no longer open and was never ours."""
    ours = store.search_applications(conn, programme.id, organisation_id=organisation_id, per_page=PER_PAGE).items
    if programme.status != OPEN and not ours:
        return None
    counts = store.count_by_status(conn, programme.id)
    places_left = max(programme.places - counts.get(ACCEPTED, 0), 0)
    if not ours:
        return Card(programme, places_left)
    application = ours[-1]  # the latest: after a withdrawal, the organisation may apply again
    position = store.waiting_positions(conn, programme.id).get(application.id)
    hours = next((row for row in reports.hours_by_firm(conn, programme.id)
                  if row["application_id"] == application.id), None)
    if hours is not None:
        allowance = programme.first_consultation_hours + programme.further_hours
        hours = {**hours, "remaining_hours": max(allowance - hours["total_hours"], Decimal(0))}
    return Card(programme, places_left, application, position, hours)


def programmes_page(status: int = 200, form: forms.FormState | None = None, form_of: str | None = None):
    """The open programmes, each with its places left and this organisation's application (if any), and
    the closed ones the organisation applied to, with how its place ended up."""
    organisation_id = own_organisation()

    def load(conn):
        cards = [_card(conn, programme, organisation_id)
                 for programme in store.search_programmes(conn, per_page=PER_PAGE).items]
        return [card for card in cards if card is not None]
    cards = _read(load)
    rows = [card for card in cards if card.programme.status == OPEN]
    closed = [card for card in cards if card.programme.status != OPEN]
    # a refusal about a programme no longer listed (closed meanwhile) is said above the list
    unlisted = form if form_of and all(card.programme.id != form_of for card in rows) else None
    return render_template("enquiries/client_programmes.html", rows=rows, closed=closed, live=(ACCEPTED, WAITING),
                           form=form or forms.FormState(), form_of=form_of, unlisted=unlisted), status


@blp.route("/office/our-programmes")
@roles(*MEMBER)
def programmes():
    return programmes_page()


def _attempt(programme_id: str, state: forms.FormState, act, done: str):
    """Run `act()`: a 409 or 422 of the domain is said on the programme's card, a 404 or 403 is the
    kernel's error page."""
    try:
        act()
    except SoproError as exc:
        if exc.status not in (409, 422):
            raise
        forms.apply_domain_error(exc, state)
        if exc.code in REFUSALS:
            state.message = str(REFUSALS[exc.code])
        return programmes_page(exc.status, state, programme_id)
    flash(done, "success")
    return redirect(url_for(".programmes"))


@blp.route("/office/our-programmes/<uuid:programme_id>/apply", methods=["POST"])
@roles(*MEMBER)
def apply(programme_id):
    """Apply for a place, as the organisation (its registered name is the firm's name)."""
    organisation_id = own_organisation()
    organisation = port(MemberDirectory).named([organisation_id]).get(organisation_id)
    if organisation is None:
        raise NotFound("this member's organisation is not in the register")
    state = forms.FormState(id_prefix=_prefix_of(str(programme_id)))
    firm = forms.load(ProgrammeApplicationSchema(), {"firm_name": organisation.name,
                                                     "organisation_id": organisation_id}, state)
    if firm is None:  # the registered name fits the schema; should its rules change, the page says so
        return programmes_page(422, state, str(programme_id))
    return _attempt(str(programme_id), state, lambda: handlers.apply(
        current_runtime().uow(), str(programme_id), firm, utcnow(), organisation_id,
        notices.mail_site(current_runtime())),
        _("Your organisation has applied for a place."))


@blp.route("/office/our-programmes/<uuid:programme_id>/applications/<uuid:application_id>/withdraw",
           methods=["POST"])
@roles(*MEMBER)
def withdraw(programme_id, application_id):
    """Withdraw the organisation's application after confirming it; a place it held goes to the next firm."""
    organisation_id = own_organisation()
    body, values = forms.body_from(request.form, ("reason", "confirm"), flags=("confirm",))
    state = forms.FormState(values=values, id_prefix=_prefix_of(str(programme_id)))
    confirmed = body.pop("confirm")
    loaded = forms.load(ProgrammeReason(), body, state)
    if not confirmed:
        state.errors["confirm"] = [_("Please confirm that the application is to be withdrawn.")]
    if loaded is None or not confirmed:
        return programmes_page(422, state, str(programme_id))
    return _attempt(str(programme_id), state, lambda: handlers.end_application(
        current_runtime().uow(), str(programme_id), str(application_id), WITHDRAWN, utcnow(), loaded["reason"],
        organisation_id, notices.mail_site(current_runtime())), _("The application has been withdrawn."))
