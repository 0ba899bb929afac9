"""The impact comparison as open data: one record per node (a site, a country or the network, in a year or
over all years), as CSV and as JSON. A suppressed node keeps its place, is marked `suppressed`, and has
no figures (empty in CSV, null in JSON): never a zero, which would read as "no deals"."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from services.hub.impact.comparison import Comparison, Node

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"

# (column, what it holds): the open-data page lists them, the CSV header and JSON keys use them.
COLUMNS = (
    ("level", "site, country or network"),
    ("country", "ISO 3166 alpha-2 code of the country (empty for the network)"),
    ("site", "the service site (empty for a country or the network)"),
    ("year", "the year (empty: all years)"),
    ("suppressed", "true when the node is withheld: fewer deals than the threshold, or it would reveal such a node "
                   "by difference; its figures are then empty"),
    ("deals", "delivered agreements and delivered cross-border parts"),
    ("value_paid_eur", "value paid to social enterprises, EUR (forints at the configured rate)"),
    ("integration_hours", "hours of work for people in integration"),
    ("integration_hours_value_eur", "those hours valued at the country's proxy, EUR (empty: no proxy)"),
    ("material_diverted_kg", "material diverted from waste, kg"),
    ("regional_share_mean", "mean share of regional primary products (0..1) of the deals that state one"),
    ("distance_km_mean", "mean distance from production to delivery, km, of the deals that state one"),
)


def record(node: Node) -> dict:
    f = node.figures
    base = {"level": node.level, "country": node.country, "site": node.site, "year": node.year,
            "suppressed": node.suppressed}
    if f is None:
        return {**base, **{name: None for name, _ in COLUMNS[5:]}}
    return {**base, "deals": f.deals, "value_paid_eur": f.value_paid_eur, "integration_hours": f.integration_hours,
            "integration_hours_value_eur": node.social_value_eur.get("integration_hours"),
            "material_diverted_kg": f.material_diverted_kg, "regional_share_mean": f.regional_share_mean,
            "distance_km_mean": f.distance_km_mean}


def as_json(comparison: Comparison) -> dict:
    return {
        "licence": LICENCE, "licence_url": LICENCE_URL,
        "suppression_min_deals": comparison.threshold,
        "columns": [{"name": name, "description": text} for name, text in COLUMNS],
        "proxies": [{"country": p.country, "figure": p.figure, "value": _text(p.value), "currency": p.currency,
                     "source": p.source, "year": p.year, "url": p.url} for p in comparison.proxies],
        "records": [{key: _text(value) for key, value in record(node).items()} for node in comparison.rows()],
    }


def as_csv(comparison: Comparison) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([name for name, _ in COLUMNS])
    for node in comparison.rows():
        writer.writerow([_cell(value) for value in record(node).values()])
    return out.getvalue()


def _text(value):
    return format(value, "f") if isinstance(value, Decimal) else value


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _text(value) if isinstance(value, Decimal) else str(value)
