"""The client member's enquiry pages: a member of a company or a public institution files enquiries for
its own organisation, follows them, reads the proposals and accepts or declines one, writes in the
negotiation, and sees its agreements (cancelling one before production, after confirming it).

A member acts as the API's client (`web.actor()`: the token's organisation is the client). The forms
are loaded with the API's schemas (`NewEnquirySchema`, `TransitionRequest`) and the domain's rules, in
one round, and call the API's handlers. Another organisation's enquiry is a 404 here, as in the API,
also when the member's organisation is a social enterprise that may see it as a supplier: the supplier's
view is the proposals' pages, not this one.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from services.common.auth import roles
from services.common.clock import utc_today, utcnow
from services.common.errors import Forbidden, NotFound, SoproError
from services.common.ports import port
from services.common.runtime import current_runtime
from services.contracts.events.enquiries import CLIENT_KINDS, ENQUIRY_TYPES
from services.contracts.ports import MemberDirectory
from services.enquiries.lifecycle import deals_handlers, deals_store, handlers, rules, store
from services.enquiries.lifecycle.api import DEFAULT_CLIENT_KIND
from services.enquiries.lifecycle.model import FREQUENCIES
from services.enquiries.lifecycle.pages import ENQUIRY_FIELDS, SHOWN_AT, organisation_names
from services.enquiries.lifecycle.schemas import (
    CancellationReason, NewEnquirySchema, NewMessageSchema, TransitionRequest,
)
from services.enquiries.lifecycle.transitions import CANCELLED, CLIENT, SUBMITTED, Actor, allowed_next
from services.enquiries.lifecycle.values import Client
from services.enquiries.lifecycle.web import actor, read, site_rules, visible_enquiry
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint
from services.web.vocabulary import term

MEMBER = ("member",)
PER_PAGE = 100
# The client's moves offered as buttons: agreeing and negotiating again follow from accepting a proposal
# and cancelling an agreement, not from a button of their own.
CLIENT_MOVES = (SUBMITTED, CANCELLED)

blp = page_blueprint("client_enquiry_pages", "services.enquiries")
nav_link(blp, "enquiries", _l("Our enquiries"), roles=MEMBER, area=OFFICE_AREA, order=12)
nav_link(blp, "agreements", _l("Our agreements"), roles=MEMBER, area=OFFICE_AREA, order=13)


def client_actor() -> Actor:
    """The member acting as its organisation, the client; a user without an organisation has no client area."""
    who = actor()
    if who.organisation_id is None:
        raise Forbidden("a member acts for its organisation: this user has none")
    return who


def own_enquiry(conn, enquiry_id: str, who: Actor):
    """The enquiry if `who`'s organisation is its client; anything else is a 404, so that it does not leak."""
    enquiry, full = visible_enquiry(conn, enquiry_id, who)
    if not full or CLIENT not in who.parties(enquiry):
        raise NotFound(f"no enquiry {enquiry_id}")
    return enquiry


# --- the organisation's enquiries --------------------------------------------------------------------

@blp.route("/office/our-enquiries")
@roles(*MEMBER)
def enquiries():
    """Newest first, with their state and how many proposals are open."""
    who = client_actor()

    def load(conn):
        page = store.search_enquiries(conn, client_organisation_id=who.organisation_id, per_page=PER_PAGE)
        open_proposals = {e.id: sum(p.status == "open" for p in deals_store.proposals_of(conn, e.id))
                          for e in page.items}
        return page, open_proposals
    page, open_proposals = read(load)
    return render_template("enquiries/client_enquiries.html", enquiries=page.items, total=page.total,
                           open_proposals=open_proposals)


# --- filing one --------------------------------------------------------------------------------------

def _client_of(who: Actor, contact) -> Client:
    """The member's organisation, of its registered kind (a company or a public institution)."""
    organisation = port(MemberDirectory).named([who.organisation_id]).get(who.organisation_id)
    kind = organisation.kind if organisation and organisation.kind in CLIENT_KINDS else DEFAULT_CLIENT_KIND
    return Client(kind, who.organisation_id, contact)


def _new_enquiry_page(state: forms.FormState, status: int = 200):
    return render_template("enquiries/client_enquire.html", form=state, types=ENQUIRY_TYPES,
                           frequencies=FREQUENCIES), status


