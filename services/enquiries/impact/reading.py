"""`report.build` with a site's settings (its id and country, the federation's countries, rates and impact
policy): `build_for` where a connection and the settings are at hand (the ports), `build_report` for the
pages and the API of the running site."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Connection

from services.common.config import Settings
from services.common.runtime import current_runtime
from services.contracts.impact_policy import ImpactPolicy
from services.enquiries.impact import report
from services.enquiries.impact.model import Party, Report
from services.enquiries.lifecycle.web import read


def build_for(conn: Connection, settings: Settings, party: Party, start: date, end: date, page: int | None = 1,
              per_page: int = 100) -> Report:
    federation = settings.federation
    site = federation.site(settings.site_id)
    countries = {s.id: s.country for s in federation.member_sites if s.country}
    return report.build(conn, party, start, end, site_id=site.id, site_country=site.country or "",
                        countries=countries, policy=ImpactPolicy.of(federation),
                        rates_to_eur=dict(federation.rates_to_eur), page=page, per_page=per_page)


def build_report(party: Party, start: date, end: date, page: int | None, per_page: int = 100) -> Report:
    return read(build_for, current_runtime().settings, party, start, end, page, per_page)
