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

from babel import Locale
from flask import Response, render_template, request
from flask_babel import lazy_gettext as _l

from services.common.auth import roles
from services.common.clock import utc_today
from services.common.ports import port
from services.common.runtime import current_runtime
from services.contracts.ports import MemberDirectory
from services.enquiries.impact import csv_export, esrs, pdf
from services.enquiries.impact.model import CLIENT, Party, Report
from services.enquiries.impact.period import ImpactPeriod, this_year
from services.enquiries.impact.reading import build_report
from services.enquiries.lifecycle.client_pages import MEMBER, client_actor
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint
from services.web.i18n import language

PER_PAGE = 100
FIGURES = ("value_paid", "integration_hours", "material_diverted_kg", "regional_share", "distance_km", "social_value")

blp = page_blueprint("client_impact_pages", "services.enquiries")
nav_link(blp, "impact", _l("Our impact"), roles=MEMBER, area=OFFICE_AREA, order=13)


def page_number() -> int:
    """The page asked for; anything that is not a page number is the first page (the links are ours)."""
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100_000 else 1


def country_name(code: str | None) -> str:
    return Locale.parse(language()).territories.get(code, code) if code else "–"


def _client_party() -> Party:
    who = client_actor()
    found = port(MemberDirectory).named([who.organisation_id]).get(who.organisation_id)
    return Party(who.organisation_id, found.name if found else who.organisation_id, CLIENT)


def _period(state: forms.FormState) -> dict | None:
    body = {name: value.strip() for name, value in state.values.items() if value.strip()}
    return forms.load(ImpactPeriod(), body, state)


def _asked() -> forms.FormState:
    typed = {name: request.args.get(name, "") for name in ("from", "to")}
    return forms.FormState(values=typed if any(name in request.args for name in typed) else this_year(utc_today()))


def _page(state: forms.FormState, report: Report | None, status: int = 200):
    query = {name: state.values.get(name, "") for name in ("from", "to")}
    return render_template("enquiries/impact_report.html", form=state, report=report, query=query,
                           rates=dict(current_runtime().settings.federation.rates_to_eur), figures=FIGURES,
                           disclosures=esrs.for_figure, fit=esrs, country_name=country_name), status


@blp.route("/office/our-impact")
@roles(*MEMBER)
def impact():
    party = _client_party()
    state = _asked()
    period = _period(state)
    if period is None:
        return _page(state, None, 422)
    return _page(state, build_report(party, period["start"], period["end"], page_number(), PER_PAGE))


@blp.route("/office/our-impact.csv")
@roles(*MEMBER)
def impact_csv():
    return _download("csv", "text/csv", csv_export.to_csv)


@blp.route("/office/our-impact.pdf")
@roles(*MEMBER)
def impact_pdf():
    return _download("pdf", "application/pdf", lambda found: pdf.render(found, language()))


def _download(extension: str, mimetype: str, write):
    """The member's report over the asked period with every row, as a file; a wrong period is the page with
    its errors beside the fields (422), as on the page itself."""
    party = _client_party()
    state = _asked()
    period = _period(state)
    if period is None:
        return _page(state, None, 422)
    found = build_report(party, period["start"], period["end"], None)
    return Response(write(found), mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{csv_export.filename(found)}.{extension}"'})
