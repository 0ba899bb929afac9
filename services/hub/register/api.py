"""The hub's consolidated API: every site's public organisations, offers and case studies, and the
agency's statistics. Enquiries and impact are in `enquiries.api`, label verification and the label register
in `labels.api` (their own blueprints, listed in `services.hub.api`).

Access: the consolidated lists and details are public reads (the sites published them); statistics
need `agency_viewer` or `agency_admin`. Unknown query parameters, an unknown site, a malformed CPV or
NUTS prefix are refused with 422 and field messages; an unknown id is a 404.
"""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import validate

from services.common.api import KeysetPageQuery, PageQuery, keyset_page_schema, page_schema
from services.common.auth import public, roles
from services.common.errors import NotFound
from services.common.runtime import current_runtime
from services.hub.query import (
    CPV_PREFIX, NUTS_PREFIX, STRICT_QUERY, SiteQuery, UtcDateTime, member_site_ids, search_text,
)
from services.hub.register import queries as registry_queries
from services.hub.register import stats
from services.contracts.events.registry import ORGANISATION_KINDS

blp = Blueprint("hub", __name__, url_prefix="/api/v1", description="Consolidated data of every site, and statistics")


class ConsolidatedQuery(KeysetPageQuery, SiteQuery):
    kind = ma.fields.String(validate=validate.OneOf(ORGANISATION_KINDS), metadata={"description": "organisation kind"})
    cpv = ma.fields.String(validate=CPV_PREFIX, metadata={"description": "CPV code prefix of an offer"})
    region = ma.fields.String(validate=NUTS_PREFIX, metadata={"description": "NUTS prefix of the region"})
    q = search_text("free text, case-insensitive")


class CaseStudyQuery(PageQuery, SiteQuery):
    year = ma.fields.Integer(validate=validate.Range(min=1990, max=2100))
    q = search_text("free text, case-insensitive")


def _filters(args: dict) -> registry_queries.Filters:
    return registry_queries.Filters(site=args.get("site"), kind=args.get("kind"), cpv=args.get("cpv"),
                         region=args.get("region"), text=args.get("q"))


# --- response schemas --------------------------------------------------------------------------------


class _Consolidated(ma.Schema):
    site = ma.fields.String()
    id = ma.fields.String()
    aggregate_version = ma.fields.Integer()
    updated_at = UtcDateTime(attribute="last_occurred_at")


class OrganisationSchema(_Consolidated):
    reference = ma.fields.String()
    kind = ma.fields.String()
    name = ma.fields.String()
    town = ma.fields.String()
    postcode = ma.fields.String()
    country = ma.fields.String()
    nuts3 = ma.fields.String()
    lat = ma.fields.Float(allow_none=True)
    lon = ma.fields.Float(allow_none=True)
    labour_market_segment = ma.fields.String(allow_none=True)
    workers_in_integration = ma.fields.Integer(allow_none=True)
    website = ma.fields.String(allow_none=True)


class OfferSchema(_Consolidated):
    organisation_id = ma.fields.String()
    organisation_name = ma.fields.String(allow_none=True)
    organisation_kind = ma.fields.String(allow_none=True)
    nuts3 = ma.fields.String(allow_none=True, metadata={"description": "the organisation's NUTS-3 region"})
    title = ma.fields.String()
    description = ma.fields.String()
    cpv_codes = ma.fields.List(ma.fields.String())
    capacity_per_week = ma.fields.Decimal(as_string=True)
    unit = ma.fields.String()
    lead_time_days = ma.fields.Integer()
    price_min = ma.fields.Decimal(as_string=True, allow_none=True)
    price_max = ma.fields.Decimal(as_string=True, allow_none=True)
    currency = ma.fields.String()
    delivery_radius_km = ma.fields.Integer(allow_none=True)
    cross_border = ma.fields.Boolean()


class OrganisationDetailSchema(OrganisationSchema):
    offers = ma.fields.List(ma.fields.Nested(OfferSchema))
    profile = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), metadata={
        "description": "its public profile (a client's shop window) by language, as its site published it"})


class CaseStudySchema(_Consolidated):
    title = ma.fields.String()
    summary = ma.fields.String()
    client_organisation_id = ma.fields.String(allow_none=True)
    social_enterprise_id = ma.fields.String(allow_none=True)
    cpv_codes = ma.fields.List(ma.fields.String())
    year = ma.fields.Integer()
    value_paid_eur = ma.fields.Decimal(as_string=True, allow_none=True)
    material_diverted_kg = ma.fields.Decimal(as_string=True, allow_none=True)
    integration_hours = ma.fields.Decimal(as_string=True, allow_none=True)


