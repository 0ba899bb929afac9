"""A client member's impact page (/office/our-impact): for its own organisation, over a period it chooses
(this year unless it says otherwise), the agreements delivered to it by social enterprises, each with the
impact recorded at its delivery and a link to its agreement, and their totals (`client_impact`).

A member acts as the API's client (`client_pages.client_actor`: the token's organisation); it sees its own
organisation's deliveries only. The period is read with `ImpactPeriod`; a wrong one is said beside its
field in the page's language (422) and no figures are shown.
"""
from __future__ import annotations

from datetime import date

import marshmallow as ma
from flask import render_template, request
from flask_babel import lazy_gettext as _l

from services.common.auth import roles
from services.common.clock import utc_today
from services.common.runtime import current_runtime
from services.enquiries.lifecycle import client_impact
from services.enquiries.lifecycle.client_pages import MEMBER, client_actor
from services.enquiries.lifecycle.pages import organisation_names
from services.enquiries.lifecycle.web import read
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint

blp = page_blueprint("client_impact_pages", "services.enquiries")
nav_link(blp, "impact", _l("Our impact"), roles=MEMBER, area=OFFICE_AREA, order=13)


class ImpactPeriod(ma.Schema):
    """From and to, both included. Other query parameters (the language switcher's) are not the period's."""

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


@blp.route("/office/our-impact")
@roles(*MEMBER)
def impact():
    who = client_actor()
    typed = {name: request.args.get(name, "") for name in ("from", "to")}
    shown = typed if any(name in request.args for name in typed) else this_year(utc_today())
    body = {name: value.strip() for name, value in shown.items() if value.strip()}
    state = forms.FormState(values=shown)
    period = forms.load(ImpactPeriod(), body, state)
    if period is None:
        return render_template("enquiries/client_impact.html", form=state, period=None, rows=[], totals=None,
                               names={}, rates={}), 422

    def load(conn):
        rows = client_impact.delivered_to(conn, who.organisation_id, period["start"], period["end"])
        return rows, organisation_names(conn, {row.agreement.organisation_id for row in rows})
    rows, names = read(load)
    return render_template("enquiries/client_impact.html", form=state, period=period, rows=rows,
                           totals=client_impact.totals(rows), names=names,
                           rates=dict(current_runtime().settings.federation.rates_to_eur))
