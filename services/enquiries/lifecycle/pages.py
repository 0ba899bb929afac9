"""Pages of enquiries: the public enquiry form, and the brokers' board, enquiry page and transitions.

The form is loaded with the API's `NewEnquirySchema` and filed with the same handler, as the API files
a request without a token: an anonymous first contact, submitted at once, whose contact person stays
at the site. The page also asks for the enquiring organisation's name and kind, which the enquiry
model has no field for while the client is not a member: they open the description, for the broker.

Brokers act as the API's staff (`web.actor()` reads the session's token); every state change is a POST
with its CSRF token, and what the domain refuses (409, 403) is shown on the enquiry's page. There the
broker also approves the public version of the enquiry's title and description, the only one that
leaves the site (`public_text_api`).
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import select

from services.common.auth import public, roles
from services.common.clock import utc_today, utcnow
from services.common.errors import SoproError
from services.common.runtime import current_runtime
from services.contracts.events.enquiries import ENQUIRY_TYPES
from services.enquiries.lifecycle import case_study_link, deals, deals_store, handlers, rules, store
from services.enquiries.lifecycle.ended import ENDED_STATES, EndedQuery, search_ended
from services.enquiries.lifecycle.model import Enquiry
from services.enquiries.lifecycle.rules import ANONYMOUS
from services.enquiries.lifecycle.transitions import (
    AGREED, CANCELLED, CLOSED, DELIVERED, DRAFT, EXPIRED, IN_CONSULTATION, IN_PRODUCTION, MATCHING, NEGOTIATING, OPEN,
    PEOPLE, REFINABLE, SUBMITTED, Actor, allowed_next,
)
from services.enquiries.lifecycle.values import Client, Contact
from services.enquiries.lifecycle.public_text_api import PublicTextRequest
from services.enquiries.lifecycle.schemas import EnquiryPatch, NewEnquirySchema, TransitionRequest
from services.enquiries.matching import store as matching_store
from services.enquiries.lifecycle.web import STAFF, actor, read, site_rules
from services.contracts.fields import Line, Strict
from services.web import OFFICE_AREA, forms, member_link, nav_link, page_blueprint
from services.web.numbers import show_number
from services.web.vocabulary import term

blp = page_blueprint("enquiry_pages", "services.enquiries")
nav_link(blp, "enquire", _l("Send an enquiry"), order=30)
nav_link(blp, "board", _l("Enquiries"), roles=STAFF, area=OFFICE_AREA, order=10)

ENQUIRY_FIELDS = ("type", "title", "description", "cpv_codes", "quantity", "unit", "deadline", "delivery.nuts3",
                  "budget", "label_required", "cross_border_allowed", "residual_material.material",
                  "residual_material.amount", "residual_material.unit", "residual_material.frequency",
                  "contact.name", "contact.email", "contact.phone")
CLIENT_KINDS = ("economic_enterprise", "public_institution")
# Where the form shows a domain rule about a group of its fields.
SHOWN_AT = {"contact": "contact.email", "residual_material": "residual_material.material"}
BOARD_STATES = (SUBMITTED, IN_CONSULTATION, MATCHING, NEGOTIATING, AGREED, IN_PRODUCTION, DELIVERED)


class EnquiringOrganisation(Strict):
    """What the public form asks beyond the API's body: who is enquiring."""

    organisation = Line(200, required=True)
    client_kind = Line(40, required=True)


# --- the public enquiry form -------------------------------------------------------------------------

