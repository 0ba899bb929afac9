"""HTTP API of the parts the hub forwarded to this site: the SE-side agreement from answer to delivered impact.

Staff (broker, site_admin) see and act on every part; a member of the social enterprise a part names, on
its own organisation's parts only (another's is a 404; `access`).

- `GET /forwarded-parts` (`?status=`): newest first; a member sees its own organisation's.
- `GET /forwarded-parts/{id}`: the part with its deliveries, impact figures, impact and failure.
- `POST .../accept` `{note?}`: accept for the SE; its capacity is reserved until the deadline.
- `POST .../decline` `{reason, note?}`: `reason` is a code of services.contracts.reasons.DECLINE_REASONS.
  The same answer twice is absorbed (200, nothing new happens); the other answer afterwards is a 409.
- `POST .../start`: production starts (accepted -> in_production).
- `POST .../deliveries` `{quantity, delivered_on, delivery_id?, value_paid?, material_diverted_kg?,
  regional_share?, distance_km?, production_nuts3?, integration_hours?}`: a partial or the last delivery.
  A quantity above what is still open, or a date in the future, is a 422. The last one makes the part
  delivered and records its impact (the value paid defaults to the delivered units at the unit price).
  A `delivery_id` recorded before is absorbed (a retried POST), or a 409 if it named other figures.
- `POST .../withdraw` `{note?}`: the SE gives the part up after accepting it (failed: se_withdrew).
- `POST .../close-short` `{note?, figures?}`: the SE delivered some units and no more will come
  (failed: delivered_short, with the impact of what was delivered).
A move the part's state does not allow (a delivery on a declined part, accept after a withdrawal,
starting twice...) is a 409 saying what the part is.
"""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import validate

from services.common.api import PageQuery, page_schema
from services.common.auth import current_principal, roles
from services.common.clock import utcnow
from services.common.runtime import current_runtime
from services.contracts.fields import Amount, Prose, Strict
from services.contracts.reasons import DECLINE_REASONS
from services.enquiries.crossborder import handlers, store
from services.enquiries.crossborder.access import actor_of, require_access
from services.enquiries.crossborder.model import PART_STATES
from services.enquiries.crossborder.production import Delivery, ImpactFigures
from services.enquiries.lifecycle.schemas import DeliveryReportSchema
from services.enquiries.lifecycle.web import STAFF_AND_MEMBERS

blp = Blueprint("enquiries_crossborder_parts", __name__, url_prefix="/api/v1",
                description="Parts of cross-border orders forwarded to this site: answer, production, delivery")


# --- schemas -----------------------------------------------------------------------------------------

class Reason(ma.fields.Raw):
    """A reason as stored: {code, params}, or the English text of a message from before codes."""


class DeliveryLineSchema(ma.Schema):
    id = ma.fields.String()
    quantity = ma.fields.Integer()
    delivered_on = ma.fields.Date()
    recorded_by = ma.fields.String()
    recorded_at = ma.fields.AwareDateTime()


class ReportedFiguresSchema(ma.Schema):
    value_paid = ma.fields.Decimal(as_string=True, allow_none=True)
    material_diverted_kg = ma.fields.Decimal(as_string=True, allow_none=True)
    regional_share = ma.fields.Decimal(as_string=True, allow_none=True)
    distance_km = ma.fields.Decimal(as_string=True, allow_none=True)
    production_nuts3 = ma.fields.String(allow_none=True)
    integration_hours = ma.fields.Decimal(as_string=True, allow_none=True)


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
    reason = Reason(metadata={"description": "why the hub chose this social enterprise and this quantity"})
    status = ma.fields.String(metadata={"description": ", ".join(PART_STATES)})
    note = ma.fields.String(allow_none=True, metadata={"description": "typed with the answer"})
    answered_by = ma.fields.String(allow_none=True)
    answered_at = ma.fields.AwareDateTime(allow_none=True)
    decline_reason = Reason(allow_none=True)
    withdrawal_reason = Reason(allow_none=True, metadata={"description": "the hub's, when it withdrew the part"})
    started_at = ma.fields.AwareDateTime(allow_none=True)
    closed_at = ma.fields.AwareDateTime(allow_none=True)
    delivered = ma.fields.Integer()
    open_quantity = ma.fields.Integer(metadata={"description": "units still to deliver"})
    deliveries = ma.fields.List(ma.fields.Nested(DeliveryLineSchema))
    figures = ma.fields.Nested(ReportedFiguresSchema, metadata={"description": "the impact figures reported so far"})
    impact = ma.fields.Dict(allow_none=True, metadata={"description": "recorded when the part is delivered or fails "
                                                                      "after some units were delivered"})
    failure = ma.fields.Dict(allow_none=True, metadata={"description": "{code: se_withdrew | delivered_short | "
                                                                       "deadline_missed, params}"})
    failure_note = ma.fields.String(allow_none=True)
    received_at = ma.fields.AwareDateTime()


class PartQuery(PageQuery):
    status = ma.fields.String(validate=validate.OneOf(PART_STATES))


class AcceptSchema(Strict):
    note = Prose(2000, load_default=None, allow_none=True)


