"""The member area of a social enterprise: its home page (where a member lands after login) and its offers.

A member acts for its own organisation only (the token's `organisation_id`, as `acting_for` in the API):
another organisation's offer is a 404, as in the API, and a member of an organisation that is no social
enterprise has no offers to manage (403). Each form is loaded with the API's `OfferSchema` (numbers read
in the page's language by `forms.load`) and calls the API's handlers; what the domain refuses is shown
beside its field, or above the form for a state it no longer allows (409).

The organisation's own record (name, address, registration) is changed by the site's staff only, as in
the API (PATCH /organisations is staff's): the home page shows it as the public sees it.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from services.common.auth import acting_for, roles
from services.common.clock import utc_today
from services.common.errors import Forbidden, NotFound, SoproError
from services.common.runtime import current_runtime
from services.registry import handlers
from services.registry.offer_form import offer_values, posted_offer
from services.registry.offer_store import load_offer, search_offers
from services.registry.offers import Offer
from services.registry.organisation_store import load_organisation
from services.registry.organisations import Organisation
from services.registry.pages import valid_labels
from services.registry.rules import PUBLISHED, WITHDRAWN
from services.registry.schemas import OfferSchema, Reason
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint

MEMBER = ("member",)
blp = page_blueprint("member_pages", __name__)
# The first office link a member holds: where it lands after login (services.web.views.home_of). A member of
# a client has no offers, and a link cannot tell the kinds apart: the home page links the offers.
nav_link(blp, "home", _l("My organisation"), roles=MEMBER, area=OFFICE_AREA, order=5)

def _read(fn, *args, **kwargs):
    with current_runtime().engine.connect() as conn:
        return fn(conn, *args, **kwargs)


def own_organisation() -> Organisation:
    """The organisation the logged-in member acts for (staff have no member area: `roles` keeps them out)."""
    return _read(load_organisation, acting_for(()))


def own_social_enterprise() -> Organisation:
    org = own_organisation()
    if not org.is_social_enterprise:
        raise Forbidden("only a social enterprise has offers")
    return org


def own_offer(offer_id: str) -> Offer:
    """One of the member's own offers; another organisation's is unknown here, as in the API."""
    organisation = own_social_enterprise()
    offer = _read(load_offer, offer_id)
    if offer.organisation_id != organisation.id:
        raise NotFound(f"no offer {offer_id}")
    return offer


# --- home --------------------------------------------------------------------------------------------

@blp.route("/office/member")
@roles(*MEMBER)
def home():
    """The organisation as the public sees it with its valid labels (the label service's public register),
    its offers in numbers, and the links to its daily work."""
    org = own_organisation()
    offers = _read(search_offers, organisation_id=org.id, statuses=(PUBLISHED,), per_page=1) \
        if org.is_social_enterprise else None
    return render_template("registry/member_home.html", org=org, published=offers.total if offers else None,
                           labels=valid_labels(org.id).get(org.id, []))


# --- offers ------------------------------------------------------------------------------------------

@blp.route("/office/member/offers")
@roles(*MEMBER)
def offers():
    org = own_social_enterprise()
    found = _read(search_offers, organisation_id=org.id, statuses=(PUBLISHED, WITHDRAWN), per_page=200)
    return render_template("registry/member_offers.html", org=org, offers=found.items)


@blp.route("/office/member/offers/new", methods=["GET", "POST"])
@roles(*MEMBER)
def new_offer():
    org = own_social_enterprise()
    state = forms.FormState(values={"cross_border": ""})
    if request.method == "GET":
        return render_template("registry/member_offer.html", org=org, offer=None, form=state)
    body, state.values = _posted_offer(org, keep_empty=False)
    fields = forms.load(OfferSchema(), body, state)
    if fields is not None:
        fields.setdefault("currency", current_runtime().settings.site.currency)
        try:
            offer = handlers.publish_offer(current_runtime().uow(), fields, utc_today(), acting_for=org.id)
        except SoproError as exc:
            _refused(exc, state)
        else:
            flash(_("The offer “%(title)s” is published.", title=offer.title), "success")
            return redirect(url_for(".offers"))
    return render_template("registry/member_offer.html", org=org, offer=None, form=state), _status(state)


@blp.route("/office/member/offers/<uuid:offer_id>", methods=["GET", "POST"])
@roles(*MEMBER)
def edit_offer(offer_id):
    offer = own_offer(str(offer_id))
    org = own_organisation()
    withdraw_form = forms.FormState(id_prefix="withdraw")
    if request.method == "GET":
        state = forms.FormState(values=offer_values(offer))
        return render_template("registry/member_offer.html", org=org, offer=offer, form=state,
                               withdraw_form=withdraw_form)
    body, values = _posted_offer(org, keep_empty=True)
    state = forms.FormState(values=values)
    fields = forms.load(OfferSchema(), body, state)
    if fields is not None:
        fields.pop("organisation_id")
        try:
            handlers.update_offer(current_runtime().uow(), offer.id, fields, acting_for=org.id)
        except SoproError as exc:
            _refused(exc, state)
        else:
            flash(_("Your changes to the offer are saved."), "success")
            return redirect(url_for(".edit_offer", offer_id=offer.id))
    return render_template("registry/member_offer.html", org=org, offer=offer, form=state,
                           withdraw_form=withdraw_form), _status(state)


@blp.route("/office/member/offers/<uuid:offer_id>/withdraw", methods=["POST"])
@roles(*MEMBER)
def withdraw_offer(offer_id):
    """Withdrawing is final (an offer is published again as a new one): the form asks to confirm it."""
    offer = own_offer(str(offer_id))
    body, values = forms.body_from(request.form, ("reason", "confirm"), flags=("confirm",))
    state = forms.FormState(values=values, id_prefix="withdraw")
    confirmed = body.pop("confirm", False)
    fields = forms.load(Reason(), body, state)
    if not confirmed:
        state.errors["confirm"] = [_("Please confirm that the offer is to be withdrawn.")]
    if fields is not None and confirmed:
        try:
            handlers.withdraw_offer(current_runtime().uow(), offer.id, fields["reason"],
                                    acting_for=offer.organisation_id)
        except SoproError as exc:
            _refused(exc, state)
        else:
            flash(_("The offer “%(title)s” is withdrawn.", title=offer.title), "success")
            return redirect(url_for(".offers"))
    return render_template("registry/member_offer.html", org=own_organisation(), offer=offer,
                           form=forms.FormState(values=offer_values(offer)), withdraw_form=state), _status(state)


def _posted_offer(org: Organisation, keep_empty: bool) -> tuple[dict, dict]:
    """The API's body of the offer form, for the member's own organisation (`offer_form`, shared with the
    staff's pages)."""
    return posted_offer(request.form, org.id, keep_empty)


def _refused(exc: SoproError, state: forms.FormState) -> None:
    if exc.status not in (409, 422):
        raise exc  # 403, 404: the kernel's error page
    forms.apply_domain_error(exc, state)


def _status(state: forms.FormState) -> int:
    return 409 if state.message and not state.errors else 422
