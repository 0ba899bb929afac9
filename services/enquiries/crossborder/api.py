"""HTTP API of the site's cross-border part (staff: broker, site_admin).

- `POST /enquiries/{id}/cross-border`: ask the hub for a consortium (202: the hub answers by message).
- `GET /enquiries/{id}/consortium`: the status of every part of this site's own order, as the hub reports it.
- `GET /forwarded-parts`, `GET /forwarded-parts/{id}`: the brokers' queue of parts forwarded here.
- `POST /forwarded-parts/{id}/accept` and `/decline`: answer on behalf of the social enterprise.
  The same answer twice is absorbed (200, nothing new happens); the other answer afterwards is a 409.
"""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import validate

from services.common.api import PageQuery, page_schema
from services.common.auth import current_principal, roles
from services.common.clock import utcnow
from services.common.errors import NotFound
from services.common.runtime import current_runtime
from services.enquiries.crossborder import handlers, store
from services.enquiries.crossborder.model import DEFAULT_MAX_PARTNERS, PART_STATES, RequestTerms
from services.contracts.events.enquiries import SITE_ID
from services.enquiries.lifecycle import store as enquiry_store
from services.enquiries.lifecycle.web import STAFF
from services.contracts.fields import Prose, Strict

blp = Blueprint("enquiries_crossborder", __name__, url_prefix="/api/v1",
                description="Cross-border orders: consortia composed by the hub, and parts forwarded to this site")


# --- schemas -----------------------------------------------------------------------------------------

class CrossBorderRequestSchema(Strict):
    quantity = ma.fields.Integer(strict=True, validate=validate.Range(min=1, max=10**9), load_default=None,
                                 metadata={"description": "units to source across borders; default: the enquiry's"})
    max_partners = ma.fields.Integer(strict=True, validate=validate.Range(min=1, max=20),
                                     load_default=DEFAULT_MAX_PARTNERS)
    min_lot = ma.fields.Integer(strict=True, validate=validate.Range(min=1, max=10**9), load_default=1,
                                metadata={"description": "a partner delivers at least this many units"})
    sites = ma.fields.List(ma.fields.String(validate=SITE_ID), validate=validate.Length(max=50), load_default=list,
                           metadata={"description": "only these sites' social enterprises; empty: every site"})


class CrossBorderRequestedSchema(ma.Schema):
    enquiry_id = ma.fields.String()
    reference = ma.fields.String()
    quantity = ma.fields.Integer()
    max_partners = ma.fields.Integer()
    min_lot = ma.fields.Integer()
    sites = ma.fields.List(ma.fields.String())
    status = ma.fields.Constant("requested")


class ConsortiumPartSchema(ma.Schema):
    part_id = ma.fields.String()
    site = ma.fields.String()
    organisation_id = ma.fields.String()
    offer_id = ma.fields.String()
    quantity = ma.fields.Integer()
    unit_price = ma.fields.String()
    currency = ma.fields.String()
    status = ma.fields.String()
    reason = ma.fields.String()
    answer = ma.fields.String(allow_none=True)


class ConsortiumSchema(ma.Schema):
    enquiry_id = ma.fields.String()
    order_id = ma.fields.String(allow_none=True)
    status = ma.fields.String(metadata={"description": "requested (the hub has not answered yet), forwarded, short, "
                                                      "agreed or cancelled"})
    quantity = ma.fields.Integer(allow_none=True)
    allocated = ma.fields.Integer(allow_none=True)
    accepted = ma.fields.Integer(allow_none=True)
    missing = ma.fields.Integer(allow_none=True)
    total_cost_eur = ma.fields.String(allow_none=True)
    method = ma.fields.String(allow_none=True)
    solver_status = ma.fields.String(allow_none=True)
    gap = ma.fields.Float(allow_none=True)
    parts = ma.fields.List(ma.fields.Nested(ConsortiumPartSchema))
    shortfalls = ma.fields.List(ma.fields.Dict())
    correlation_id = ma.fields.String(allow_none=True)


