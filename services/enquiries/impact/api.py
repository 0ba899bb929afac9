"""HTTP API of the site's impact reports (issue 18): `GET /api/v1/impact-reports`.

- `organisation` and `role`: a client's report (the deals delivered to it) or a social enterprise's (the deals
  it delivered); `from` and `to`: the period, both included (this year by default); `page`, `per_page`.
- Site staff (broker, site_admin) ask for any organisation; a member for its own organisation only (403).
- JSON by default; CSV (every deal and the totals, as `csv_export` writes it) with `format=csv` or an
  `Accept` header that prefers `text/csv` to JSON. `format` wins when both are given.
- Bad input is a 422 with field messages: an end before the start (`to`), an organisation the registry does
  not know (`organisation`, looked up through `MemberDirectory`), a malformed id, date or number. A period
  without deals is an honest empty report (200).
"""
from __future__ import annotations

import marshmallow as ma
from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import validate

from services.common.auth import current_principal, roles
from services.common.clock import utc_today
from services.common.errors import Forbidden, invalid
from services.common.ports import port
from services.contracts.ports import MemberDirectory
from services.enquiries.impact import csv_export
from services.enquiries.impact.model import CLIENT, SOCIAL_ENTERPRISE, Party
from services.enquiries.impact.reading import build_report
from services.enquiries.lifecycle.web import STAFF

JSON, CSV = "json", "csv"
MAX_PER_PAGE = 500

blp = Blueprint("enquiries_impact", __name__, url_prefix="/api/v1",
                description="Impact reports of clients and social enterprises at this site")


class ImpactReportQuery(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE  # a query string may carry other parameters (a language, a cache buster)

    organisation = ma.fields.UUID(required=True, metadata={"description": "the organisation's id"})
    role = ma.fields.String(load_default=CLIENT, validate=validate.OneOf((CLIENT, SOCIAL_ENTERPRISE)),
                            metadata={"description": "client: the deals delivered to it; social_enterprise: "
                                                     "the deals it delivered"})
    start = ma.fields.Date(data_key="from", load_default=None, metadata={"description": "default: 1 January"})
    end = ma.fields.Date(data_key="to", load_default=None, metadata={"description": "default: 31 December"})
    page = ma.fields.Integer(load_default=1, validate=validate.Range(min=1, max=10**6))
    per_page = ma.fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_PER_PAGE))
    format = ma.fields.String(load_default=None, validate=validate.OneOf((JSON, CSV)))

    @ma.post_load
    def period(self, data, **kwargs):
        today = utc_today()
        data["start"] = data["start"] or today.replace(month=1, day=1)
        data["end"] = data["end"] or today.replace(month=12, day=31)
        if data["end"] < data["start"]:
            raise ma.ValidationError("must not be before from", "to")
        return data


class PartySchema(ma.Schema):
    organisation_id = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String()


class TotalsSchema(ma.Schema):
    deals = ma.fields.Integer()
    recorded = ma.fields.Integer(metadata={"description": "deals with an impact record"})
    value_paid = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Decimal(as_string=True),
                                metadata={"description": "per currency: EUR and HUF are not added up"})
    value_paid_eur = ma.fields.Decimal(as_string=True)
    integration_hours = ma.fields.Decimal(as_string=True)
    material_diverted_kg = ma.fields.Decimal(as_string=True)
    regional_share = ma.fields.Decimal(as_string=True, allow_none=True,
                                       metadata={"description": "mean weighted by the quantity delivered"})
    distance_km = ma.fields.Decimal(as_string=True, allow_none=True,
                                    metadata={"description": "mean weighted by the quantity delivered"})


class DealSchema(ma.Schema):
    kind = ma.fields.String(metadata={"description": "agreement or crossborder_part"})
    deal_id = ma.fields.String()
    enquiry_id = ma.fields.String()
    reference = ma.fields.String()
    title = ma.fields.String()
    counterpart_id = ma.fields.String()
    counterpart_name = ma.fields.String(allow_none=True)
    site = ma.fields.String()
    country = ma.fields.String()
    delivered_on = ma.fields.Date()
    quantity = ma.fields.Decimal(as_string=True)
    unit = ma.fields.String(allow_none=True)
    recorded = ma.fields.Boolean()
    value_paid = ma.fields.Decimal(as_string=True, allow_none=True)
    currency = ma.fields.String(allow_none=True)
    value_paid_eur = ma.fields.Decimal(as_string=True, allow_none=True)
    integration_hours = ma.fields.Decimal(as_string=True, allow_none=True)
    material_diverted_kg = ma.fields.Decimal(as_string=True, allow_none=True)
    regional_share = ma.fields.Decimal(as_string=True, allow_none=True)
    distance_km = ma.fields.Decimal(as_string=True, allow_none=True)


class ProxySchema(ma.Schema):
    country = ma.fields.String()
    figure = ma.fields.String()
    value = ma.fields.Decimal(as_string=True)
    currency = ma.fields.String()
    source = ma.fields.String()
    year = ma.fields.Integer()
    url = ma.fields.String(allow_none=True)


class ValuedLineSchema(ma.Schema):
    proxy = ma.fields.Nested(ProxySchema)
    quantity = ma.fields.Decimal(as_string=True)
    value = ma.fields.Decimal(as_string=True, metadata={"description": "in the proxy's currency"})
    value_eur = ma.fields.Decimal(as_string=True)


class ImpactReportSchema(ma.Schema):
    party = ma.fields.Nested(PartySchema)
    start = ma.fields.Date(data_key="from")
    end = ma.fields.Date(data_key="to")
    empty = ma.fields.Boolean(metadata={"description": "no deal in the period"})
    totals = ma.fields.Nested(TotalsSchema)
    social_value = ma.fields.List(ma.fields.Nested(ValuedLineSchema),
                                  metadata={"description": "beside the raw figures, never instead of them"})
    rates_to_eur = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Decimal(as_string=True))
    rows = ma.fields.List(ma.fields.Nested(DealSchema), data_key="deals")
    page = ma.fields.Integer()
    pages = ma.fields.Integer()


def wants_csv(asked: str | None) -> bool:
    if asked is not None:
        return asked == CSV
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"], default="application/json")
    return best == "text/csv"


@blp.route("/impact-reports")
class ImpactReports(MethodView):
    @roles(*STAFF, "member")
    @blp.arguments(ImpactReportQuery, location="query")
    @blp.response(200, ImpactReportSchema)
    @blp.alt_response(200, description="with format=csv or Accept: text/csv: the report as CSV (UTF-8, BOM)",
                      content_type="text/csv", success=True)
    def get(self, query):
        """A client's or a social enterprise's impact report over a period: the deals, each with its figures
        and ids, their totals and the social value beside them."""
        organisation_id = str(query["organisation"])
        principal = current_principal()
        if not principal.has_any(STAFF) and principal.organisation_id != organisation_id:
            raise Forbidden("a member reads its own organisation's impact report only")
        found = port(MemberDirectory).named([organisation_id]).get(organisation_id)
        if found is None:
            raise invalid("organisation", "no organisation with this id at this site")
        csv_wanted = wants_csv(query["format"])
        report = build_report(Party(organisation_id, found.name, query["role"]), query["start"], query["end"],
                              None if csv_wanted else query["page"], per_page=query["per_page"])
        if csv_wanted:
            return Response(csv_export.to_csv(report), mimetype="text/csv", headers={
                "Content-Disposition": f'attachment; filename="{csv_export.filename(report)}.csv"'})
        return report
