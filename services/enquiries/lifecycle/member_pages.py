"""A social enterprise's enquiry pages: the enquiries open for proposals that fit its published offers, and
on each its own proposals, which it files, revises and withdraws, and its own agreements; and all its
agreements with their delivery and the impact recorded for them (its impact).

A member acts as the API's social enterprise (`web.actor()`: the token's organisation proposes). It sees
an enquiry as the API shows it to a supplier (`visible_enquiry`: without the client's contact person),
and its own proposals and agreements only. Its organisation's own enquiries as a client are the client
pages' (a 404 here). The forms are loaded with the API's `NewProposalSchema` and `TermsSchema` (numbers
in the page's language) and call the API's handlers; refusals are shown beside the fields or above them.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from services.common.auth import roles
from services.common.clock import utcnow
from services.common.errors import Forbidden, NotFound, SoproError
from services.common.runtime import current_runtime
from services.enquiries.lifecycle import deals_handlers, deals_store, matching_port, store
from services.enquiries.lifecycle.tables import agreement as agreement_table
from services.enquiries.lifecycle.schemas import NewProposalSchema, TermsSchema
from services.enquiries.lifecycle.transitions import CLIENT, Actor
from services.enquiries.lifecycle.web import FOR_PROPOSALS, actor, read, site_rules, visible_enquiry
from services.enquiries.matching import store as matching_store
from services.web import forms, page_blueprint
from services.web.numbers import show_number
from services.web.vocabulary import term

MEMBER = ("member",)
PER_PAGE = 100
TERMS_FIELDS = ("quantity", "unit", "price", "currency", "delivery_date", "conditions")

blp = page_blueprint("member_enquiry_pages", "services.enquiries")


def supplier() -> Actor:
    """The member acting as its organisation, an active social enterprise with published offers."""
    who = actor()
    if read(matching_port.social_enterprise, who.organisation_id) is None:
        raise Forbidden("only a member of an active social enterprise proposes")
    return who


def supplied_enquiry(conn, enquiry_id: str, who: Actor):
    """The enquiry as a supplier sees it; its organisation's own enquiry as a client is the client pages'."""
    enquiry, _full = visible_enquiry(conn, enquiry_id, who)
    if CLIENT in who.parties(enquiry):
        raise NotFound(f"no enquiry {enquiry_id}")
    return enquiry.without_contact()


def own_offers(conn, organisation_id: str) -> list[tuple[str, str]]:
    """(id, title) of the organisation's published offers, as the matching part knows them."""
    offer = matching_store.matching_offer
    rows = conn.execute(select(offer.c.id, offer.c.title).where(
        offer.c.organisation_id == organisation_id, offer.c.status == matching_store.OFFER_PUBLISHED)
        .order_by(offer.c.title))
    return [(row.id, row.title) for row in rows]


# --- the enquiries that fit ------------------------------------------------------------------------

@blp.route("/office/member/enquiries")
@roles(*MEMBER)
def enquiries():
    """Newest first: open for proposals in the CPV divisions of its offers (its own as a client left out)."""
    who = supplier()

    def load(conn):
        se = matching_port.social_enterprise(conn, who.organisation_id)
        page = store.search_enquiries(conn, member_of=who.organisation_id, open_in_divisions=se.divisions,
                                      per_page=PER_PAGE)
        fitting = [e for e in page.items if CLIENT not in who.parties(e)]
        proposed = {e.id for e in fitting if deals_store.proposals_of(conn, e.id, who.organisation_id)}
        return fitting, proposed
    fitting, proposed = read(load)
    return render_template("enquiries/member_enquiries.html", enquiries=fitting, proposed=proposed)


# --- an enquiry, its proposals and agreements ----------------------------------------------------------