@blp.route("/enquire", methods=["GET", "POST"])
@public
def enquire():
    state = forms.FormState(values={"type": request.args.get("type", "")})
    if request.method == "GET":
        return render_template("enquiries/enquire.html", form=state, types=ENQUIRY_TYPES, client_kinds=CLIENT_KINDS)
    body, state.values = forms.body_from(request.form, ENQUIRY_FIELDS + ("organisation", "client_kind"),
                                         lists=("cpv_codes",), flags=("label_required", "cross_border_allowed"))
    who = forms.load(EnquiringOrganisation(), {k: body.pop(k) for k in ("organisation", "client_kind") if k in body},
                     state)
    if who is not None and who["client_kind"] not in CLIENT_KINDS:
        state.add_errors({"client_kind": ["Must be one of: {choices}."]})
    if "contact" not in body:  # the API asks for it only once the rest is right; the form says so at once
        state.add_errors({"contact.name": ["Missing data for required field."]})
    fields = forms.load_checked(NewEnquirySchema(), body, state, enquiry_problems)
    if fields is not None and state.valid:
        fields.pop("submit", None)
        client = fields.pop("client", {})
        fields["client"] = Client(ANONYMOUS, None, client.get("contact"))
        fields["currency"] = fields.get("currency") or site_rules().currency
        intro = _("Enquiring organisation: %(name)s (%(kind)s)", name=who["organisation"],
                  kind=term(who["client_kind"]))
        fields["description"] = intro + ("\n\n" + fields["description"] if fields.get("description") else "")
        try:
            first_contact = Actor("first-contact", first_contact=True)
            enquiry = handlers.create_enquiry(current_runtime().uow(), first_contact, fields, site_rules(), utcnow(),
                                              submit=True)
        except SoproError as exc:
            forms.apply_domain_error(exc, state)
            if "contact" in state.errors:  # a name but no way to reach the person: said at the e-mail field
                state.errors["contact.email"] = state.errors.pop("contact")
        else:
            return redirect(url_for(".enquiry_thanks", reference=enquiry.reference))
    return render_template("enquiries/enquire.html", form=state, types=ENQUIRY_TYPES, client_kinds=CLIENT_KINDS), 422


def enquiry_problems(data: dict, refused: frozenset) -> list:
    """The domain's rules for a first contact's enquiry on what the schema read, in the same round as the
    schema's messages. A missing way to reach the person is said at the e-mail field, the residual
    material's rule at its first field."""
    contact = (data.get("client") or {}).get("contact")
    if isinstance(contact, dict):  # the schema refused a field: its post_load did not build the Contact
        contact = Contact(contact.get("name"), contact.get("email"), contact.get("phone"))
    problems = rules.enquiry_problems(
        site_rules().currency, type=data.get("type"), client=Client(ANONYMOUS, None, contact),
        cpv_codes=data.get("cpv_codes", ()), quantity=data.get("quantity"), unit=data.get("unit"),
        budget=data.get("budget"), currency=data.get("currency") or site_rules().currency,
        residual_material=data.get("residual_material"), deadline=data.get("deadline"), today=utc_today(),
        unknown=refused)
    return [(SHOWN_AT.get(name, name), messages) for name, messages in problems]


@blp.route("/enquire/thanks/<reference>")
@public
def enquiry_thanks(reference):
    return render_template("enquiries/thanks.html", reference=reference[:40])


# --- the brokers' board and an enquiry's page --------------------------------------------------------

@blp.route("/office/enquiries")
@roles(*STAFF)
def board():
    """Every open enquiry by state; closed, cancelled and expired ones are counted."""
    def load(conn):
        columns = {s: store.search_enquiries(conn, state=s, per_page=100) for s in BOARD_STATES}
        ended = {s: store.search_enquiries(conn, state=s, per_page=1).total for s in (CLOSED, CANCELLED, EXPIRED)}
        return columns, ended
    columns, ended = read(load)
    return render_template("enquiries/board.html", columns=columns, ended=ended)


@blp.route("/office/enquiries/ended")
@roles(*STAFF)
def ended_enquiries():
    """Closed, cancelled and expired enquiries, searched by reference or title, a page at a time."""
    state = forms.FormState(values=request.args.to_dict())
    body = {k: v for k in ("q", "state", "page") if (v := request.args.get(k, "").strip())}
    query = forms.load(EndedQuery(), body, state)
    if "page" in state.errors:  # no field of the form (a link's): said above the form
        state.message = state.errors.pop("page")[0]
    found = read(search_ended, **query) if query is not None else None
    return render_template("enquiries/ended.html", form=state, found=found,
                           states=[(s, term(s)) for s in ENDED_STATES],
                           page=(query or {}).get("page", 1)), 200 if query is not None else 422


