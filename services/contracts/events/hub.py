"""Events the hub publishes: directed messages of the cross-border flow (DESIGN.md §3, `to` set).

- `hub.part.forwarded` goes to the site of the social enterprise that should deliver the part;
  `hub.part.withdrawn` tells it the part is no longer wanted (the order was cancelled).
- `hub.consortium.updated` and `hub.consortium.agreed` go to the order's origin site: the whole
  picture, every part with its status, as a snapshot (the newest `aggregate_version` wins).
None carries personal data: organisations are named by id; the client only by kind.
"""
from __future__ import annotations

from dataclasses import dataclass

import marshmallow as ma
from marshmallow import validate

from services.common.events import EventData, event_type
from services.contracts.events.enquiries import ENQUIRY_TYPES, SITE_ID
from services.contracts.events.registry import CPV, NUTS3

PART_STATES = ("forwarded", "accepted", "declined", "withdrawn")
ORDER_STATES = ("forwarded", "agreed", "short", "cancelled")


def _money(**kwargs):
    return ma.fields.Decimal(required=True, as_string=True, **kwargs)


class ForwardedPartData(EventData):
    part_id = ma.fields.UUID(required=True)
    order_id = ma.fields.UUID(required=True)
    origin_site = ma.fields.String(required=True, validate=SITE_ID)
    enquiry_reference = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    type = ma.fields.String(required=True, validate=validate.OneOf(ENQUIRY_TYPES))
    cpv_codes = ma.fields.List(ma.fields.String(validate=CPV), required=True)
    offer_id = ma.fields.UUID(required=True)
    organisation_id = ma.fields.UUID(required=True)
    quantity = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    unit = ma.fields.String(required=True, allow_none=True)
    unit_price = _money()
    currency = ma.fields.String(required=True, validate=validate.Length(equal=3))
    deadline = ma.fields.Date(required=True)
    delivery_nuts3 = ma.fields.String(required=True, allow_none=True, validate=NUTS3)
    label_required = ma.fields.Boolean(required=True)
    reason = ma.fields.String(required=True, metadata={"description": "why this social enterprise, why this quantity"})


@event_type("hub.part.forwarded", ForwardedPartData)
@dataclass(frozen=True)
class PartForwarded:
    """A part of a consortium, for the target site to accept or decline on behalf of its social enterprise."""

    part_id: str
    order_id: str
    origin_site: str
    enquiry_reference: str
    title: str
    type: str
    cpv_codes: list
    offer_id: str
    organisation_id: str
    quantity: int
    unit: str | None
    unit_price: object
    currency: str
    deadline: object
    delivery_nuts3: str | None
    label_required: bool
    reason: str


class PartWithdrawnData(EventData):
    part_id = ma.fields.UUID(required=True)
    order_id = ma.fields.UUID(required=True)
    reason = ma.fields.String(required=True)


@event_type("hub.part.withdrawn", PartWithdrawnData)
@dataclass(frozen=True)
class PartWithdrawn:
    """The order behind a forwarded part was cancelled: the target site releases what it reserved."""

    part_id: str
    order_id: str
    reason: str


class ConsortiumPartData(EventData):
    part_id = ma.fields.UUID(required=True)
    site = ma.fields.String(required=True, validate=SITE_ID)
    organisation_id = ma.fields.UUID(required=True)
    offer_id = ma.fields.UUID(required=True)
    quantity = ma.fields.Integer(required=True, strict=True)
    unit_price = _money()
    currency = ma.fields.String(required=True, validate=validate.Length(equal=3))
    status = ma.fields.String(required=True, validate=validate.OneOf(PART_STATES))
    reason = ma.fields.String(required=True)
    answer = ma.fields.String(required=True, allow_none=True)


class ShortfallData(EventData):
    reason = ma.fields.String(required=True)
    quantity = ma.fields.Integer(required=True, strict=True)
    detail = ma.fields.String(required=True)


class ConsortiumData(EventData):
    order_id = ma.fields.UUID(required=True)
    enquiry_id = ma.fields.UUID(required=True)
    enquiry_reference = ma.fields.String(required=True)
    status = ma.fields.String(required=True, validate=validate.OneOf(ORDER_STATES))
    quantity = ma.fields.Integer(required=True, strict=True)
    allocated = ma.fields.Integer(required=True, strict=True, metadata={"description": "in forwarded or accepted parts"})
    accepted = ma.fields.Integer(required=True, strict=True)
    missing = ma.fields.Integer(required=True, strict=True)
    total_cost_eur = _money()
    method = ma.fields.String(required=True, metadata={"description": "milp or greedy, for the last allocation"})
    solver_status = ma.fields.String(required=True)
    gap = ma.fields.Float(required=True, allow_none=True)
    parts = ma.fields.List(ma.fields.Nested(ConsortiumPartData), required=True)
    shortfalls = ma.fields.List(ma.fields.Nested(ShortfallData), required=True)


@dataclass(frozen=True)
class _ConsortiumSnapshot:
    order_id: str
    enquiry_id: str
    enquiry_reference: str
    status: str
    quantity: int
    allocated: int
    accepted: int
    missing: int
    total_cost_eur: object
    method: str
    solver_status: str
    gap: float | None
    parts: list
    shortfalls: list


@event_type("hub.consortium.updated", ConsortiumData)
class ConsortiumUpdated(_ConsortiumSnapshot):
    """The consortium of a cross-border order after a change: composed, a part answered, re-allocated."""


@event_type("hub.consortium.agreed", ConsortiumData)
class ConsortiumAgreed(_ConsortiumSnapshot):
    """Every part was accepted and together they make up the order: the consortium is agreed."""


