"""A client member's impact report (/office/our-impact, issue 18 item 1): for its own organisation as the
client, over a period it chooses (this year unless it says otherwise), the deals social enterprises delivered
to it (agreements made here and parts of its cross-border orders), each linked to its agreement or order, the
totals, the social value beside the raw figures, and where each figure can feed an ESRS disclosure and where
it cannot; the same report as CSV (`.csv`) and PDF (`.pdf`, `pdf.render`) for the same query string.

A member acts as the API's client (`client_pages.client_actor`: the token's organisation); its organisation's
name comes from the registry (`MemberDirectory`). A wrong period is said beside its field in the page's
language (422), also for the downloads, and no figures are shown. A period without deals is an honest empty
report. The blueprint keeps the name of the page it replaces, so links to `client_impact_pages.impact` hold.
"""
from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l

from services.common.auth import roles
from services.common.ports import port
from services.common.runtime import current_runtime
from services.contracts.ports import MemberDirectory
from services.enquiries.impact import esrs
from services.enquiries.impact.model import CLIENT, Party, Report
from services.enquiries.impact.page_parts import asked_period, country_name, download, load_period, page_number
from services.enquiries.impact.reading import build_report
from services.enquiries.lifecycle.client_pages import MEMBER, client_actor
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint

PER_PAGE = 100
FIGURES = ("value_paid", "integration_hours", "material_diverted_kg", "regional_share", "distance_km", "social_value")

blp = page_blueprint("client_impact_pages", "services.enquiries")
nav_link(blp, "impact", _l("Our impact"), roles=MEMBER, area=OFFICE_AREA, order=13)


def _client_party() -> Party:
    who = client_actor()
    found = port(MemberDirectory).named([who.organisation_id]).get(who.organisation_id)
    return Party(who.organisation_id, found.name if found else who.organisation_id, CLIENT)


def _page(state: forms.FormState, report: Report | None, status: int = 200):
    query = {name: state.values.get(name, "") for name in ("from", "to")}
    return render_template("enquiries/impact_report.html", form=state, report=report, query=query,
                           rates=dict(current_runtime().settings.federation.rates_to_eur), figures=FIGURES,
                           disclosures=esrs.for_figure, fit=esrs, country_name=country_name), status


@blp.route("/office/our-impact")
@roles(*MEMBER)
def impact():
    party = _client_party()
    state = asked_period()
    period = load_period(state)
    if period is None:
        return _page(state, None, 422)
    return _page(state, build_report(party, period["start"], period["end"], page_number(), PER_PAGE))


@blp.route("/office/our-impact.csv")
@roles(*MEMBER)
def impact_csv():
    return download(_client_party(), "csv", lambda state: _page(state, None, 422))


@blp.route("/office/our-impact.pdf")
@roles(*MEMBER)
def impact_pdf():
    return download(_client_party(), "pdf", lambda state: _page(state, None, 422))