def enquiry_page(enquiry_id: str, state: forms.FormState | None = None, status: int = 200, **forms_by_name):
    """The enquiry with its audit trail, shortlist, proposals, messages and agreements."""
    def load(conn):
        enquiry = store.load_enquiry(conn, enquiry_id)
        return (enquiry, store.audit_trail(conn, enquiry_id), deals_store.proposals_of(conn, enquiry_id),
                deals_store.agreements_of(conn, enquiry_id), deals_store.messages_of(conn, enquiry_id))
    enquiry, audit, proposals, agreements, messages = read(load)
    shortlist = None
    if enquiry.state in OPEN and enquiry.cpv_codes:
        try:
            shortlist = read(handlers.preview_shortlist, enquiry_id, utcnow())[1].to_dict()
        except SoproError:
            shortlist = None  # not matchable yet (e.g. no quantity): the page says what is missing
    for name in ("proposal_form", "message_form", "agreement_form", "delivery_form"):
        forms_by_name.setdefault(name, forms.FormState())
    forms_by_name.setdefault("public_form", _public_form(enquiry))
    forms_by_name.setdefault("delivery_of", None)
    forms_by_name.setdefault("agreement_of", None)
    posted, posted_for = forms_by_name.pop("revision_form", None), forms_by_name.pop("revision_of", None)
    forms_by_name["revision_forms"] = _revision_forms(proposals, posted, posted_for)
    if posted is not None and posted_for not in forms_by_name["revision_forms"]:
        forms_by_name["proposal_form"].message = posted.message  # refused as no longer open: said at the top
    if not forms_by_name["proposal_form"].values:  # the terms start from the enquiry's
        forms_by_name["proposal_form"].values = {"unit": enquiry.unit or "", "currency": enquiry.currency,
                                                 "quantity": f"{enquiry.quantity:f}" if enquiry.quantity else ""}
    candidates = [(f"{c['organisation_id']}:{c['offer_id']}", f"{c['organisation_name']} – {c['title']}")
                  for c in (shortlist or {}).get("candidates", [])]
    names = read(organisation_names, {p.organisation_id for p in proposals} | {a.organisation_id for a in agreements}
                 | {mg.organisation_id for mg in messages if mg.organisation_id})
    forms_by_name.setdefault("client_form", forms.FormState(id_prefix="client"))
    directory = member_link.member_directory()
    client_search = member_link.search(directory, request.args.get("client_q", ""),
                                       forms_by_name["client_form"].value("organisation_id"))
    linked = member_link.names_of(directory, [enquiry.client.organisation_id]).get(enquiry.client.organisation_id)
    return render_template(
        "enquiries/enquiry.html", enquiry=enquiry, client_search=client_search, linked_client=linked,
        can_link=directory is not None, audit=audit, proposals=proposals, agreements=agreements,
        messages=messages, shortlist=shortlist, names=names, candidates=candidates,
        case_study_links=read(case_study_link.case_study_links, enquiry, agreements, names),
        allowed=allowed_next(enquiry.state, PEOPLE),
        move_form=(state or forms.FormState()).scoped("move"), **forms_by_name,
    ), status


def revision_prefix(proposal_id) -> str:
    """Each open proposal has its own counter-offer form: its fields' ids carry the proposal's id."""
    return f"p{str(proposal_id)[:8]}"


def _revision_forms(proposals, posted: forms.FormState | None, posted_for: str | None) -> dict:
    """A counter-offer form for each open proposal, starting from its current terms (numbers as the page
    writes them); the one just posted keeps what was typed and its messages."""
    found = {}
    for p in proposals:
        if p.status != deals.OPEN:
            continue
        terms = p.terms
        found[p.id] = posted if p.id == posted_for and posted is not None else forms.FormState(values={
            "quantity": show_number(terms.quantity), "unit": terms.unit, "price": show_number(terms.price),
            "currency": terms.currency, "delivery_date": terms.delivery_date.isoformat(),
            "conditions": terms.conditions or ""}, id_prefix=revision_prefix(p.id))
    return found