def enquiry_page(enquiry_id: str, status: int = 200, **forms_by_name):
    who = supplier()

    def load(conn):
        enquiry = supplied_enquiry(conn, enquiry_id, who)
        proposals = deals_store.proposals_of(conn, enquiry_id, who.organisation_id)
        agreements = [a for a in deals_store.agreements_of(conn, enquiry_id)
                      if a.organisation_id == who.organisation_id]
        return enquiry, proposals, agreements, own_offers(conn, who.organisation_id)
    enquiry, proposals, agreements, offers = read(load)
    proposal_form = forms_by_name.pop("proposal_form", None) or forms.FormState(id_prefix="new", values={
        "unit": enquiry.unit or "", "currency": enquiry.currency,
        "quantity": show_number(enquiry.quantity) if enquiry.quantity else ""})
    revise_forms = {p.id: forms_by_name.pop(f"revise_{p.id}", None) or _terms_form(p) for p in proposals}
    return render_template(
        "enquiries/member_enquiry.html", enquiry=enquiry, proposals=proposals, agreements=agreements,
        offers=offers, units=[(enquiry.unit, term(enquiry.unit))] if enquiry.unit else [],
        open_for_proposals=enquiry.state in FOR_PROPOSALS, proposal_form=proposal_form,
        revise_forms=revise_forms, action_form=forms_by_name.pop("action_form", forms.FormState(id_prefix="action")),
    ), status


def _terms_form(proposal) -> forms.FormState:
    """A proposal's revision form starts from its current terms, numbers in the page's language."""
    terms = proposal.terms
    return forms.FormState(id_prefix=f"p{proposal.id[:8]}", values={
        "quantity": show_number(terms.quantity), "unit": terms.unit, "price": show_number(terms.price),
        "currency": terms.currency, "delivery_date": terms.delivery_date.isoformat(),
        "conditions": terms.conditions or ""})


@blp.route("/office/member/enquiries/<uuid:enquiry_id>")
@roles(*MEMBER)
def enquiry(enquiry_id):
    return enquiry_page(str(enquiry_id))


def _attempt(enquiry_id: str, form_name: str, state: forms.FormState, act, done: str):
    """Run the handler; a 422 beside the form's fields, a 409 or 403 above them; done: back to the page."""
    try:
        act()
    except SoproError as exc:
        if exc.status not in (403, 409, 422):
            raise  # 404: the kernel's error page
        word_refusal(exc, state, enquiry_id)
        return enquiry_page(enquiry_id, status=exc.status, **{form_name: state})
    flash(done, "success")
    return redirect(url_for(".enquiry", enquiry_id=enquiry_id))


def word_refusal(exc: SoproError, state: forms.FormState, enquiry_id: str) -> None:
    """The domain's refusals in the page's language: the unit the enquiry counts in, and what the state of
    the proposal or of the enquiry no longer allows; the kernel words the rest."""
    if exc.status == 422 and "unit" in exc.errors:
        unit = read(store.load_enquiry, enquiry_id).unit
        state.errors["unit"] = [_("Please propose in the enquiry’s unit: %(unit)s.", unit=term(unit or ""))]
        exc.errors.pop("unit")
        if not exc.errors:
            return
    if exc.status == 409 and "status" in exc.errors:
        state.message = _("This proposal is “%(status)s”: that is not possible now.",
                          status=term(exc.errors["status"][0]))
    elif exc.status == 409 and "state" in exc.errors:
        state.message = _("The enquiry is “%(state)s”: it takes no proposals now.", state=term(exc.errors["state"][0]))
    else:
        forms.apply_domain_error(exc, state)


@blp.route("/office/member/enquiries/<uuid:enquiry_id>/proposals", methods=["POST"])
@roles(*MEMBER)
def propose(enquiry_id):
    """The social enterprise proposes for one of its offers; the organisation is its own (the token's)."""
    who, enquiry_id = supplier(), str(enquiry_id)
    read(supplied_enquiry, enquiry_id, who)
    body, values = forms.body_from(request.form, ("offer_id", *TERMS_FIELDS))
    state = forms.FormState(values=values, id_prefix="new")
    loaded = forms.load(NewProposalSchema(), body, state)
    if loaded is None:
        return enquiry_page(enquiry_id, status=422, proposal_form=state)
    return _attempt(enquiry_id, "proposal_form", state, lambda: deals_handlers.propose(
        current_runtime().uow(), who, enquiry_id, None, loaded["offer_id"], loaded["terms"], site_rules(), utcnow()),
        _("The proposal has been recorded."))


