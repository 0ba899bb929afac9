"""The staff's pages of an organisation's offers: list (withdrawn ones too), publish, change, and withdraw
after a confirmation page.

The form is the member area's (`offer_form`, `registry/_offer_form.html`), with the CPV codes chosen by
their labels; it is loaded with the API's `OfferSchema` and calls the API's handlers as staff (no
`acting_for`).
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.common.auth import roles
from services.common.clock import utc_today
from services.common.errors import Forbidden, SoproError
from services.common.runtime import current_runtime
from services.registry import handlers
from services.registry.office_blueprint import STAFF, blp, read, refused, status_of, withdrawal_page
from services.registry.offer_form import offer_problems, offer_values, posted_offer
from services.registry.offer_store import load_offer, search_offers
from services.registry.offers import Offer
from services.registry.organisation_store import load_organisation
from services.registry.organisations import Organisation
from services.registry.rules import ACTIVE, PUBLISHED, WITHDRAWN
from services.registry.schemas import OfferSchema
from services.web import forms


def _social_enterprise(organisation_id: str) -> Organisation:
    org = read(load_organisation, organisation_id)
    if not org.is_social_enterprise:
        raise Forbidden("only a social enterprise has offers")
    return org


def _posted(org: Organisation, keep_empty: bool) -> tuple[dict, dict]:
    """The offer form's post: the CPV codes come as the list's chosen options."""
    form = request.form.to_dict()
    form["cpv_codes"] = " ".join(request.form.getlist("cpv_codes"))
    return posted_offer(form, org.id, keep_empty)


@blp.route("/office/organisations/<uuid:organisation_id>/offers")
@roles(*STAFF)
def offers(organisation_id):
    org = _social_enterprise(str(organisation_id))
    found = read(search_offers, organisation_id=org.id, statuses=(PUBLISHED, WITHDRAWN), per_page=200)
    return render_template("registry/office_offers.html", org=org, offers=found.items)


@blp.route("/office/organisations/<uuid:organisation_id>/offers/new", methods=["GET", "POST"])
@roles(*STAFF)
def new_offer(organisation_id):
    org = _social_enterprise(str(organisation_id))
    state = forms.FormState(values={"cross_border": ""})
    if request.method == "POST":
        body, state.values = _posted(org, keep_empty=False)
        fields = forms.load_checked(OfferSchema(), body, state, offer_problems)
        if fields is not None:
            fields.setdefault("currency", current_runtime().settings.site.currency)
            try:
                offer = handlers.publish_offer(current_runtime().uow(), fields, utc_today())
            except SoproError as exc:
                refused(exc, state)
            else:
                flash(_("The offer “%(title)s” is published.", title=offer.title), "success")
                return redirect(url_for(".offers", organisation_id=org.id))
    return _offer_page(org, None, state, 200 if request.method == "GET" else status_of(state))


@blp.route("/office/offers/<uuid:offer_id>", methods=["GET", "POST"])
@roles(*STAFF)
def offer(offer_id):
    offer = read(load_offer, str(offer_id))
    org = read(load_organisation, offer.organisation_id)
    if request.method == "GET":
        return _offer_page(org, offer, forms.FormState(values=offer_values(offer)))
    body, values = _posted(org, keep_empty=True)
    state = forms.FormState(values=values)
    fields = forms.load_checked(OfferSchema(), body, state, offer_problems)
    if fields is not None:
        fields.pop("organisation_id")
        try:
            handlers.update_offer(current_runtime().uow(), offer.id, fields)
        except SoproError as exc:
            refused(exc, state)
        else:
            flash(_("Your changes to the offer are saved."), "success")
            return redirect(url_for(".offer", offer_id=offer.id))
    return _offer_page(org, offer, state, status_of(state))


def _offer_page(org: Organisation, offer: Offer | None, state: forms.FormState, status: int = 200):
    return render_template("registry/office_offer.html", org=org, offer=offer, form=state,
                           editable=org.status == ACTIVE and (offer is None or offer.status == PUBLISHED)), status


@blp.route("/office/offers/<uuid:offer_id>/withdraw", methods=["GET", "POST"])
@roles(*STAFF)
def withdraw_offer(offer_id):
    """A withdrawn offer is no longer matched and is not published again: the page asks to confirm it."""
    offer = read(load_offer, str(offer_id))
    return withdrawal_page(
        lambda uow, reason: handlers.withdraw_offer(uow, offer.id, reason),
        _("The offer “%(title)s” is withdrawn.", title=offer.title),
        url_for(".offers", organisation_id=offer.organisation_id),
        title=offer.title, record=offer, back=url_for(".offer", offer_id=offer.id),
        action=url_for(".withdraw_offer", offer_id=offer.id),
        question=_("Withdraw the offer “%(title)s”?", title=offer.title),
        consequences=[_("A withdrawn offer is no longer matched to enquiries; it cannot be published again.")],
        button=_("Withdraw the offer"), possible=offer.status == PUBLISHED)
