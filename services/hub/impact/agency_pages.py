"""The agency's comparison of countries side by side (agency_viewer, agency_admin): for a year or over all
years, each chosen country's figures and its sites', with the social value of the hours at each country's
proxy beside the raw figures. It shows the published table (small cells suppressed, as the public sees
it), so what an analyst copies into a report can be published as it is.

/agency/impact/compare?countries=AT,HU&year=2025: `countries` is a comma-separated list of the member
sites' countries (empty: all), `year` one year (empty: all years). Wrong values are field messages (422).
"""
from __future__ import annotations

import marshmallow as ma
from flask import render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from services.common.auth import roles
from services.common.runtime import current_runtime
from services.hub.enquiries.api import YEAR
from services.hub.impact.pages import published
from services.hub.web.agency import AGENCY
from services.hub.web.public import read_query, status_of
from services.web import OFFICE_AREA, nav_link, page_blueprint

blp = page_blueprint("hub_impact_agency", __name__, url_prefix="/agency/impact")

nav_link(blp, "compare", _l("Compare countries"), roles=AGENCY, area=OFFICE_AREA, order=65)


def member_countries() -> list[str]:
    return sorted({s.country for s in current_runtime().settings.federation.member_sites if s.country})


class CountryList(ma.fields.String):
    """"AT,HU" (any case, spaces allowed) -> ["AT", "HU"]; each must be a member site's country."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        codes = list(dict.fromkeys(c.strip().upper() for c in text.split(",") if c.strip()))
        known = member_countries()
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ma.ValidationError(_("Unknown country %(codes)s: choose among %(known)s.",
                                       codes=", ".join(unknown), known=", ".join(known)))
        return codes


class CompareQuery(ma.Schema):
    countries = CountryList()
    year = ma.fields.Integer(validate=YEAR)


@blp.route("/compare")
@roles(*AGENCY)
def compare():
    args, state = read_query(CompareQuery())
    table, chosen, year, side_by_side, sites = None, [], None, [], []
    if args is not None:
        table = published()
        chosen = args.get("countries") or member_countries()
        year = args.get("year")
        if year is None or year in table.years:
            side_by_side = [table.node("country", c, year) for c in chosen]
            sites = table.column(year, chosen)
    return render_template("hub/impact/compare.html", form=state, table=table, chosen=chosen, year=year,
                           side_by_side=side_by_side, sites=sites, known=member_countries()), status_of(state)
