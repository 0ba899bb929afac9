"""Pages of negotiation, on the enquiry's page: the broker's proposals for a shortlisted social
enterprise, counter-offers (a proposal's terms revised), accepting, declining and withdrawing them,
messages, and agreements (cancel, deliver).

Each form is loaded with the API's schema (`NewProposalSchema`, `TermsSchema`, `NewMessageSchema`,
`CancellationReason`, `DeliveryReportSchema`) and calls the API's handler.
"""
from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from services.common.auth import roles
from services.common.clock import utcnow
from services.common.errors import SoproError
from services.common.runtime import current_runtime
from services.enquiries.lifecycle import deals_handlers, deals_store
from services.enquiries.lifecycle.pages import blp, enquiry_page, revision_prefix
from services.enquiries.lifecycle.schemas import (
    CancellationReason, DeliveryReportSchema, NewMessageSchema, NewProposalSchema, TermsSchema,
)
from services.enquiries.lifecycle.web import STAFF, actor, read, site_rules
from services.web import forms

TERMS_FIELDS = ("quantity", "unit", "price", "currency", "delivery_date", "conditions")
PROPOSAL_FIELDS = ("candidate",) + TERMS_FIELDS
DELIVERY_FIELDS = ("value_paid", "material_diverted_kg", "regional_share", "production_nuts3", "integration_hours")


def _back(enquiry_id, message: str):
    flash(message, "success")
    return redirect(url_for(".enquiry", enquiry_id=enquiry_id))


def _attempt(enquiry_id, state: forms.FormState, form_name: str, act, done: str, shown=lambda state: None, **page):
    """Run `act()`; on a domain refusal draw the enquiry's page again with the form's messages (placed
    by `shown`)."""
    try:
        act()
    except SoproError as exc:
        forms.apply_domain_error(exc, state)
        shown(state)
        return enquiry_page(str(enquiry_id), status=exc.status, **{form_name: state}, **page)
    return _back(enquiry_id, done)


def _prefix_of(agreement_id) -> str:
    """Each agreement has its own cancel and delivery forms: their fields' ids carry its id."""
    return f"a{str(agreement_id)[:8]}"


@blp.route("/office/enquiries/<uuid:enquiry_id>/proposals", methods=["POST"])
@roles(*STAFF)
def propose(enquiry_id):
    """The broker proposes for a shortlisted social enterprise's offer (candidate = organisation:offer)."""
    body, values = forms.body_from(request.form, PROPOSAL_FIELDS)
    state = forms.FormState(values=values)
    organisation_id, _sep, offer_id = body.pop("candidate", "").partition(":")
    body.update({k: v for k, v in (("organisation_id", organisation_id), ("offer_id", offer_id)) if v})
    loaded = forms.load(NewProposalSchema(), body, state)
    _at_candidate(state)
    if loaded is None:
        return enquiry_page(str(enquiry_id), status=422, proposal_form=state)
    return _attempt(enquiry_id, state, "proposal_form", lambda: deals_handlers.propose(
        current_runtime().uow(), actor(), str(enquiry_id), loaded["organisation_id"], loaded["offer_id"],
        loaded["terms"], site_rules(), utcnow()), _("The proposal has been recorded."), shown=_at_candidate)


def _at_candidate(state: forms.FormState) -> None:
    """The page has one field for the social enterprise and its offer: their messages are shown there."""
    for name in ("organisation_id", "offer_id"):
        if name in state.errors:
            state.errors.setdefault("candidate", []).extend(state.errors.pop(name))


@blp.route("/office/enquiries/<uuid:enquiry_id>/proposals/<uuid:proposal_id>/revise", methods=["POST"])
@roles(*STAFF)
def revise(enquiry_id, proposal_id):
    """A counter-offer: the broker revises an open proposal's terms, which become its next revision."""
    body, values = forms.body_from(request.form, TERMS_FIELDS)
    state = forms.FormState(values=values, id_prefix=revision_prefix(proposal_id))
    terms = forms.load(TermsSchema(), body, state)
    page = {"revision_of": str(proposal_id)}
    if terms is not None and terms == read(deals_store.load_proposal, str(enquiry_id), str(proposal_id)).terms:
        state.message = _("These are the proposal's terms already: change at least one to make a counter-offer.")
    if terms is None or not state.valid:
        return enquiry_page(str(enquiry_id), status=422, revision_form=state, **page)
    return _attempt(enquiry_id, state, "revision_form", lambda: deals_handlers.revise(
        current_runtime().uow(), actor(), str(enquiry_id), str(proposal_id), terms, site_rules(), utcnow()),
        _("The counter-offer has been recorded as the proposal's next revision."), **page)


