"""Pages of the national stakeholder platform: the staff's /office/platform (add a registered organisation
with its role, list the members, remove one) and the public /platform (the members, a link to the
country's platform at the hub and to the site's forums).

Forms are loaded with the API's `JoinSchema` and call the API's use case; what the domain refuses is said
beside its field (422: an unknown organisation or role) or above the form (409: a member already, left
already), in the page's language.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale, gettext as _, lazy_gettext as _l, lazy_ngettext

from services.common.auth import public, roles
from services.common.clock import utc_today
from services.common.errors import SoproError
from services.common.ports import port
from services.common.runtime import current_runtime
from services.community.platforms import handlers
from services.community.platforms.api import STAFF, join, listed, site_country
from services.community.platforms.model import ACTIVE, LEFT
from services.community.platforms.schemas import JoinSchema
from services.contracts.ports import MemberDirectory
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint

blp = page_blueprint("platform_pages", __name__)
nav_link(blp, "public_platform", _l("Stakeholder platform"), order=45)
nav_link(blp, "office_platform", _l("Stakeholder platform"), roles=STAFF, area=OFFICE_AREA, order=29)

ROLES = {
    "social_enterprise": lazy_ngettext("Social enterprise", "Social enterprises", 1),  # the catalog's entry
    "company": _l("Company"),
    "public_body": _l("Public body"),
    "ngo": _l("Non-governmental organisation"),
    "research": _l("Research and education"),
    "funder": _l("Funder"),
}
FORUMS_PATH = "/events?kind=forum"  # the site's forum events (services.community.calendar)
CHOICES_LIMIT = 500


def country_name(code: str) -> str:
    return get_locale().territories.get(code, code)


def hub_platform_url(country: str) -> str:
    return f"{current_runtime().settings.federation.hub.url.rstrip('/')}/platforms/{country}"


@blp.route("/platform")
@public
def public_platform():
    country = site_country()
    # an organisation withdrawn from the register since it joined is no longer shown to the public
    members = [m for m in listed() if m["registered"]]
    return render_template("community/platforms/public.html", members=members, roles=ROLES, country=country,
                           country_name=country_name(country), hub_url=hub_platform_url(country),
                           forums_url=FORUMS_PATH)


def _office(state: forms.FormState, status: int = 200):
    members = listed((ACTIVE, LEFT))
    current = {m["organisation_id"] for m in members if m["status"] == ACTIVE}
    choices = [(o.id, f"{o.name} · {o.town}" if o.town else o.name)
               for o in port(MemberDirectory).find("", limit=CHOICES_LIMIT) if o.id not in current]
    country = site_country()
    return render_template("community/platforms/office.html", form=state, organisations=choices,
                           roles=list(ROLES.items()), role_names=ROLES, members=members, country=country,
                           country_name=country_name(country), hub_url=hub_platform_url(country)), status


@blp.route("/office/platform", methods=["GET", "POST"])
@roles(*STAFF)
def office_platform():
    state = forms.FormState()
    if request.method == "GET":
        return _office(state)
    body, state.values = forms.body_from(request.form, ("organisation_id", "role"))
    loaded = forms.load(JoinSchema(), body, state)
    if loaded is None:
        return _office(state, 422)
    try:
        joined = join(loaded["organisation_id"], loaded["role"])
    except SoproError as exc:
        if exc.status not in (409, 422):
            raise
        forms.apply_domain_error(exc, state)
        return _office(state, exc.status)
    name = port(MemberDirectory).named([joined.id])[joined.id].name
    flash(_("%(name)s is a member of the stakeholder platform.", name=name), "success")
    return redirect(url_for(".office_platform"))


@blp.route("/office/platform/<uuid:organisation_id>/leave", methods=["POST"])
@roles(*STAFF)
def leave(organisation_id):
    try:
        handlers.leave(current_runtime().uow(), str(organisation_id), utc_today())
    except SoproError as exc:
        if exc.status != 409:
            raise
        state = forms.FormState(message=_("This organisation is no longer a member of the platform."))
        return _office(state, 409)
    flash(_("The organisation has left the stakeholder platform."), "success")
    return redirect(url_for(".office_platform"))
