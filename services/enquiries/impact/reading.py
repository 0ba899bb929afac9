"""`report.build` with the running site's settings (its id and country, the federation's countries, rates and
impact policy), for the pages and the API."""
from __future__ import annotations

from datetime import date

from services.common.runtime import current_runtime
from services.contracts.impact_policy import ImpactPolicy
from services.enquiries.impact import report
from services.enquiries.impact.model import Party, Report
from services.enquiries.lifecycle.web import read


def build_report(party: Party, start: date, end: date, page: int | None, per_page: int = 100) -> Report:
    settings = current_runtime().settings
    federation = settings.federation
    site = federation.site(settings.site_id)
    countries = {s.id: s.country for s in federation.member_sites if s.country}
    return read(report.build, party, start, end, site_id=site.id, site_country=site.country or "",
                countries=countries, policy=ImpactPolicy.of(federation), rates_to_eur=dict(federation.rates_to_eur),
                page=page, per_page=per_page)
