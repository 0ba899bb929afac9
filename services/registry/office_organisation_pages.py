"""The staff's pages of the site's member organisations: search and list them by name, kind, registration
number and status; register one; see and change it; withdraw it after a confirmation page.

Each form is loaded with the API's schema (`OrganisationSchema`, `OrganisationPatch`, `Reason`; numbers
read in the page's language by `forms.load`) and calls the API's handler. The contact person is personal
data: staff see and change it here, and it stays at the site (the events never carry it).
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext

from services.common.auth import roles
from services.common.clock import utc_today
from services.common.errors import SoproError
from services.common.runtime import current_runtime
from services.contracts.events.registry import LABOUR_MARKET_SEGMENTS, ORGANISATION_KINDS
from services.contracts.nuts import region_choices
from services.contracts.fields import Line, Strict
from services.registry import handlers
from services.registry.office_blueprint import PER_PAGE, STAFF, blp, read, refused, status_of, withdrawal_page
from services.registry.offer_store import published_offers_of
from services.registry.organisation_store import load_organisation, search_organisations
from services.registry.organisations import SOCIAL_ENTERPRISE, Organisation
from services.registry.rules import ACTIVE
from services.registry.schemas import OrganisationPatch, OrganisationQuery, OrganisationSchema
from services.web import forms
from services.web.numbers import as_decimal, show_number
from services.web.vocabulary import term

ADDRESS = ("address.street", "address.postcode", "address.town", "address.country")
COORDINATES = ("coordinates.lat", "coordinates.lon")
CONTACT = ("contact.name", "contact.email", "contact.phone")
FIELDS = ("name", "registration_number") + ADDRESS + ("nuts3",) + COORDINATES + (
    "labour_market_segment", "workers_in_integration", "website") + CONTACT
REQUIRED = ("name", "registration_number", "nuts3")
CLEARABLE = ("labour_market_segment", "workers_in_integration", "website", "coordinates", "contact")
STATUSES = ("active", "withdrawn", "all")


class RegistrationQuery(Strict):
    """The list's search by registration number (the API searches by name and town only)."""

    registration = Line(64)


def _choices(codes) -> list[tuple[str, str]]:
    return [(code, term(code)) for code in codes]


# --- the list ----------------------------------------------------------------------------------------

@blp.route("/office/organisations")
@roles(*STAFF)
def organisations():
    """Active organisations by default; searched by part of the name or town, kind, registration number."""
    state = forms.FormState(values={"status": "active", **request.args.to_dict()})
    body = {k: v for k in ("q", "kind", "status", "page") if (v := request.args.get(k, "").strip())}
    query = forms.load(OrganisationQuery(), {**body, "per_page": PER_PAGE}, state)
    registration = request.args.get("registration", "").strip()
    by_number = forms.load(RegistrationQuery(), {"registration": registration} if registration else {}, state)
    if "page" in state.errors:  # no field of the form (a link's): said above it
        state.message = state.errors.pop("page")[0]
    found = None
    if query is not None and by_number is not None:
        status = query.pop("status", "active")
        found = read(search_organisations, statuses=() if status == "all" else (status,), **query, **by_number)
    return render_template("registry/office_organisations.html", form=state, found=found,
                           page=(query or {}).get("page", 1), kinds=_choices(ORGANISATION_KINDS),
                           statuses=_choices(STATUSES[:2]) + [("all", _("All"))]), 200 if found is not None else 422


# --- registering -------------------------------------------------------------------------------------

@blp.route("/office/organisations/new", methods=["GET", "POST"])
@roles(*STAFF)
def new_organisation():
    state = forms.FormState(values={"address.country": current_runtime().settings.site.id[:2]})
    if request.method == "GET":
        return _form_page(None, state)
    body, state.values = forms.body_from(request.form, ("kind",) + FIELDS)
    body.setdefault("address", {})  # each missing part of the address is said beside its own field
    fields = _in_region(body, state, forms.load_checked(OrganisationSchema(), body, state, _segment_problems))
    if fields is not None:
        try:
            org = handlers.register_organisation(current_runtime().uow(), fields, utc_today())
        except SoproError as exc:
            refused(exc, state)
        else:
            flash(_("%(name)s is registered as a member of this site.", name=org.name), "success")
            return redirect(url_for(".organisation", organisation_id=org.id))
    return _form_page(None, state, status_of(state))


# --- one organisation: its page and its changes ------------------------------------------------------