PROPOSAL_ACTIONS = {
    "accept": (lambda uow, who, e, p: deals_handlers.accept(uow, who, e, p, utcnow(), site=site_rules())),
    "decline": (lambda uow, who, e, p: deals_handlers.decline(uow, who, e, p, site_rules(), utcnow())),
    "withdraw": deals_handlers.withdraw,
}


@blp.route("/office/enquiries/<uuid:enquiry_id>/proposals/<uuid:proposal_id>/accept", methods=["POST"],
           defaults={"action": "accept"})
@blp.route("/office/enquiries/<uuid:enquiry_id>/proposals/<uuid:proposal_id>/decline", methods=["POST"],
           defaults={"action": "decline"})
@blp.route("/office/enquiries/<uuid:enquiry_id>/proposals/<uuid:proposal_id>/withdraw", methods=["POST"],
           defaults={"action": "withdraw"})
@roles(*STAFF)
def proposal_action(enquiry_id, proposal_id, action):
    state = forms.FormState()
    done = {"accept": _("The proposal is accepted: an agreement has been made."),
            "decline": _("The proposal has been declined."), "withdraw": _("The proposal has been withdrawn.")}
    return _attempt(enquiry_id, state, "proposal_form", lambda: PROPOSAL_ACTIONS[action](
        current_runtime().uow(), actor(), str(enquiry_id), str(proposal_id)), done[action])


@blp.route("/office/enquiries/<uuid:enquiry_id>/messages", methods=["POST"])
@roles(*STAFF)
def message(enquiry_id):
    body, values = forms.body_from(request.form, ("body", "organisation_id"))
    state = forms.FormState(values=values)
    loaded = forms.load(NewMessageSchema(), body, state)
    if loaded is None:
        return enquiry_page(str(enquiry_id), status=422, message_form=state)
    return _attempt(enquiry_id, state, "message_form", lambda: deals_handlers.post_message(
        current_runtime().uow(), actor(), str(enquiry_id), loaded["body"], loaded["organisation_id"]),
        _("The message has been sent."))


@blp.route("/office/enquiries/<uuid:enquiry_id>/agreements/<uuid:agreement_id>/cancel", methods=["POST"])
@roles(*STAFF)
def cancel_agreement(enquiry_id, agreement_id):
    body, values = forms.body_from(request.form, ("reason",))
    state = forms.FormState(values=values, id_prefix=_prefix_of(agreement_id))
    loaded = forms.load(CancellationReason(), body, state)
    if loaded is None:
        return enquiry_page(str(enquiry_id), status=422, agreement_form=state, agreement_of=str(agreement_id))
    return _attempt(enquiry_id, state, "agreement_form", lambda: deals_handlers.cancel_agreement(
        current_runtime().uow(), actor(), str(enquiry_id), str(agreement_id), loaded["reason"], utcnow(),
        site=site_rules()),
        _("The agreement has been cancelled."), agreement_of=str(agreement_id))


@blp.route("/office/enquiries/<uuid:enquiry_id>/agreements/<uuid:agreement_id>/deliver", methods=["POST"])
@roles(*STAFF)
def deliver(enquiry_id, agreement_id):
    """The broker reports the delivery and its impact figures (the value paid defaults to the price)."""
    body, values = forms.body_from(request.form, DELIVERY_FIELDS)
    state = forms.FormState(values=values, id_prefix=_prefix_of(agreement_id))
    report = forms.load(DeliveryReportSchema(), body, state)
    if report is None:
        return enquiry_page(str(enquiry_id), status=422, delivery_form=state, delivery_of=str(agreement_id))
    return _attempt(enquiry_id, state, "delivery_form", lambda: deals_handlers.deliver(
        current_runtime().uow(), actor(), str(enquiry_id), str(agreement_id), report, site_rules(), utcnow()),
        _("The delivery and its impact have been recorded."), delivery_of=str(agreement_id))