@blp.route("/office/our-enquiries/new", methods=["GET", "POST"])
@roles(*MEMBER)
def new_enquiry():
    """A draft, or (with the send button) an enquiry submitted to the site's brokers at once."""
    who = client_actor()
    if request.method == "GET":
        return _new_enquiry_page(forms.FormState(values={"type": request.args.get("type", "")}))
    body, values = forms.body_from(request.form, ENQUIRY_FIELDS, lists=("cpv_codes",),
                                   flags=("label_required", "cross_border_allowed"))
    state = forms.FormState(values=values)
    fields = forms.load_checked(NewEnquirySchema(), body, state, lambda data, refused: _problems(who, data, refused))
    if fields is None or not state.valid:
        return _new_enquiry_page(state, 422)
    fields.pop("submit", None)
    fields["client"] = _client_of(who, fields.pop("client", {}).get("contact"))
    fields["currency"] = fields.get("currency") or site_rules().currency
    try:
        enquiry = handlers.create_enquiry(current_runtime().uow(), who, fields, site_rules(), utcnow(),
                                          submit=request.form.get("send") == "yes")
    except SoproError as exc:
        forms.apply_domain_error(exc, state)
        return _new_enquiry_page(state, exc.status)
    flash(_("The enquiry %(reference)s is saved.", reference=enquiry.reference), "success")
    return redirect(url_for(".enquiry", enquiry_id=enquiry.id))


def _problems(who: Actor, data: dict, refused: frozenset) -> list:
    """The domain's rules for a member's enquiry, in the same round as the schema's messages."""
    contact = (data.get("client") or {}).get("contact")
    client = Client(DEFAULT_CLIENT_KIND, who.organisation_id, contact if not isinstance(contact, dict) else None)
    problems = rules.enquiry_problems(
        site_rules().currency, type=data.get("type"), client=client, cpv_codes=data.get("cpv_codes", ()),
        quantity=data.get("quantity"), unit=data.get("unit"), budget=data.get("budget"),
        currency=data.get("currency") or site_rules().currency, residual_material=data.get("residual_material"),
        deadline=data.get("deadline"), today=utc_today(), unknown=refused)
    return [(SHOWN_AT.get(name, name), messages) for name, messages in problems]


# --- one enquiry, as its client sees it --------------------------------------------------------------

def enquiry_page(enquiry_id: str, status: int = 200, move_form: forms.FormState | None = None,
                 proposal_form: forms.FormState | None = None, cancel_form: forms.FormState | None = None,
                 cancel_of: str | None = None, message_form: forms.FormState | None = None):
    """The enquiry, its proposals (accept, decline while open), the negotiation's messages, its agreements
    and its audit trail."""
    who = client_actor()

    def load(conn):
        enquiry = own_enquiry(conn, enquiry_id, who)
        proposals = deals_store.proposals_of(conn, enquiry_id)
        agreements = deals_store.agreements_of(conn, enquiry_id)
        names = organisation_names(conn, {p.organisation_id for p in proposals}
                                   | {a.organisation_id for a in agreements})
        return (enquiry, proposals, agreements, names, deals_store.messages_of(conn, enquiry_id),
                store.audit_trail(conn, enquiry_id))
    enquiry, proposals, agreements, names, messages, audit = read(load)
    return render_template(
        "enquiries/client_enquiry.html", enquiry=enquiry, proposals=proposals, agreements=agreements, names=names,
        messages=messages, message_form=message_form or forms.FormState(id_prefix="message"), audit=audit,
        moves=[m for m in allowed_next(enquiry.state, (CLIENT,)) if m in CLIENT_MOVES],
        move_form=move_form or forms.FormState(id_prefix="move"),
        proposal_form=proposal_form or forms.FormState(id_prefix="proposal"),
        cancel_form=cancel_form or forms.FormState(), cancel_of=cancel_of), status


@blp.route("/office/our-enquiries/<uuid:enquiry_id>")
@roles(*MEMBER)
def enquiry(enquiry_id):
    return enquiry_page(str(enquiry_id))


def _refused(enquiry_id: str, exc: SoproError, state: forms.FormState, form_name: str):
    """A 409 or 422 of the domain on the enquiry's page; a 404 or 403 is the kernel's error page."""
    if exc.status not in (409, 422):
        raise exc
    forms.apply_domain_error(exc, state)
    return enquiry_page(enquiry_id, exc.status, **{form_name: state})


@blp.route("/office/our-enquiries/<uuid:enquiry_id>/move", methods=["POST"])
@roles(*MEMBER)
def move(enquiry_id):
    """The client's own moves: send a draft to the brokers, or cancel the enquiry (with a reason)."""
    who = client_actor()
    read(own_enquiry, str(enquiry_id), who)
    body, values = forms.body_from(request.form, ("to", "reason"))
    state = forms.FormState(values=values, id_prefix="move")
    transition = forms.load(TransitionRequest(), body, state)
    if transition is None:
        if "to" in state.errors:  # the buttons are the field: their message is about the form
            state.message = " ".join(state.errors.pop("to"))
        return enquiry_page(str(enquiry_id), 422, move_form=state)
    try:
        moved = handlers.move_enquiry(current_runtime().uow(), who, str(enquiry_id), transition["to"],
                                      transition["reason"], utcnow(), site=site_rules())
    except SoproError as exc:
        return _refused(str(enquiry_id), exc, state, "move_form")
    flash(_("The enquiry is now: %(state)s.", state=term(moved.state)), "success")
    return redirect(url_for(".enquiry", enquiry_id=enquiry_id))


