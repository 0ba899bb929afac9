"""The period of an impact report as a form or a query string gives it: from and to, both included, the end
not before the start; this year unless the reader says otherwise."""
from __future__ import annotations

from datetime import date

import marshmallow as ma


class ImpactPeriod(ma.Schema):
    """From and to, both included. Other query parameters (the page, the language switcher's) are not the
    period's."""

    class Meta:
        unknown = ma.EXCLUDE

    start = ma.fields.Date(data_key="from", required=True)
    end = ma.fields.Date(data_key="to", required=True)

    @ma.validates_schema
    def in_order(self, data, **kwargs):
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ma.ValidationError("must not be before starts_on", "to")


def this_year(today: date) -> dict:
    return {"from": date(today.year, 1, 1).isoformat(), "to": date(today.year, 12, 31).isoformat()}