class ForwardedPartSchema(ma.Schema):
    id = ma.fields.String()
    order_id = ma.fields.String()
    origin_site = ma.fields.String()
    correlation_id = ma.fields.String()
    enquiry_reference = ma.fields.String()
    title = ma.fields.String()
    type = ma.fields.String()
    cpv_codes = ma.fields.List(ma.fields.String())
    offer_id = ma.fields.String()
    organisation_id = ma.fields.String()
    quantity = ma.fields.Integer()
    unit = ma.fields.String(allow_none=True)
    unit_price = ma.fields.Decimal(as_string=True)
    currency = ma.fields.String()
    deadline = ma.fields.Date()
    delivery_nuts3 = ma.fields.String(allow_none=True)
    label_required = ma.fields.Boolean()
    reason = ma.fields.String(metadata={"description": "why the hub chose this social enterprise and this quantity"})
    status = ma.fields.String()
    answer = ma.fields.String(allow_none=True)
    answered_by = ma.fields.String(allow_none=True)
    answered_at = ma.fields.AwareDateTime(allow_none=True)
    received_at = ma.fields.AwareDateTime()


class PartQuery(PageQuery):
    status = ma.fields.String(validate=validate.OneOf(PART_STATES))


class AcceptSchema(Strict):
    note = Prose(2000, load_default=None, allow_none=True)


class DeclineSchema(Strict):
    reason = Prose(2000, required=True)


ForwardedPartPage = page_schema(ForwardedPartSchema, "ForwardedPartPage")


# --- views -------------------------------------------------------------------------------------------

@blp.route("/enquiries/<uuid:enquiry_id>/cross-border")
class CrossBorderRequest(MethodView):
    @roles(*STAFF)
    @blp.arguments(CrossBorderRequestSchema)
    @blp.response(202, CrossBorderRequestedSchema)
    def post(self, fields, enquiry_id):
        """Ask the hub to compose a consortium of social enterprises across the sites for this enquiry."""
        members = {s.id for s in current_runtime().settings.federation.member_sites}
        terms = RequestTerms(fields["quantity"], fields["max_partners"], fields["min_lot"], tuple(fields["sites"]))
        return handlers.request_consortium(current_runtime().uow(), str(enquiry_id), terms, members)


@blp.route("/enquiries/<uuid:enquiry_id>/consortium")
class Consortium(MethodView):
    @roles(*STAFF)
    @blp.response(200, ConsortiumSchema)
    def get(self, enquiry_id):
        """The consortium of this site's cross-border order: every part with its site and status."""
        with current_runtime().engine.connect() as conn:
            enquiry = enquiry_store.load_enquiry(conn, str(enquiry_id))
            row = store.consortium_of(conn, str(enquiry_id))
        if row is not None:
            return {**row["snapshot"], "correlation_id": row["correlation_id"]}
        if enquiry.cross_border_flagged:
            return {"enquiry_id": enquiry.id, "order_id": None, "status": "requested", "parts": [], "shortfalls": []}
        raise NotFound(f"enquiry {enquiry.reference} has no cross-border order")


@blp.route("/forwarded-parts")
class ForwardedParts(MethodView):
    @roles(*STAFF)
    @blp.arguments(PartQuery, location="query")
    @blp.response(200, ForwardedPartPage)
    def get(self, query):
        """Parts of consortia the hub forwarded to this site, newest first."""
        with current_runtime().engine.connect() as conn:
            return store.list_parts(conn, query.get("status"), query["page"], query["per_page"]).as_dict()


@blp.route("/forwarded-parts/<uuid:part_id>")
class ForwardedPart(MethodView):
    @roles(*STAFF)
    @blp.response(200, ForwardedPartSchema)
    def get(self, part_id):
        with current_runtime().engine.connect() as conn:
            return store.load_part(conn, str(part_id))


@blp.route("/forwarded-parts/<uuid:part_id>/accept")
class AcceptPart(MethodView):
    @roles(*STAFF)
    @blp.arguments(AcceptSchema)
    @blp.response(200, ForwardedPartSchema)
    def post(self, fields, part_id):
        """Accept the part for the social enterprise; its capacity is reserved until the deadline."""
        return handlers.accept_part(current_runtime().uow(), str(part_id), current_principal().subject, utcnow(),
                                    fields["note"])


@blp.route("/forwarded-parts/<uuid:part_id>/decline")
class DeclinePart(MethodView):
    @roles(*STAFF)
    @blp.arguments(DeclineSchema)
    @blp.response(200, ForwardedPartSchema)
    def post(self, fields, part_id):
        """Decline the part; the hub re-allocates it to another social enterprise."""
        return handlers.decline_part(current_runtime().uow(), str(part_id), current_principal().subject, utcnow(),
                                     fields["reason"])