PROPOSAL_ACTIONS = {
    "accept": (lambda uow, who, e, p: deals_handlers.accept(uow, who, e, p, utcnow(), site=site_rules()),
               _l("The proposal is accepted: an agreement has been made.")),
    "decline": (lambda uow, who, e, p: deals_handlers.decline(uow, who, e, p, site_rules(), utcnow()),
                _l("The proposal has been declined.")),
}


@blp.route("/office/our-enquiries/<uuid:enquiry_id>/proposals/<uuid:proposal_id>/accept", methods=["POST"],
           defaults={"action": "accept"})
@blp.route("/office/our-enquiries/<uuid:enquiry_id>/proposals/<uuid:proposal_id>/decline", methods=["POST"],
           defaults={"action": "decline"})
@roles(*MEMBER)
def proposal_action(enquiry_id, proposal_id, action):
    """The client accepts a proposal (an agreement reserving the social enterprise's capacity) or declines it."""
    who = client_actor()
    read(own_enquiry, str(enquiry_id), who)
    handler, done = PROPOSAL_ACTIONS[action]
    try:
        handler(current_runtime().uow(), who, str(enquiry_id), str(proposal_id))
    except SoproError as exc:
        return _refused(str(enquiry_id), exc, forms.FormState(id_prefix="proposal"), "proposal_form")
    flash(str(done), "success")
    return redirect(url_for(".enquiry", enquiry_id=enquiry_id))


@blp.route("/office/our-enquiries/<uuid:enquiry_id>/messages", methods=["POST"])
@roles(*MEMBER)
def message(enquiry_id):
    """The client writes to one social enterprise that proposed, or to everybody involved."""
    who = client_actor()
    read(own_enquiry, str(enquiry_id), who)
    body, values = forms.body_from(request.form, ("body", "organisation_id"))
    state = forms.FormState(values=values, id_prefix="message")
    loaded = forms.load(NewMessageSchema(), body, state)
    if loaded is None:
        return enquiry_page(str(enquiry_id), 422, message_form=state)
    try:
        deals_handlers.post_message(current_runtime().uow(), who, str(enquiry_id), loaded["body"],
                                    loaded["organisation_id"])
    except SoproError as exc:
        return _refused(str(enquiry_id), exc, state, "message_form")
    flash(_("The message has been sent."), "success")
    return redirect(url_for(".enquiry", enquiry_id=enquiry_id))


# --- the organisation's agreements -------------------------------------------------------------------

@blp.route("/office/our-agreements")
@roles(*MEMBER)
def agreements():
    """Every agreement made on the organisation's newest enquiries, newest first, with its enquiry."""
    who = client_actor()

    def load(conn):
        own = store.search_enquiries(conn, client_organisation_id=who.organisation_id, per_page=PER_PAGE).items
        made = [(e, a) for e in own for a in deals_store.agreements_of(conn, e.id)]
        return (sorted(made, key=lambda pair: pair[1].made_at, reverse=True),
                organisation_names(conn, {a.organisation_id for _e, a in made}))
    made, names = read(load)
    return render_template("enquiries/client_agreements.html", made=made, names=names)


def _prefix_of(agreement_id) -> str:
    """Each agreement has its own cancel form: its fields' ids carry the agreement's id."""
    return f"a{str(agreement_id)[:8]}"


@blp.route("/office/our-enquiries/<uuid:enquiry_id>/agreements/<uuid:agreement_id>/cancel", methods=["POST"])
@roles(*MEMBER)
def cancel_agreement(enquiry_id, agreement_id):
    """The client cancels an agreement before production (its capacity is released), after confirming it."""
    who = client_actor()
    read(own_enquiry, str(enquiry_id), who)
    body, values = forms.body_from(request.form, ("reason", "confirm"), flags=("confirm",))
    state = forms.FormState(values=values, id_prefix=_prefix_of(agreement_id))
    confirmed = body.pop("confirm")
    loaded = forms.load(CancellationReason(), body, state)
    if not confirmed:
        state.errors["confirm"] = [_("Please confirm that the agreement is to be cancelled.")]
    if loaded is None or not confirmed:
        return enquiry_page(str(enquiry_id), 422, cancel_form=state, cancel_of=str(agreement_id))
    try:
        deals_handlers.cancel_agreement(current_runtime().uow(), who, str(enquiry_id), str(agreement_id),
                                        loaded["reason"], utcnow(), site=site_rules())
    except SoproError as exc:
        if exc.status not in (409, 422):
            raise
        forms.apply_domain_error(exc, state)
        return enquiry_page(str(enquiry_id), exc.status, cancel_form=state, cancel_of=str(agreement_id))
    flash(_("The agreement has been cancelled."), "success")
    return redirect(url_for(".enquiry", enquiry_id=enquiry_id))