def _public_form(enquiry: Enquiry) -> forms.FormState:
    """Starts from the approved version, else from the client's own words for the broker to clean."""
    public = enquiry.public_text
    title, description = (public.title, public.description) if public else (enquiry.title, enquiry.description)
    return forms.FormState(values={"title": title, "description": description or ""}, id_prefix="public")


def organisation_names(conn, ids) -> dict[str, str]:
    """Names of social enterprises from the matching part's projection (this service's own tables)."""
    if not ids:
        return {}
    t = matching_store.matching_organisation
    return dict(conn.execute(select(t.c.id, t.c.name).where(t.c.id.in_(sorted(ids)))).all())


@blp.route("/office/enquiries/<uuid:enquiry_id>")
@roles(*STAFF)
def enquiry(enquiry_id):
    return enquiry_page(str(enquiry_id))


@blp.route("/office/enquiries/<uuid:enquiry_id>/move", methods=["POST"])
@roles(*STAFF)
def move(enquiry_id):
    """A transition of the lifecycle, as the API's TransitionRequest; refusals are shown on the page."""
    body, values = forms.body_from(request.form, ("to", "reason"))
    state = forms.FormState(values=values)
    transition = forms.load(TransitionRequest(), body, state)
    if transition is not None:
        try:
            moved = handlers.move_enquiry(current_runtime().uow(), actor(), str(enquiry_id), transition["to"],
                                          transition["reason"], utcnow(), site=site_rules())
        except SoproError as exc:
            forms.apply_domain_error(exc, state)
            return enquiry_page(str(enquiry_id), state, exc.status)
        flash(_("The enquiry is now: %(state)s.", state=term(moved.state)), "success")
        return redirect(url_for(".enquiry", enquiry_id=enquiry_id))
    return enquiry_page(str(enquiry_id), state, 422)


@blp.route("/office/enquiries/<uuid:enquiry_id>/public-text", methods=["POST"])
@roles(*STAFF)
def public_text(enquiry_id):
    """The broker approves the public version of title and description, as the API's PublicTextRequest."""
    body, values = forms.body_from(request.form, ("title", "description"))
    state = forms.FormState(values=values, id_prefix="public")
    loaded = forms.load(PublicTextRequest(), body, state)
    if loaded is not None:
        try:
            handlers.approve_public_text(current_runtime().uow(), actor(), str(enquiry_id), loaded["title"],
                                         loaded["description"], utcnow())
        except SoproError as exc:
            forms.apply_domain_error(exc, state)
            return enquiry_page(str(enquiry_id), status=exc.status, public_form=state)
        flash(_("The public version has been approved."), "success")
        return redirect(url_for(".enquiry", enquiry_id=enquiry_id))
    return enquiry_page(str(enquiry_id), status=422, public_form=state)


@blp.route("/office/enquiries/<uuid:enquiry_id>/client", methods=["POST"])
@roles(*STAFF)
def link_client(enquiry_id):
    """Links the enquiry to the member organisation the broker found by name (the registry's
    `MemberDirectory`), as the API's PATCH of `client_kind` and `client_organisation_id`."""
    chosen = request.form.get("organisation_id", "").strip()
    state = forms.FormState(values={"organisation_id": chosen}, id_prefix="client")
    directory = member_link.member_directory()
    organisation = member_link.names_of(directory, [chosen]).get(chosen)
    if organisation is None:
        state.add_errors({"organisation_id": [_("Please choose an organisation from the search results.")]})
        return enquiry_page(str(enquiry_id), status=422, client_form=state)
    changes = forms.load(EnquiryPatch, {"client_kind": organisation.kind, "client_organisation_id": organisation.id},
                         state)
    if changes is None:  # the directory's organisation is no client the schema knows: said at the choice
        state.errors = {"organisation_id": [_("Please choose an organisation from the search results.")]}
        return enquiry_page(str(enquiry_id), status=422, client_form=state)
    try:
        handlers.edit_enquiry(current_runtime().uow(), actor(), str(enquiry_id), changes, site_rules(), utcnow())
    except SoproError as exc:
        forms.apply_domain_error(exc, state)
        return enquiry_page(str(enquiry_id), status=exc.status, client_form=state)
    flash(_("The enquiry is now linked to %(name)s.", name=organisation.name), "success")
    return redirect(url_for(".enquiry", enquiry_id=enquiry_id))