class DeclineSchema(Strict):
    reason = ma.fields.String(required=True, validate=validate.OneOf(DECLINE_REASONS))
    note = Prose(2000, load_default=None, allow_none=True)


class NoteSchema(Strict):
    note = Prose(2000, load_default=None, allow_none=True)


class PartFiguresSchema(DeliveryReportSchema):
    """A local agreement's impact figures, without production coordinates: the site knows a forwarded
    part's delivery place only by its region, so there is no point to measure a distance to."""

    class Meta(DeliveryReportSchema.Meta):
        exclude = ("production_lat", "production_lon")


class CloseShortSchema(NoteSchema):
    figures = ma.fields.Nested(PartFiguresSchema, load_default=None, allow_none=True)


class PartDeliverySchema(PartFiguresSchema):
    """A delivery and, optionally, impact figures (the last given wins)."""

    delivery_id = ma.fields.UUID(load_default=None, metadata={
        "description": "chosen by the caller to make a retry harmless: a delivery recorded before is absorbed"})
    quantity = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=10 ** 9))
    delivered_on = ma.fields.Date(required=True)
    value_paid = Amount(allow_none=True, load_default=None,
                        metadata={"description": "for the whole part; default: the delivered units at the unit price"})

    @ma.post_load
    def _build(self, data, **kwargs):  # replaces DeliveryReportSchema's: a Delivery carrying its figures
        quantity, delivered_on, delivery_id = data.pop("quantity"), data.pop("delivered_on"), data.pop("delivery_id")
        return Delivery(quantity, delivered_on, ImpactFigures(**data), str(delivery_id) if delivery_id else None)


ForwardedPartPage = page_schema(ForwardedPartSchema, "ForwardedPartPage")


# --- views -------------------------------------------------------------------------------------------

def _rates() -> dict:
    return dict(current_runtime().settings.federation.rates_to_eur)


def _act(handler, part_id, *args, **kwargs):
    return handler(current_runtime().uow(), str(part_id), actor_of(current_principal()), utcnow(), *args, **kwargs)


@blp.route("/forwarded-parts")
class ForwardedParts(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.arguments(PartQuery, location="query")
    @blp.response(200, ForwardedPartPage)
    def get(self, query):
        """Parts of consortia the hub forwarded to this site, newest first (a member: its own)."""
        organisation = actor_of(current_principal()).organisation_id
        with current_runtime().engine.connect() as conn:
            return store.list_parts(conn, query.get("status"), query["page"], query["per_page"],
                                    organisation).as_dict()


@blp.route("/forwarded-parts/<uuid:part_id>")
class ForwardedPart(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.response(200, ForwardedPartSchema)
    def get(self, part_id):
        with current_runtime().engine.connect() as conn:
            part = store.load_part(conn, str(part_id))
        require_access(actor_of(current_principal()), part)
        return part


@blp.route("/forwarded-parts/<uuid:part_id>/accept")
class AcceptPart(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.arguments(AcceptSchema)
    @blp.response(200, ForwardedPartSchema)
    def post(self, fields, part_id):
        """Accept the part for the social enterprise; its capacity is reserved until the deadline."""
        return _act(handlers.accept_part, part_id, fields["note"])


@blp.route("/forwarded-parts/<uuid:part_id>/decline")
class DeclinePart(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.arguments(DeclineSchema)
    @blp.response(200, ForwardedPartSchema)
    def post(self, fields, part_id):
        """Decline the part with a reason code; the hub re-allocates it to another social enterprise."""
        return _act(handlers.decline_part, part_id, fields["reason"], fields["note"])


@blp.route("/forwarded-parts/<uuid:part_id>/start")
class StartProduction(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.response(200, ForwardedPartSchema)
    def post(self, part_id):
        """Production of an accepted part starts."""
        return _act(handlers.start_production, part_id)


@blp.route("/forwarded-parts/<uuid:part_id>/deliveries")
class RecordDelivery(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.arguments(PartDeliverySchema)
    @blp.response(201, ForwardedPartSchema)
    def post(self, delivery, part_id):
        """Record a delivery; the one that completes the quantity records the part's impact."""
        return _act(handlers.record_delivery, part_id, delivery, rates_to_eur=_rates())


@blp.route("/forwarded-parts/<uuid:part_id>/withdraw")
class WithdrawPart(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.arguments(NoteSchema)
    @blp.response(200, ForwardedPartSchema)
    def post(self, fields, part_id):
        """The social enterprise gives the accepted part up; the hub re-allocates what is missing."""
        return _act(handlers.withdraw_part, part_id, fields["note"], rates_to_eur=_rates())


@blp.route("/forwarded-parts/<uuid:part_id>/close-short")
class CloseShort(MethodView):
    @roles(*STAFF_AND_MEMBERS)
    @blp.arguments(CloseShortSchema)
    @blp.response(200, ForwardedPartSchema)
    def post(self, fields, part_id):
        """Close a part that was delivered in part: it fails short, with the impact of what was delivered."""
        return _act(handlers.close_short, part_id, fields["note"], fields["figures"], rates_to_eur=_rates())
