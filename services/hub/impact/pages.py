"""The public statistics page, the open-data page and its downloads (CSV and JSON): the network's impact by
country, site and year, with small cells suppressed (`comparison`). Everyone sees the same published
table; a year filter shows a part of it, never a table suppressed afresh."""
from __future__ import annotations

import marshmallow as ma
from flask import Response, json, render_template
from flask_babel import lazy_gettext as _l

from services.common.auth import public
from services.common.runtime import current_runtime
from services.contracts.impact_policy import ImpactPolicy
from services.hub.enquiries.api import YEAR
from services.hub.impact import comparison, open_data
from services.hub.web.public import read_query, status_of
from services.web import nav_link, page_blueprint

blp = page_blueprint("hub_impact", __name__)

nav_link(blp, "statistics", _l("Impact statistics"), order=40)
nav_link(blp, "open_data_page", _l("Open data"), order=50)

# The open data's columns in the page's language (open_data.COLUMNS has them in English for the JSON).
COLUMN_TEXTS = {
    "level": _l("site, country or network"),
    "country": _l("ISO 3166 alpha-2 code of the country (empty for the network)"),
    "site": _l("the service site (empty for a country or the network)"),
    "year": _l("the year (empty: all years)"),
    "suppressed": _l("true when the cell is withheld: fewer deals than the threshold, or it would reveal such a "
                     "cell by difference; its figures are then empty, not zero"),
    "deals": _l("delivered agreements and delivered cross-border parts"),
    "value_paid_eur": _l("value paid to social enterprises, EUR (forints at the configured rate)"),
    "integration_hours": _l("hours of work for people in integration"),
    "integration_hours_value_eur": _l("those hours valued at the country's proxy, EUR (empty: no proxy)"),
    "material_diverted_kg": _l("material diverted from waste, kg"),
    "regional_share_mean": _l("mean share of regional primary products (0 to 1) of the deals that state one"),
    "distance_km_mean": _l("mean distance from production to delivery, km, of the deals that state one"),
}


class StatisticsQuery(ma.Schema):
    year = ma.fields.Integer(validate=YEAR)


def published() -> comparison.Comparison:
    """The published comparison of the whole network (every view is a part of this one table)."""
    runtime = current_runtime()
    federation = runtime.settings.federation
    with runtime.engine.connect() as conn:
        return comparison.compare(conn, federation.member_sites, ImpactPolicy.of(federation), federation.rates_to_eur)


@blp.route("/statistics")
@public
def statistics():
    args, state = read_query(StatisticsQuery())
    table = published()
    years = table.years
    if args is not None and args.get("year") is not None:
        years = [y for y in years if y == args["year"]]
    return render_template("hub/impact/statistics.html", form=state, table=table, shown_years=years,
                           show_all_years=args is not None and args.get("year") is None,
                           year_choices=[(str(y), str(y)) for y in table.years]), status_of(state)


@blp.route("/open-data")
@public
def open_data_page():
    return render_template("hub/impact/open_data.html", columns=[(name, COLUMN_TEXTS[name]) for name, _ in
                                                                 open_data.COLUMNS],
                           threshold=ImpactPolicy.of(current_runtime().settings.federation).suppression_min_deals,
                           licence=open_data.LICENCE, licence_url=open_data.LICENCE_URL)


@blp.route("/open-data/impact.csv")
@public
def impact_csv():
    return Response(open_data.as_csv(published()), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=sopro-impact.csv"})


@blp.route("/open-data/impact.json")
@public
def impact_json():
    return Response(json.dumps(open_data.as_json(published()), ensure_ascii=False), mimetype="application/json",
                    headers={"Content-Disposition": "inline; filename=sopro-impact.json"})