# --- changing an enquiry's fields --------------------------------------------------------------------

EDIT_FIELDS = ("type", "title", "description", "cpv_codes", "quantity", "unit", "deadline", "delivery.nuts3", "budget",
               "label_required", "cross_border_allowed")
CLEARABLE = ("description", "quantity", "unit", "deadline", "budget")  # an emptied field is no value any more
EDITABLE_STATES = (DRAFT,) + REFINABLE


def _edit_form(enquiry: Enquiry) -> forms.FormState:
    """The enquiry's fields as the form shows them (numbers as the page writes them)."""
    return forms.FormState(values={
        "type": enquiry.type, "title": enquiry.title, "description": enquiry.description or "",
        "cpv_codes": " ".join(enquiry.cpv_codes), "quantity": show_number(enquiry.quantity) if enquiry.quantity else "",
        "unit": enquiry.unit or "", "deadline": enquiry.deadline.isoformat() if enquiry.deadline else "",
        "delivery.nuts3": enquiry.delivery.nuts3 or "", "budget": show_number(enquiry.budget) if enquiry.budget else "",
        "label_required": enquiry.label_required, "cross_border_allowed": enquiry.cross_border_allowed})


def _changes_posted(enquiry: Enquiry) -> tuple[dict, dict]:
    """The API's PATCH body of the posted form, and the values to show again. A required field left
    empty is sent as null (the schema says it is required); an emptied optional one clears it; the
    delivery keeps its coordinates."""
    body, values = forms.body_from(request.form, EDIT_FIELDS, lists=("cpv_codes",),
                                   flags=("label_required", "cross_border_allowed"))
    for name in ("type", "title") + CLEARABLE:
        body.setdefault(name, None)
    body.setdefault("cpv_codes", [])
    body["delivery"] = {"nuts3": body.get("delivery", {}).get("nuts3"), "lat": enquiry.delivery.lat,
                        "lon": enquiry.delivery.lon}
    return body, values


@blp.route("/office/enquiries/<uuid:enquiry_id>/edit", methods=["GET", "POST"])
@roles(*STAFF)
def edit_enquiry(enquiry_id):
    """The broker changes an enquiry's fields while it is a draft or being refined, as the API's PATCH
    (`EnquiryPatch`, `handlers.edit_enquiry`); the domain's refusals are said beside the fields."""
    enquiry = read(store.load_enquiry, str(enquiry_id))
    if request.method == "GET":
        return _edit_page(enquiry, _edit_form(enquiry))
    body, values = _changes_posted(enquiry)
    state = forms.FormState(values=values)
    changes = forms.load(EnquiryPatch, body, state)
    if changes is None:
        return _edit_page(enquiry, state, 422)
    try:
        handlers.edit_enquiry(current_runtime().uow(), actor(), str(enquiry_id), changes, site_rules(), utcnow())
    except SoproError as exc:
        forms.apply_domain_error(exc, state)
        return _edit_page(enquiry, state, exc.status)
    flash(_("The enquiry's changes have been saved."), "success")
    return redirect(url_for(".enquiry", enquiry_id=enquiry_id))


def _edit_page(enquiry: Enquiry, state: forms.FormState, status: int = 200):
    return render_template("enquiries/enquiry_edit.html", enquiry=enquiry, form=state, editable=enquiry.state in
                           EDITABLE_STATES, types=[(t, term(t)) for t in ENQUIRY_TYPES]), status
