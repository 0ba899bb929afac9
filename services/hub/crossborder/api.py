"""The hub's cross-border orders: each order with its parts and the explanation of every allocation,
and the OCDS 1.1 release package of the brokered orders (agency roles).

Orders carry no personal data (the client only by kind), but they are the network's commercial
pipeline, so they are for the agency's roles, like the consolidated enquiries.
"""
from __future__ import annotations

import marshmallow as ma
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import validate

from services.common.api import KeysetPageQuery, keyset_page_schema
from services.common.auth import roles
from services.common.clock import utcnow
from services.common.errors import NotFound
from services.common.runtime import current_runtime
from services.hub.crossborder import report
from services.hub.crossborder import store as crossborder_store
from services.hub.ocds import orders as ocds_orders
from services.hub.query import STRICT_QUERY, SiteQuery
from services.contracts.events.hub import ORDER_STATES_V2, PART_STATES_V2, ConsortiumDataV2

blp = Blueprint("hub_cross_border", __name__, url_prefix="/api/v1",
                description="Cross-border orders, their consortia and the OCDS export (agency roles)")

AGENCY = ("agency_viewer", "agency_admin")


class OrderQuery(KeysetPageQuery, SiteQuery):
    status = ma.fields.String(validate=validate.OneOf(ORDER_STATES_V2))


class PartSchema(ma.Schema):
    id = ma.fields.String()
    site = ma.fields.String()
    organisation_id = ma.fields.String()
    organisation_name = ma.fields.String(allow_none=True, metadata={"description": "as its site registered it"})
    offer_id = ma.fields.String()
    quantity = ma.fields.Integer()
    unit_price = ma.fields.Decimal(as_string=True)
    currency = ma.fields.String()
    unit_price_eur = ma.fields.Decimal(as_string=True, metadata={"description": "at the federation's rate"})
    unit_cost_eur = ma.fields.Decimal(as_string=True)
    reason = ma.fields.Raw(metadata={"description": "why this share: {code, params} (services.contracts.reasons)"})
    status = ma.fields.String(validate=validate.OneOf(PART_STATES_V2))
    answer = ma.fields.Dict(allow_none=True, metadata={"description": "a decline's reason: {code, params}"})
    note = ma.fields.String(allow_none=True)
    forwarded_at = ma.fields.AwareDateTime()
    answered_at = ma.fields.AwareDateTime(allow_none=True)
    delivered = ma.fields.Integer()
    deliveries = ma.fields.List(ma.fields.Dict(), allow_none=True)
    failure = ma.fields.Dict(allow_none=True, metadata={"description": "why the part failed: {code, params}"})
    impact = ma.fields.Dict(allow_none=True)


class OrderSummarySchema(ma.Schema):
    id = ma.fields.String()
    origin_site = ma.fields.String()
    enquiry_id = ma.fields.String()
    reference = ma.fields.String()
    correlation_id = ma.fields.String()
    title = ma.fields.String()
    type = ma.fields.String()
    cpv_codes = ma.fields.List(ma.fields.String())
    quantity = ma.fields.Integer()
    unit = ma.fields.String(allow_none=True)
    deadline = ma.fields.Date()
    delivery_nuts3 = ma.fields.String(allow_none=True)
    label_required = ma.fields.Boolean()
    max_partners = ma.fields.Integer()
    min_lot = ma.fields.Integer()
    sites = ma.fields.List(ma.fields.String())
    status = ma.fields.String(validate=validate.OneOf(ORDER_STATES_V2))
    created_at = ma.fields.AwareDateTime()
    updated_at = ma.fields.AwareDateTime()


class OrderSchema(OrderSummarySchema):
    parts = ma.fields.List(ma.fields.Nested(PartSchema))
    allocation = ma.fields.Dict(metadata={"description": "every allocation round (why it ran, what was asked, "
                                                         "the solver used, its gap, the shares and shortfalls with "
                                                         "their codes) and the failures' shortfalls"})
    consortium = ma.fields.Nested(ConsortiumDataV2, metadata={
        "description": "the figures the origin site was last sent: status, allocated, accepted, delivered, "
                       "missing, shortfalls with their codes, impact summed over the parts"})


class TimelineStepSchema(ma.Schema):
    id = ma.fields.Integer()
    at = ma.fields.AwareDateTime()
    kind = ma.fields.String(metadata={"description": "services/hub/crossborder/timeline.py lists the kinds"})
    part_id = ma.fields.String(allow_none=True)
    site = ma.fields.String(allow_none=True)
    quantity = ma.fields.Integer(allow_none=True)
    code = ma.fields.String(allow_none=True, metadata={"description": "a code of services.contracts.reasons"})
    params = ma.fields.Dict()
    event_id = ma.fields.String(metadata={"description": "the incoming event that caused the step"})


class TimelineSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(TimelineStepSchema))


ORDER_TOTAL = "how many orders the whole list has (kept as rows are written, per origin site and status)"
OrderPage = keyset_page_schema(OrderSummarySchema, "CrossBorderOrderPage", ORDER_TOTAL)


@blp.route("/cross-border/orders")
class Orders(MethodView):
    @roles(*AGENCY)
    @blp.arguments(OrderQuery, **STRICT_QUERY)
    @blp.response(200, OrderPage)
    def get(self, args):
        """Cross-border orders, newest first. Follow `next` (as `after`) for the next page."""
        with current_runtime().engine.connect() as conn:
            found = crossborder_store.list_orders(conn, args["page"], args["per_page"], args.get("status"),
                                                  args.get("site"), args.get("after"))
        return found.as_dict()


@blp.route("/cross-border/orders/<uuid:order_id>")
class OrderView(MethodView):
    @roles(*AGENCY)
    @blp.response(200, OrderSchema)
    def get(self, order_id):
        """One order with its parts (every part ever forwarded, declined ones included, with their deliveries
        and impact), its allocations and its consortium's figures."""
        runtime = current_runtime()
        with runtime.engine.connect() as conn:
            found = report.order_view(conn, str(order_id), runtime.settings)
        if found is None:
            raise NotFound(f"no cross-border order {order_id}")
        return found


@blp.route("/cross-border/orders/<uuid:order_id>/timeline")
class OrderTimeline(MethodView):
    @roles(*AGENCY)
    @blp.response(200, TimelineSchema)
    def get(self, order_id):
        """The order's steps, oldest first: request, allocation rounds, forwards, answers, production,
        deliveries, failures and what came of them, agreement, delivery, cancellation."""
        with current_runtime().engine.connect() as conn:
            if crossborder_store.order(conn, str(order_id)) is None:
                raise NotFound(f"no cross-border order {order_id}")
            return {"items": crossborder_store.timeline(conn, str(order_id))}


@blp.route("/ocds/release-package")
class ReleasePackage(MethodView):
    @roles(*AGENCY)
    @blp.response(200, description="an OCDS 1.1 release package (release-package-schema.json), one release per order")
    def get(self):
        """The brokered cross-border orders as an OCDS 1.1 release package (combine packages with ocdskit)."""
        published = utcnow()
        runtime = current_runtime()
        with runtime.engine.connect() as conn:
            orders = ocds_orders.load(conn)
        names = {s.id: s.name for s in runtime.settings.federation.sites.values()}
        # The package's uri names this export (ocdskit needs distinct ones to compile packages together).
        uri = f"{request.base_url}?published={published.strftime('%Y%m%dT%H%M%S%fZ')}"
        return ocds_orders.package(orders, published, uri, names)