@blp.route("/office/organisations/<uuid:organisation_id>", methods=["GET", "POST"])
@roles(*STAFF)
def organisation(organisation_id):
    org = read(load_organisation, str(organisation_id))
    if request.method == "GET":
        return _form_page(org, forms.FormState(values=organisation_values(org)))
    body, values = forms.body_from(request.form, FIELDS)
    state = forms.FormState(values=values)
    body.setdefault("address", {})
    for name in REQUIRED:
        body.setdefault(name, None)  # emptied: the schema says that it is required
    for name in CLEARABLE:
        body.setdefault(name, None)  # emptied: no longer given
    changes = _in_region(body, state, forms.load_checked(
        OrganisationPatch, body, state, lambda data, refused: _segment_problems({**data, "kind": org.kind}, refused)))
    if changes is not None:
        try:
            handlers.update_organisation(current_runtime().uow(), org.id, changes)
        except SoproError as exc:
            refused(exc, state)
        else:
            flash(_("Your changes to %(name)s are saved.", name=changes.get("name") or org.name), "success")
            return redirect(url_for(".organisation", organisation_id=org.id))
    return _form_page(org, state, status_of(state))


def _segment_problems(data: dict, refused: frozenset) -> list[tuple[str, list[str]]]:
    """The domain's rule (`Organisation._check`) in the same round as the schema's messages: a social
    enterprise names its labour market segment, another organisation none."""
    kind, segment = data.get("kind"), data.get("labour_market_segment")
    if "kind" in refused or kind is None or "labour_market_segment" in refused:
        return []
    if kind == SOCIAL_ENTERPRISE and segment is None:
        return [("labour_market_segment", ["is required for a social enterprise"])]
    if kind != SOCIAL_ENTERPRISE and segment is not None:
        return [("labour_market_segment", ["applies to social enterprises only"])]
    return []


def _in_region(body: dict, state: forms.FormState, loaded: dict | None) -> dict | None:
    """The form offers the site's regions: another code, though a NUTS-3 code, is refused beside the list."""
    nuts3 = body.get("nuts3")
    if nuts3 and "nuts3" not in state.errors and nuts3 not in dict(region_choices(current_runtime().settings.site.id)):
        state.add_errors({"nuts3": ["not a NUTS-3 code (e.g. AT127)"]})
        return None
    return loaded


def _form_page(org: Organisation | None, state: forms.FormState, status: int = 200):
    return render_template("registry/office_organisation.html", org=org, form=state,
                           kinds=_choices(ORGANISATION_KINDS), segments=_choices(LABOUR_MARKET_SEGMENTS)), status


def organisation_values(org: Organisation) -> dict:
    """The organisation as its form shows it (numbers in the page's language)."""
    values = {"name": org.name, "registration_number": org.registration_number, "nuts3": org.nuts3,
              "address.street": org.address.street, "address.postcode": org.address.postcode,
              "address.town": org.address.town, "address.country": org.address.country,
              "labour_market_segment": org.labour_market_segment or "", "website": org.website or "",
              "workers_in_integration": "" if org.workers_in_integration is None
              else show_number(org.workers_in_integration)}
    if org.coordinates:
        values.update({"coordinates.lat": _every_digit(org.coordinates.lat),
                       "coordinates.lon": _every_digit(org.coordinates.lon)})
    if org.contact:
        values.update({"contact.name": org.contact.name, "contact.email": org.contact.email or "",
                       "contact.phone": org.contact.phone or ""})
    return values


def _every_digit(value: float) -> str:
    """A coordinate in the page's language with all its decimals (a page shows three by default, and saving
    the form again must not round the place)."""
    exponent = as_decimal(value).as_tuple().exponent
    return show_number(value, max(0, -exponent) if isinstance(exponent, int) else None)


# --- withdrawing -------------------------------------------------------------------------------------

@blp.route("/office/organisations/<uuid:organisation_id>/withdraw", methods=["GET", "POST"])
@roles(*STAFF)
def withdraw_organisation(organisation_id):
    """The confirmation page says what goes with the organisation (its published offers); its button
    withdraws it, with the reason given (the API's `Reason`)."""
    org, offers = read(lambda conn: (load_organisation(conn, str(organisation_id)),
                                     published_offers_of(conn, str(organisation_id))))
    return withdrawal_page(
        lambda uow, reason: handlers.withdraw_organisation(uow, org.id, reason),
        _("%(name)s is withdrawn from the register.", name=org.name),
        url_for(".organisation", organisation_id=org.id),
        title=org.name, record=org, back=url_for(".organisation", organisation_id=org.id),
        action=url_for(".withdraw_organisation", organisation_id=org.id),
        question=_("Withdraw %(name)s from the register?", name=org.name),
        consequences=[_("It is no longer listed in the catalogue or matched to enquiries."),
                      *([] if not offers else [ngettext(
                          "Its %(num)s published offer is withdrawn with it.",
                          "Its %(num)s published offers are withdrawn with it.", len(offers))])],
        button=_("Withdraw the organisation"), possible=org.status == ACTIVE)

