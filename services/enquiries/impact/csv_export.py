"""An impact report as CSV: one line per deal with every figure and the ids that trace it (the agreement or
cross-border part, its enquiry, the other party), then the total lines, then the social value beside them.

- UTF-8 with a byte order mark: Excel, which most of our clients open a CSV with, reads a file without it in
  the machine's legacy code page and garbles ä, ő and €; Python (`utf-8-sig`), LibreOffice and pandas
  skip the mark.
- RFC 4180: commas, CRLF, quotes where needed. Numbers are printed plainly (`Decimal` as it is, a point as
  the decimal mark, no grouping, never through a float), so the file sums to the same totals anywhere.
- The header is in the request's language; the values are codes and numbers, the same in every language.
- Total lines repeat the header's columns: `kind` says `total` (one line per currency of the value paid, and
  one with the number of deals under the ids, the recorded ones under `recorded`, the figures in EUR and the
  weighted means); the social value follows under a header of its own.
"""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from flask_babel import gettext as _

from services.enquiries.impact.model import Report

TOTAL = "total"
BOM = "\ufeff"


def _columns() -> list[tuple[str, str]]:
    return [
        ("kind", _("Kind")), ("deal_id", _("Deal id")), ("enquiry_id", _("Enquiry id")),
        ("reference", _("Reference")), ("title", _("Title")), ("counterpart_id", _("Other party's id")),
        ("counterpart_name", _("Other party")), ("site", _("Site")), ("country", _("Country")),
        ("delivered_on", _("Delivered on")), ("quantity", _("Quantity")), ("unit", _("Unit")),
        ("recorded", _("Impact recorded")), ("value_paid", _("Value paid")), ("currency", _("Currency")),
        ("value_paid_eur", _("Value paid in EUR")), ("integration_hours", _("Hours of people in integration")),
        ("material_diverted_kg", _("Material kept from waste (kg)")), ("regional_share", _("Regional share (0–1)")),
        ("distance_km", _("Distance (km)")),
    ]


def plain(value) -> str:
    """A cell: a Decimal in fixed notation (1E+2 -> 100), a bool as yes/no codes, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def to_csv(report: Report) -> bytes:
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    columns = _columns()
    writer.writerow([label for _name, label in columns])
    for row in report.rows:
        writer.writerow([plain(getattr(row, name)) for name, _label in columns])
    t = report.totals
    blank = {name: "" for name, _label in columns}
    for currency, amount in t.value_paid.items():
        writer.writerow(list({**blank, "kind": TOTAL, "value_paid": plain(amount), "currency": currency}.values()))
    writer.writerow(list({**blank, "kind": TOTAL, "deal_id": str(t.deals), "recorded": str(t.recorded),
                          "value_paid_eur": plain(t.value_paid_eur), "integration_hours": plain(t.integration_hours),
                          "material_diverted_kg": plain(t.material_diverted_kg),
                          "regional_share": plain(t.regional_share), "distance_km": plain(t.distance_km)}.values()))
    if report.social_value:
        writer.writerow([])
        writer.writerow([_("Social value (a proxy, beside the raw figures)"), _("Country"), _("Figure"),
                         _("Quantity"), _("Proxy value per unit"), _("Currency"), _("Value"), _("Value in EUR"),
                         _("Source"), _("Year")])
        for line in report.social_value:
            p = line.proxy
            writer.writerow(["social_value", p.country, p.figure, plain(line.quantity), plain(p.value), p.currency,
                             plain(line.value), plain(line.value_eur), p.source, str(p.year)])
    return out.getvalue().encode("utf-8")


def filename(report: Report) -> str:
    return f"impact-{report.start.isoformat()}-{report.end.isoformat()}"