def own_proposal(enquiry_id: str, proposal_id: str, who: Actor):
    """One of its own proposals on an enquiry it may see; another organisation's is a 404, as in the API."""
    def load(conn):
        supplied_enquiry(conn, enquiry_id, who)
        proposal = deals_store.load_proposal(conn, enquiry_id, proposal_id)
        if proposal.organisation_id != who.organisation_id:
            raise NotFound(f"no proposal {proposal_id} on enquiry {enquiry_id}")
        return proposal
    return read(load)


@blp.route("/office/member/enquiries/<uuid:enquiry_id>/proposals/<uuid:proposal_id>/revise", methods=["POST"])
@roles(*MEMBER)
def revise(enquiry_id, proposal_id):
    """New terms for an open proposal: its next revision."""
    who, enquiry_id, proposal_id = supplier(), str(enquiry_id), str(proposal_id)
    proposal = own_proposal(enquiry_id, proposal_id, who)
    body, values = forms.body_from(request.form, TERMS_FIELDS)
    form_name = f"revise_{proposal.id}"
    state = forms.FormState(values=values, id_prefix=f"p{proposal.id[:8]}")
    terms = forms.load(TermsSchema(), body, state)
    if terms is None:
        return enquiry_page(enquiry_id, status=422, **{form_name: state})
    return _attempt(enquiry_id, form_name, state, lambda: deals_handlers.revise(
        current_runtime().uow(), who, enquiry_id, proposal_id, terms, site_rules(), utcnow()),
        _("The proposal has been revised."))


@blp.route("/office/member/enquiries/<uuid:enquiry_id>/proposals/<uuid:proposal_id>/withdraw", methods=["POST"])
@roles(*MEMBER)
def withdraw(enquiry_id, proposal_id):
    who, enquiry_id, proposal_id = supplier(), str(enquiry_id), str(proposal_id)
    own_proposal(enquiry_id, proposal_id, who)
    return _attempt(enquiry_id, "action_form", forms.FormState(id_prefix="action"), lambda: deals_handlers.withdraw(
        current_runtime().uow(), who, enquiry_id, proposal_id), _("The proposal has been withdrawn."))


# --- its agreements and its impact -------------------------------------------------------------------------

IMPACT_TOTALS = ("value_paid_eur", "material_diverted_kg", "integration_hours")


@blp.route("/office/member/agreements")
@roles(*MEMBER)
def agreements():
    """Every agreement of the organisation, newest enquiry first, each with its delivery and impact record,
    and the impact of them all in numbers (what the API's impact records of its agreements add up to)."""
    who = supplier()

    def load(conn):
        enquiry_ids = conn.execute(select(agreement_table.c.enquiry_id).where(
            agreement_table.c.organisation_id == who.organisation_id).distinct()).scalars().all()
        found = []
        for enquiry_id in enquiry_ids:
            enquiry = store.load_enquiry(conn, enquiry_id)
            impacts = {i.agreement_id: i for i in deals_store.impacts_of(conn, enquiry_id)}
            found += [(enquiry, a, impacts.get(a.id)) for a in deals_store.agreements_of(conn, enquiry_id)
                      if a.organisation_id == who.organisation_id]
        return sorted(found, key=lambda row: row[1].made_at, reverse=True)
    rows = read(load)
    totals = {name: sum((getattr(i, name) or 0) for _e, _a, i in rows if i is not None) for name in IMPACT_TOTALS}
    return render_template("enquiries/member_agreements.html", rows=rows, totals=totals,
                           recorded=sum(1 for row in rows if row[2] is not None))