class _Members(ma.Schema):
    total = ma.fields.Integer()
    by_kind = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class _RegionCount(ma.Schema):
    nuts3 = ma.fields.String()
    kind = ma.fields.String()
    count = ma.fields.Integer()


class _SupportStatements(ma.Schema):
    total = ma.fields.Integer()
    by_kind = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    by_region = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    by_kind_and_region = ma.fields.List(ma.fields.Nested(_RegionCount))


class _Enquiries(ma.Schema):
    total = ma.fields.Integer()
    by_state = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())
    by_type = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class SiteStatisticsSchema(ma.Schema):
    site = ma.fields.String()
    members = ma.fields.Nested(_Members)
    offers_published = ma.fields.Integer()
    support_statements = ma.fields.Nested(_SupportStatements)
    enquiries = ma.fields.Nested(_Enquiries)


class _Totals(ma.Schema):
    members = ma.fields.Integer()
    offers_published = ma.fields.Integer()
    support_statements = ma.fields.Integer()
    enquiries = ma.fields.Integer()


class StatisticsSchema(ma.Schema):
    sites = ma.fields.List(ma.fields.Nested(SiteStatisticsSchema))
    totals = ma.fields.Nested(_Totals)


OrganisationPage = keyset_page_schema(OrganisationSchema, "HubOrganisationPage")
OfferPage = keyset_page_schema(OfferSchema, "HubOfferPage")
CaseStudyPage = page_schema(CaseStudySchema, "HubCaseStudyPage")


@blp.route("/organisations")
class Organisations(MethodView):
    @public
    @blp.arguments(ConsolidatedQuery, **STRICT_QUERY)
    @blp.response(200, OrganisationPage)
    def get(self, args):
        """Active organisations of every site by name; `cpv` keeps those with a published offer in that branch.
        Follow `next` (as `after`) for the next page."""
        with current_runtime().engine.connect() as conn:
            return registry_queries.list_organisations(conn, _filters(args), args["page"], args["per_page"],
                                                       args.get("after")).as_dict()


@blp.route("/organisations/<uuid:organisation_id>")
class OrganisationDetail(MethodView):
    @public
    @blp.response(200, OrganisationDetailSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, organisation_id):
        """An active organisation with its published offers and its public profile."""
        with current_runtime().engine.connect() as conn:
            organisation = registry_queries.get_organisation(conn, str(organisation_id))
            if organisation is None:
                raise NotFound(f"no organisation {organisation_id}")
            site, id_ = organisation["site"], organisation["id"]
            return {**organisation, "offers": registry_queries.offers_of(conn, site, id_),
                    "profile": registry_queries.profile_of(conn, site, id_)}


@blp.route("/offers")
class Offers(MethodView):
    @public
    @blp.arguments(ConsolidatedQuery, **STRICT_QUERY)
    @blp.response(200, OfferPage)
    def get(self, args):
        """Published offers of every site by title; `kind` and `region` apply to the offering organisation.
        Follow `next` (as `after`) for the next page."""
        with current_runtime().engine.connect() as conn:
            return registry_queries.list_offers(conn, _filters(args), args["page"], args["per_page"],
                                                args.get("after")).as_dict()


@blp.route("/case-studies")
class CaseStudies(MethodView):
    @public
    @blp.arguments(CaseStudyQuery, **STRICT_QUERY)
    @blp.response(200, CaseStudyPage)
    def get(self, args):
        """Published case studies of every site, newest year first."""
        with current_runtime().engine.connect() as conn:
            found = registry_queries.list_case_studies(conn, _filters(args), args.get("year"), args["page"], args["per_page"])
            return found.as_dict()


@blp.route("/case-studies/<uuid:case_study_id>")
class CaseStudyDetail(MethodView):
    @public
    @blp.response(200, CaseStudySchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, case_study_id):
        with current_runtime().engine.connect() as conn:
            case_study = registry_queries.get_case_study(conn, str(case_study_id))
        if case_study is None:
            raise NotFound(f"no case study {case_study_id}")
        return case_study


@blp.route("/statistics")
class Statistics(MethodView):
    @roles("agency_viewer", "agency_admin")
    @blp.arguments(SiteQuery, **STRICT_QUERY)
    @blp.response(200, StatisticsSchema)
    def get(self, args):
        """Per site: active members by kind, offers published, support statements by kind and region,
        enquiries by state and type."""
        with current_runtime().engine.connect() as conn:
            return stats.statistics(conn, member_site_ids(), args.get("site"))
