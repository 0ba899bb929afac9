"""The hub's view of brokerage at every site: enquiries (with their agreements and impact) and the
network's impact totals.

Access: agency roles only (`agency_viewer`, `agency_admin`), for both.
- Enquiries are the sites' commercial pipeline, not published material; they carry no personal data,
  but a client firm's needs and budget are not for the public.
- Impact totals are aggregates, yet a site's total for a year with a single delivery is that one
  agreement's price. The public sees impact through the case studies the sites choose to publish.

Money and quantities leave as decimal strings. Unknown query parameters, an unknown site, state or
type, a malformed CPV prefix or year are 422 with field messages; an unknown id is a 404.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import validate

from services.common.api import KeysetPageQuery, keyset_page_schema
from services.common.auth import roles
from services.common.errors import NotFound
from services.common.runtime import current_runtime
from services.contracts.events.enquiries import CLIENT_KINDS, ENQUIRY_STATES, ENQUIRY_TYPES
from services.hub.enquiries import store as enquiry_store
from services.hub.enquiries import impact
from services.hub.query import CPV_PREFIX, STRICT_QUERY, SiteQuery, UtcDateTime, member_site_ids

blp = Blueprint("hub_brokerage", __name__, url_prefix="/api/v1",
                description="Every site's enquiries, agreements and impact (agency roles)")

AGENCY = ("agency_viewer", "agency_admin")
YEAR = validate.Range(min=1990, max=2100)


# --- query schemas -----------------------------------------------------------------------------------

class EnquiryQuery(KeysetPageQuery, SiteQuery):
    state = ma.fields.String(validate=validate.OneOf(ENQUIRY_STATES))
    type = ma.fields.String(validate=validate.OneOf(ENQUIRY_TYPES))
    cpv = ma.fields.String(validate=CPV_PREFIX, metadata={"description": "CPV code prefix of the enquiry"})
    year = ma.fields.Integer(validate=YEAR, metadata={"description": "year of submission (UTC)"})
    cross_border_flagged = ma.fields.Boolean(metadata={
        "description": "flagged for cross-border matching (only where the client allowed cross-border work)"})


class ImpactQuery(SiteQuery):
    year = ma.fields.Integer(validate=YEAR, metadata={"description": "only the impact recorded for this year"})


# --- response schemas --------------------------------------------------------------------------------

def _amount(places: int | None = None, **kwargs) -> ma.fields.Decimal:
    return ma.fields.Decimal(as_string=True, places=places, rounding=ROUND_HALF_UP if places else None, **kwargs)


class _Snapshot(ma.Schema):
    site = ma.fields.String()
    id = ma.fields.String()
    aggregate_version = ma.fields.Integer()
    updated_at = UtcDateTime(attribute="last_occurred_at")


class EnquirySchema(_Snapshot):
    reference = ma.fields.String()
    type = ma.fields.String(metadata={"enum": list(ENQUIRY_TYPES)})
    state = ma.fields.String(metadata={"enum": list(ENQUIRY_STATES)})
    client_kind = ma.fields.String(metadata={"enum": list(CLIENT_KINDS)})
    client_organisation_id = ma.fields.String(allow_none=True)
    title = ma.fields.String()
    cpv_codes = ma.fields.List(ma.fields.String())
    quantity = _amount(allow_none=True)
    unit = ma.fields.String(allow_none=True)
    deadline = ma.fields.Date(allow_none=True)
    delivery_nuts3 = ma.fields.String(allow_none=True)
    budget = _amount(allow_none=True)
    currency = ma.fields.String()
    label_required = ma.fields.Boolean()
    cross_border_allowed = ma.fields.Boolean()
    cross_border_flagged = ma.fields.Boolean()
    submitted_at = UtcDateTime(allow_none=True)


class AgreementSchema(_Snapshot):
    organisation_id = ma.fields.String(metadata={"description": "the social enterprise"})
    offer_id = ma.fields.String(allow_none=True)
    quantity = _amount()
    unit = ma.fields.String()
    price = _amount()
    currency = ma.fields.String()
    delivery_date = ma.fields.Date()
    status = ma.fields.String()


class ImpactRecordSchema(_Snapshot):
    agreement_id = ma.fields.String()
    year = ma.fields.Integer()
    value_paid = _amount()
    currency = ma.fields.String()
    value_paid_eur = _amount()
    material_diverted_kg = _amount(allow_none=True)
    regional_share = _amount(allow_none=True)
    distance_km = _amount(allow_none=True)
    production_nuts3 = ma.fields.String(allow_none=True)
    integration_hours = _amount(allow_none=True)


class EnquiryDetailSchema(EnquirySchema):
    agreements = ma.fields.List(ma.fields.Nested(AgreementSchema))
    impact = ma.fields.List(ma.fields.Nested(ImpactRecordSchema))


class _Economic(ma.Schema):
    value_paid_eur = _amount(2)


class _Ecological(ma.Schema):
    material_diverted_kg = _amount(3)
    regional_share_average = _amount(4, allow_none=True, metadata={"description": "mean of the records stating one"})


class _Regional(ma.Schema):
    distance_km = _amount(3)
    production_regions = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer(),
                                        metadata={"description": "records per NUTS-3 region of production"})


class _Social(ma.Schema):
    integration_hours = _amount(3)


class ImpactDimensionsSchema(ma.Schema):
    records = ma.fields.Integer()
    economic = ma.fields.Nested(_Economic)
    ecological = ma.fields.Nested(_Ecological)
    regional = ma.fields.Nested(_Regional)
    social = ma.fields.Nested(_Social)


class ImpactYearSchema(ImpactDimensionsSchema):
    year = ma.fields.Integer()


class ImpactSiteSchema(ImpactDimensionsSchema):
    site = ma.fields.String()
    years = ma.fields.List(ma.fields.Nested(ImpactYearSchema))


class ImpactTotalsSchema(ma.Schema):
    totals = ma.fields.Nested(ImpactDimensionsSchema)
    sites = ma.fields.List(ma.fields.Nested(ImpactSiteSchema))
    years = ma.fields.List(ma.fields.Nested(ImpactYearSchema))


ENQUIRY_TOTAL = ("how many enquiries the whole list has (kept as rows are written under site, state and type "
                 "filters; counted afresh, by reading the matching rows, under a year, CPV or cross-border filter)")
EnquiryPage = keyset_page_schema(EnquirySchema, "HubEnquiryPage", ENQUIRY_TOTAL)


def _filters(args: dict) -> enquiry_store.EnquiryFilters:
    return enquiry_store.EnquiryFilters(
        site=args.get("site"), state=args.get("state"), type=args.get("type"), cpv=args.get("cpv"),
        year=args.get("year"), cross_border_flagged=args.get("cross_border_flagged"))


# --- views -------------------------------------------------------------------------------------------

@blp.route("/enquiries")
class Enquiries(MethodView):
    @roles(*AGENCY)
    @blp.arguments(EnquiryQuery, **STRICT_QUERY)
    @blp.response(200, EnquiryPage)
    def get(self, args):
        """Enquiries of every site, newest submission first. Follow `next` (as `after`) for the next page."""
        with current_runtime().engine.connect() as conn:
            return enquiry_store.list_enquiries(conn, _filters(args), args["page"], args["per_page"],
                                                args.get("after")).as_dict()


@blp.route("/enquiries/<uuid:enquiry_id>")
class EnquiryDetail(MethodView):
    @roles(*AGENCY)
    @blp.response(200, EnquiryDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, enquiry_id):
        """An enquiry with its agreements and their impact records."""
        with current_runtime().engine.connect() as conn:
            enquiry = enquiry_store.get_enquiry(conn, str(enquiry_id))
            if enquiry is None:
                raise NotFound(f"no enquiry {enquiry_id}")
            site, key = enquiry["site"], enquiry["id"]
            return {**enquiry, "agreements": enquiry_store.agreements_of(conn, site, key),
                    "impact": enquiry_store.impact_of(conn, site, key)}


@blp.route("/impact")
class ImpactTotals(MethodView):
    @roles(*AGENCY)
    @blp.arguments(ImpactQuery, **STRICT_QUERY)
    @blp.response(200, ImpactTotalsSchema)
    def get(self, args):
        """The network's impact totals in four dimensions: overall, per site (and its years), per year."""
        with current_runtime().engine.connect() as conn:
            return impact.impact_totals(conn, member_site_ids(), args.get("site"), args.get("year"))
