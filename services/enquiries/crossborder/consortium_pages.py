"""The origin broker's cross-border pages: asking the hub for a consortium from the enquiry's page, and
following it on the consortium's page.

The request form is drawn on the enquiry's page (lifecycle.pages.enquiry_page) when the client allowed
cross-border work, the enquiry is open and it has not been passed to the hub yet; it is loaded with the
API's `CrossBorderRequestSchema` and filed with the API's handler. The consortium's page shows the hub's
latest picture of the order (origin_read.consortium_picture) and, once agreed, the client-facing
agreement (origin_read.client_agreement): every reason and shortfall worded in the page's language.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from services.common.auth import roles
from services.common.errors import NotFound, SoproError
from services.common.runtime import current_runtime
from services.contracts.reasons import describe, reason
from services.enquiries.crossborder import handlers, origin_read
from services.enquiries.crossborder.api import CrossBorderRequestSchema
from services.enquiries.crossborder.model import RequestTerms, whole_units
from services.enquiries.crossborder.page_numbers import as_api_numbers
from services.enquiries.crossborder.pages import crossborder_blueprint
from services.enquiries.lifecycle import store as enquiry_store
from services.enquiries.lifecycle.pages import enquiry_page
from services.enquiries.lifecycle.transitions import OPEN
from services.enquiries.lifecycle.web import STAFF, read
from services.web import forms
from services.web.i18n import show_number
from services.web.vocabulary import term

blp = crossborder_blueprint("consortium_pages")

REQUEST_NUMBERS = ("quantity", "max_partners", "min_lot")
REQUESTED = "requested"  # the order's state until the hub has answered (pages.ORDER_TERMS)
FORM_PREFIX = "cb"  # the enquiry's page has other forms with a quantity field
# What an enquiry lacks when the hub cannot source it (the handler's 409 names the fields).
NEEDED = {"quantity": _l("a quantity"), "deadline": _l("a deadline"), "cpv_codes": _l("a CPV code")}


# --- the request form on the enquiry's page ---------------------------------------------------------

@blp.app_template_global()
def consortium_request_form(enquiry) -> forms.FormState | None:
    """An empty request form when `enquiry` may be passed to the hub, else None (the page then says why
    not, or links to the consortium)."""
    if enquiry.cross_border_allowed and enquiry.state in OPEN and not enquiry.cross_border_flagged:
        defaults = RequestTerms()
        return forms.FormState(values={"max_partners": str(defaults.max_partners), "min_lot": str(defaults.min_lot)},
                               id_prefix=FORM_PREFIX)
    return None


@blp.app_template_global()
def member_site_choices() -> list[tuple[str, str]]:
    """(id, "name (id)") of the federation's member sites, for the allowed sites' checkboxes."""
    return [(site.id, f"{site.name} ({site.id})") for site in current_runtime().settings.federation.member_sites]


def member_site_ids() -> set[str]:
    return {site.id for site in current_runtime().settings.federation.member_sites}


@blp.route("/office/enquiries/<uuid:enquiry_id>/consortium-request", methods=["POST"])
@roles(*STAFF)
def request_consortium(enquiry_id):
    """The broker asks the hub to compose a consortium; refusals are shown beside the form's fields."""
    body, values = forms.body_from(request.form, REQUEST_NUMBERS)
    sites = [s for s in request.form.getlist("sites") if s]
    values["sites"] = sites
    state = forms.FormState(values=values, id_prefix=FORM_PREFIX)
    fields = forms.load(CrossBorderRequestSchema(), {**as_api_numbers(body, integers=REQUEST_NUMBERS),
                                                     "sites": sites}, state)
    if fields is None:
        return enquiry_page(str(enquiry_id), status=422, consortium_form=state)
    terms = RequestTerms(fields["quantity"], fields["max_partners"], fields["min_lot"], tuple(fields["sites"]))
    try:
        handlers.request_consortium(current_runtime().uow(), str(enquiry_id), terms, member_site_ids())
    except SoproError as exc:
        if exc.status not in (409, 422):
            raise
        word_refusal(exc, state, read(enquiry_store.load_enquiry, str(enquiry_id)))
        return enquiry_page(str(enquiry_id), status=exc.status, consortium_form=state)
    flash(_("The hub has been asked for a consortium. It answers within minutes."), "success")
    return redirect(url_for(".consortium", enquiry_id=enquiry_id))


def word_refusal(exc: SoproError, state: forms.FormState, enquiry) -> None:
    """The handler's refusal in the page's language: a 409 about the whole form, a 422 at its field."""
    if exc.status == 422:
        if "quantity" in exc.errors:
            state.errors["quantity"] = [_("Please enter from 1 to the enquiry's quantity (%(total)s).",
                                          total=show_number(whole_units(enquiry.quantity)))]
        if "sites" in exc.errors:
            state.errors["sites"] = [_("Please choose among the federation's sites.")]
        if not state.errors:
            forms.apply_domain_error(exc, state)
        return
    messages = {
        "cross_border_not_allowed": lambda: _("The client did not allow suppliers from other countries."),
        "not_open": lambda: _("A consortium is asked for while the enquiry is open; it is “%(state)s”.",
                              state=term(enquiry.state)),
        "already_requested": lambda: _("This enquiry has already been passed to the hub."),
        "incomplete": lambda: _("Before the hub can source it, the enquiry needs %(missing)s.", missing=", ".join(
            str(NEEDED.get(name, name)) for name in exc.errors)),
    }
    if exc.code in messages:
        state.message = messages[exc.code]()
    else:
        forms.apply_domain_error(exc, state)


# --- the consortium's page ----------------------------------------------------------------------------

@blp.route("/office/enquiries/<uuid:enquiry_id>/consortium")
@roles(*STAFF)
def consortium(enquiry_id):
    """The hub's picture of the order, or "requested, waiting for the hub" until it has answered."""
    def load(conn):
        rates = current_runtime().settings.federation.rates_to_eur
        return (enquiry_store.load_enquiry(conn, str(enquiry_id)),
                origin_read.consortium_picture(conn, str(enquiry_id), rates),
                origin_read.client_agreement(conn, str(enquiry_id)))
    enquiry, picture, agreement = read(load)
    if picture is None and not enquiry.cross_border_flagged:
        raise NotFound(f"enquiry {enquiry.reference} has no cross-border order")
    shortfalls = [shortfall_text(s) for s in (picture or {}).get("shortfalls", [])]
    # A variable, not a constant in the template: Jinja would word a constant once, in the first page's language.
    status = picture["status"] if picture else REQUESTED
    return render_template("enquiries/crossborder/consortium.html", enquiry=enquiry, picture=picture, status=status,
                           agreement=agreement, shortfalls=shortfalls)


def shortfall_text(shortfall: dict) -> str:
    """A shortfall `{code, quantity, params}` worded (its quantity is one of the wording's values); a
    failure's says too why nothing was re-allocated (`params.reallocation`, a code of its own)."""
    if not shortfall.get("code"):  # a picture from before reasons were codes: its English words as they are
        return describe(shortfall.get("reason") or shortfall.get("detail"))
    params = {"quantity": shortfall.get("quantity"), **(shortfall.get("params") or {})}
    text = describe({"code": shortfall["code"], "params": params})
    if params.get("reallocation"):
        text = f"{text} {describe(reason(params['reallocation']))}"
    return text
