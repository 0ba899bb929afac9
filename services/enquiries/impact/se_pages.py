"""A social enterprise's own impact page (/office/our-work-impact, issue 18 item 3): over a period its member
chooses (this year unless it says otherwise), the deals the organisation delivered (agreements made here and
parts of cross-border orders), each linked to its agreement or part, their totals, and the social value put
beside the raw figures; and whether its public profile shows its impact totals, which the member decides here.

The member acts for the organisation its token names; what kind of organisation that is comes from the
registry (`MemberDirectory`). A member of a client organisation sees the page too (the navigation does not
know kinds) and is told that it lists deliveries of social enterprises only. The consent is the registry's
(`ImpactConsent`): the public profile shows the totals of the last twelve months
(`services.contracts.ports.last_twelve_months`) once consented and above the network's suppression threshold.
A wrong period is said beside its field in the page's language (422) and no figures are shown.
"""
from __future__ import annotations

import marshmallow as ma
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from services.common.auth import current_principal, roles
from services.common.clock import utc_today, utcnow
from services.common.errors import Conflict, Forbidden, NotFound
from services.common.ports import port
from services.common.runtime import current_runtime
from services.contracts.ports import ImpactConsent, MemberDirectory, MemberOrganisation, last_twelve_months
from services.enquiries.impact import se_report
from services.enquiries.impact.model import SOCIAL_ENTERPRISE, Party
from services.enquiries.impact.page_parts import asked_period, country_name, download, load_period, page_number
from services.enquiries.impact.period import ImpactPeriod, this_year
from services.enquiries.lifecycle.web import read
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint

MEMBER = ("member",)
PER_PAGE = 50
SHOW, HIDE = "yes", "no"

blp = page_blueprint("se_impact_pages", "services.enquiries")
nav_link(blp, "impact", _l("Impact of our work"), roles=MEMBER, area=OFFICE_AREA, order=14)


class ConsentSchema(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE

    shown = ma.fields.String(required=True, validate=ma.validate.OneOf((SHOW, HIDE)))


def member_organisation() -> MemberOrganisation:
    """The organisation the member's token names, as the registry knows it (a vanished one is a 404)."""
    organisation_id = current_principal().organisation_id
    if not organisation_id:
        raise Forbidden("a member token names its organisation")
    found = port(MemberDirectory).named([organisation_id]).get(organisation_id)
    if found is None:
        raise NotFound(f"no organisation {organisation_id}")
    return found


def is_social_enterprise(org: MemberOrganisation) -> bool:
    return org.kind == SOCIAL_ENTERPRISE  # the registry's kind, spelt as the report's role


@blp.route("/office/our-work-impact")
@roles(*MEMBER)
def impact():
    org = member_organisation()
    state = asked_period()
    period = load_period(state)
    return _render(org, state, period), 200 if period is not None else 422


@blp.route("/office/our-work-impact.csv")
@roles(*MEMBER)
def impact_csv():
    return _download("csv")


@blp.route("/office/our-work-impact.pdf")
@roles(*MEMBER)
def impact_pdf():
    return _download("pdf")


def _download(extension: str):
    org = member_organisation()
    if not is_social_enterprise(org):
        raise Forbidden("the deals a social enterprise delivered: this organisation is not one")
    return download(Party(org.id, org.name, SOCIAL_ENTERPRISE), extension,
                    lambda state: (_render(org, state, None), 422))


@blp.route("/office/our-work-impact/public-profile", methods=["POST"])
@roles(*MEMBER)
def decide_public_profile():
    """The member decides whether the organisation's public profile shows its impact totals."""
    org = member_organisation()
    if not is_social_enterprise(org):
        raise Forbidden("only a social enterprise shows impact totals on its profile")
    consent_form = forms.FormState(id_prefix="consent", values={"shown": request.form.get("shown", "")})
    period_form = forms.FormState(values=this_year(utc_today()))
    period = forms.load(ImpactPeriod(), dict(period_form.values), period_form)
    decided = forms.load(ConsentSchema(), {"shown": consent_form.values["shown"]} if consent_form.values["shown"]
                         else {}, consent_form)
    if decided is None:
        return _render(org, period_form, period, consent_form), 422
    try:
        port(ImpactConsent).decide(org.id, decided["shown"] == SHOW, current_principal().subject, utcnow())
    except Conflict:
        consent_form.message = _("This organisation is withdrawn: its public profile is no longer shown.")
        return _render(org, period_form, period, consent_form), 409
    flash(_("Your public profile now shows your impact totals.") if decided["shown"] == SHOW
          else _("Your public profile no longer shows your impact totals."), "success")
    return redirect(url_for(".impact") + "#public-profile")


def _render(org: MemberOrganisation, state: forms.FormState, period: dict | None,
            consent_form: forms.FormState | None = None):
    settings = current_runtime().settings
    enterprise = is_social_enterprise(org)
    found = public = consent = None
    if enterprise:
        consent = port(ImpactConsent).consent(org.id)
        if consent_form is None:
            consent_form = forms.FormState(id_prefix="consent", values={"shown": SHOW if consent.shown else HIDE})
        if period is not None:
            found = read(se_report.delivered_by, settings, org.id, org.name, period["start"], period["end"],
                         page=page_number(), per_page=PER_PAGE)
        public = read(se_report.public_totals, settings, org.id, *last_twelve_months(utc_today()))
    return render_template(
        "enquiries/impact_se.html", org=org, enterprise=enterprise, form=state, period=period, report=found,
        public=public, consent=consent, consent_form=consent_form or forms.FormState(id_prefix="consent"),
        rates=dict(settings.federation.rates_to_eur), country_name=country_name,
        # a cross-border part names the site whose client ordered it, never the client
        site_names={site.id: site.name for site in settings.federation.member_sites},
        paging={"from": state.value("from"), "to": state.value("to")})