# --- version 2: reasons as codes, production, delivery and impact per part (issue 13) ----------------
#
# The hub publishes only version 2 from now on. A site still accepts version 1 (a message published
# before the upgrade), reading its English `reason` as a plain string (services.contracts.reasons.describe).

from services.contracts.events.enquiries import PartDeliveryData, PartImpactData  # noqa: E402  (as the site reports them)
from services.contracts.reasons import ReasonData  # noqa: E402  (grouped with version 2)

PART_STATES_V2 = ("forwarded", "accepted", "declined", "withdrawn", "in_production", "delivered", "failed")
ORDER_STATES_V2 = ("forwarded", "agreed", "short", "in_production", "delivered", "cancelled")


class ForwardedPartDataV2(ForwardedPartData):
    reason = ma.fields.Nested(ReasonData, required=True,
                              metadata={"description": "why this social enterprise, why this quantity (a code)"})


@event_type("hub.part.forwarded", ForwardedPartDataV2, version=2)
class PartForwardedV2(PartForwarded):
    """A part of a consortium, for the target site to accept or decline; its reason is a code."""


class PartWithdrawnDataV2(PartWithdrawnData):
    reason = ma.fields.Nested(ReasonData, required=True)


@event_type("hub.part.withdrawn", PartWithdrawnDataV2, version=2)
class PartWithdrawnV2(PartWithdrawn):
    """The hub no longer wants a forwarded part (the order was cancelled or expired); the reason is a code."""


class ConsortiumPartDataV2(EventData):
    part_id = ma.fields.UUID(required=True)
    site = ma.fields.String(required=True, validate=SITE_ID)
    organisation_id = ma.fields.UUID(required=True)
    organisation_name = ma.fields.String(required=True, allow_none=True, metadata={
        "description": "the social enterprise's public name, as its site registered it (None if unknown)"})
    offer_id = ma.fields.UUID(required=True)
    quantity = ma.fields.Integer(required=True, strict=True)
    unit_price = _money()
    currency = ma.fields.String(required=True, validate=validate.Length(equal=3))
    unit_price_eur = _money(metadata={"description": "unit_price at the federation's rate to EUR"})
    status = ma.fields.String(required=True, validate=validate.OneOf(PART_STATES_V2))
    reason = ma.fields.Nested(ReasonData, required=True, metadata={"description": "why this share"})
    answer = ma.fields.Nested(ReasonData, required=True, allow_none=True,
                              metadata={"description": "a decline's reason code, or a failure's cause"})
    note = ma.fields.String(required=True, allow_none=True,
                            metadata={"description": "what the target site's broker wrote with the answer"})
    delivered = ma.fields.Integer(required=True, strict=True)
    deliveries = ma.fields.List(ma.fields.Nested(PartDeliveryData), required=True)
    impact = ma.fields.Nested(PartImpactData, required=True, allow_none=True)


class ShortfallDataV2(EventData):
    code = ma.fields.String(required=True, metadata={"description": "services.contracts.reasons: an allocation "
                                                                    "shortfall or a failure cause"})
    quantity = ma.fields.Integer(required=True, strict=True)
    params = ma.fields.Dict(keys=ma.fields.String(), required=True)


class ConsortiumImpactData(EventData):
    """The sum of the parts' impact (only parts whose site recorded it; `parts` says how many)."""

    parts = ma.fields.Integer(required=True, strict=True)
    value_paid_eur = _money()
    material_diverted_kg = _money()
    integration_hours = _money()
    distance_km = _money(metadata={"description": "quantity-weighted mean over the parts that report it"},
                         allow_none=True)
    regional_share = _money(metadata={"description": "quantity-weighted mean over the parts that report it"},
                            allow_none=True)


class ConsortiumDataV2(EventData):
    order_id = ma.fields.UUID(required=True)
    enquiry_id = ma.fields.UUID(required=True)
    enquiry_reference = ma.fields.String(required=True)
    status = ma.fields.String(required=True, validate=validate.OneOf(ORDER_STATES_V2))
    quantity = ma.fields.Integer(required=True, strict=True)
    allocated = ma.fields.Integer(required=True, strict=True, metadata={
        "description": "in parts that are forwarded, accepted, in production or delivered"})
    accepted = ma.fields.Integer(required=True, strict=True, metadata={
        "description": "in parts accepted, in production or delivered"})
    delivered = ma.fields.Integer(required=True, strict=True)
    missing = ma.fields.Integer(required=True, strict=True)
    deadline = ma.fields.Date(required=True)
    total_cost_eur = _money()
    method = ma.fields.String(required=True, metadata={"description": "milp or greedy, for the last allocation"})
    solver_status = ma.fields.String(required=True)
    gap = ma.fields.Float(required=True, allow_none=True)
    parts = ma.fields.List(ma.fields.Nested(ConsortiumPartDataV2), required=True)
    shortfalls = ma.fields.List(ma.fields.Nested(ShortfallDataV2), required=True)
    impact = ma.fields.Nested(ConsortiumImpactData, required=True)


@dataclass(frozen=True)
class _ConsortiumSnapshotV2:
    order_id: str
    enquiry_id: str
    enquiry_reference: str
    status: str
    quantity: int
    allocated: int
    accepted: int
    delivered: int
    missing: int
    deadline: object
    total_cost_eur: object
    method: str
    solver_status: str
    gap: float | None
    parts: list
    shortfalls: list
    impact: dict


@event_type("hub.consortium.updated", ConsortiumDataV2, version=2)
class ConsortiumUpdatedV2(_ConsortiumSnapshotV2):
    """The consortium of a cross-border order after a change: composed, answered, re-allocated, in production,
    a delivery, a failure."""


@event_type("hub.consortium.agreed", ConsortiumDataV2, version=2)
class ConsortiumAgreedV2(_ConsortiumSnapshotV2):
    """Every part was accepted and together they make up the order: the consortium is agreed."""
