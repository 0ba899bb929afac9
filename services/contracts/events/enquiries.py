"""Events the enquiries service publishes. None carries personal data (DESIGN.md §3).

Enquiry events carry the enquiry's snapshot after the change: the client appears only as its
organisation id and kind (or `anonymous`), never as a person. Free text the client typed may name a
person, so `title` is the public title a broker approved, or until then a neutral placeholder (the
reference and CPV codes); no event carries a description. Amounts are decimal strings with their ISO
currency.
"""
from __future__ import annotations

from dataclasses import dataclass

import marshmallow as ma
from marshmallow import validate

from services.common.events import EventData, event_type
from services.contracts.events.registry import CPV, NUTS3, ORGANISATION_KINDS

ENQUIRY_TYPES = ("service", "production_step", "recycling_upcycling", "csr_product", "give_away")
ENQUIRY_STATES = ("draft", "submitted", "in_consultation", "matching", "negotiating", "agreed", "in_production",
                  "delivered", "closed", "cancelled", "expired")
CLIENT_KINDS = ORGANISATION_KINDS + ("anonymous",)


def _amount(**kwargs):
    return ma.fields.Decimal(required=True, as_string=True, **kwargs)


def _public_title():
    return ma.fields.String(required=True, metadata={
        "description": "the public title a broker approved (or staff typed); until then the reference and CPV codes"})


class EnquiryData(EventData):
    enquiry_id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True)
    type = ma.fields.String(required=True, validate=validate.OneOf(ENQUIRY_TYPES))
    state = ma.fields.String(required=True, validate=validate.OneOf(ENQUIRY_STATES))
    client_kind = ma.fields.String(required=True, validate=validate.OneOf(CLIENT_KINDS))
    client_organisation_id = ma.fields.UUID(required=True, allow_none=True)
    title = _public_title()
    cpv_codes = ma.fields.List(ma.fields.String(validate=CPV), required=True)
    quantity = _amount(allow_none=True)
    unit = ma.fields.String(required=True, allow_none=True)
    deadline = ma.fields.Date(required=True, allow_none=True)
    delivery_nuts3 = ma.fields.String(required=True, allow_none=True, validate=NUTS3)
    budget = _amount(allow_none=True)
    currency = ma.fields.String(required=True, validate=validate.Length(equal=3))
    label_required = ma.fields.Boolean(required=True)
    cross_border_allowed = ma.fields.Boolean(required=True)
    cross_border_flagged = ma.fields.Boolean(required=True)
    submitted_at = ma.fields.AwareDateTime(required=True, allow_none=True)


class AgreementData(EventData):
    agreement_id = ma.fields.UUID(required=True)
    enquiry_id = ma.fields.UUID(required=True)
    organisation_id = ma.fields.UUID(required=True, metadata={"description": "the social enterprise"})
    offer_id = ma.fields.UUID(required=True, allow_none=True)
    quantity = _amount()
    unit = ma.fields.String(required=True)
    price = _amount(metadata={"description": "total price of the agreement"})
    currency = ma.fields.String(required=True, validate=validate.Length(equal=3))
    delivery_date = ma.fields.Date(required=True)
    status = ma.fields.String(required=True, validate=validate.OneOf(("active", "cancelled", "delivered")))


class ImpactData(EventData):
    agreement_id = ma.fields.UUID(required=True)
    enquiry_id = ma.fields.UUID(required=True)
    year = ma.fields.Integer(required=True)
    # economic
    value_paid = _amount()
    currency = ma.fields.String(required=True, validate=validate.Length(equal=3))
    value_paid_eur = _amount()
    # ecological
    material_diverted_kg = _amount(allow_none=True)
    regional_share = _amount(allow_none=True, metadata={"description": "0..1 share of regional primary products"})
    # regional
    distance_km = _amount(allow_none=True)
    production_nuts3 = ma.fields.String(required=True, allow_none=True, validate=NUTS3)
    # social
    integration_hours = _amount(allow_none=True)


@dataclass(frozen=True)
class _EnquirySnapshot:
    enquiry_id: str
    reference: str
    type: str
    state: str
    client_kind: str
    client_organisation_id: str | None
    title: str
    cpv_codes: list
    quantity: object
    unit: str | None
    deadline: object
    delivery_nuts3: str | None
    budget: object
    currency: str
    label_required: bool
    cross_border_allowed: bool
    cross_border_flagged: bool
    submitted_at: object


@event_type("enquiries.enquiry.submitted", EnquiryData)
class EnquirySubmitted(_EnquirySnapshot):
    """A client's enquiry was submitted to the site (drafts are not published)."""


@event_type("enquiries.enquiry.changed", EnquiryData)
class EnquiryChanged(_EnquirySnapshot):
    """A submitted enquiry changed or moved to another state. Its snapshot after the change."""


@dataclass(frozen=True)
class _AgreementSnapshot:
    agreement_id: str
    enquiry_id: str
    organisation_id: str
    offer_id: str | None
    quantity: object
    unit: str
    price: object
    currency: str
    delivery_date: object
    status: str


@event_type("enquiries.agreement.made", AgreementData)
class AgreementMade(_AgreementSnapshot):
    """A proposal was accepted: the agreement reserves the social enterprise's capacity."""


@event_type("enquiries.agreement.cancelled", AgreementData)
class AgreementCancelled(_AgreementSnapshot):
    """An agreement was cancelled; its capacity is released."""


@event_type("enquiries.agreement.delivered", AgreementData)
class AgreementDelivered(_AgreementSnapshot):
    """An agreement was delivered."""


@event_type("enquiries.impact.recorded", ImpactData)
@dataclass(frozen=True)
class ImpactRecorded:
    """The impact of a delivered agreement in the four dimensions of DESIGN.md §4."""

    agreement_id: str
    enquiry_id: str
    year: int
    value_paid: object
    currency: str
    value_paid_eur: object
    material_diverted_kg: object
    regional_share: object
    distance_km: object
    production_nuts3: str | None
    integration_hours: object


# --- cross-border large orders (issue: consortium matching at the hub) ------------------------------

SITE_ID = validate.Regexp(r"^[A-Z]{2}[0-9A-Z]{0,3}$")


class CrossBorderRequestData(EventData):
    """What the hub needs to compose a consortium: the order, never the client's contact person."""

    enquiry_id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True)
    title = _public_title()
    type = ma.fields.String(required=True, validate=validate.OneOf(ENQUIRY_TYPES))
    client_kind = ma.fields.String(required=True, validate=validate.OneOf(CLIENT_KINDS))
    cpv_codes = ma.fields.List(ma.fields.String(validate=CPV), required=True, validate=validate.Length(min=1))
    quantity = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    unit = ma.fields.String(required=True, allow_none=True)
    deadline = ma.fields.Date(required=True)
    delivery_nuts3 = ma.fields.String(required=True, allow_none=True, validate=NUTS3)
    budget = _amount(allow_none=True)
    currency = ma.fields.String(required=True, validate=validate.Length(equal=3))
    label_required = ma.fields.Boolean(required=True)
    max_partners = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=20))
    min_lot = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    sites = ma.fields.List(ma.fields.String(validate=SITE_ID), required=True,
                           metadata={"description": "the sites whose social enterprises may take part; empty: all"})
    requested_by = ma.fields.String(required=True, validate=validate.OneOf(("site", "broker")))


@event_type("enquiries.enquiry.cross_border_requested", CrossBorderRequestData)
@dataclass(frozen=True)
class CrossBorderRequested:
    """The site cannot cover the order alone (or its broker asks): the hub should compose a consortium.
    The event's id is the correlation id of everything the hub and the other sites do for it."""

    enquiry_id: str
    reference: str
    title: str
    type: str
    client_kind: str
    cpv_codes: list
    quantity: int
    unit: str | None
    deadline: object
    delivery_nuts3: str | None
    budget: object
    currency: str
    label_required: bool
    max_partners: int
    min_lot: int
    sites: list
    requested_by: str


class PartAnswerData(EventData):
    part_id = ma.fields.UUID(required=True)
    order_id = ma.fields.UUID(required=True)
    offer_id = ma.fields.UUID(required=True)
    organisation_id = ma.fields.UUID(required=True)
    quantity = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    status = ma.fields.String(required=True, validate=validate.OneOf(("accepted", "declined")))
    reason = ma.fields.String(required=True, allow_none=True, validate=validate.Length(max=2000))


@dataclass(frozen=True)
class _PartAnswer:
    part_id: str
    order_id: str
    offer_id: str
    organisation_id: str
    quantity: int
    status: str
    reason: str | None


@event_type("enquiries.part.accepted", PartAnswerData)
class PartAccepted(_PartAnswer):
    """A site accepted, for its social enterprise, the part of a consortium the hub forwarded to it."""


@event_type("enquiries.part.declined", PartAnswerData)
class PartDeclined(_PartAnswer):
    """A site declined a forwarded part; the hub re-allocates it."""


# --- version 2 answers, and a part's production and delivery at its site (issue 13) -------------------

from services.contracts.reasons import ReasonData  # noqa: E402  (grouped with version 2)


class PartAnswerDataV2(PartAnswerData):
    reason = ma.fields.Nested(ReasonData, required=True, allow_none=True,
                              metadata={"description": "a decline's reason (services.contracts.reasons)"})
    note = ma.fields.String(required=True, allow_none=True, validate=validate.Length(max=2000))


@dataclass(frozen=True)
class _PartAnswerV2(_PartAnswer):
    note: str | None


@event_type("enquiries.part.accepted", PartAnswerDataV2, version=2)
class PartAcceptedV2(_PartAnswerV2):
    """A site accepted a forwarded part for its social enterprise: the SE-side agreement; capacity reserved."""


@event_type("enquiries.part.declined", PartAnswerDataV2, version=2)
class PartDeclinedV2(_PartAnswerV2):
    """A site declined a forwarded part, with a reason code; the hub re-allocates it."""


class PartDeliveryData(EventData):
    delivery_id = ma.fields.UUID(required=True)
    quantity = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    delivered_on = ma.fields.Date(required=True)


class PartImpactData(EventData):
    year = ma.fields.Integer(required=True)
    value_paid = _amount()
    currency = ma.fields.String(required=True, validate=validate.Length(equal=3))
    value_paid_eur = _amount()
    material_diverted_kg = _amount(allow_none=True)
    regional_share = _amount(allow_none=True, metadata={"description": "0..1 share of regional primary products"})
    distance_km = _amount(allow_none=True)
    production_nuts3 = ma.fields.String(required=True, allow_none=True, validate=NUTS3)
    integration_hours = _amount(allow_none=True)


PART_PROGRESS_STATES = ("in_production", "delivered", "failed")


class PartProgressData(EventData):
    """A forwarded part's production and delivery at its site, as a snapshot (the newest
    aggregate_version wins). `failure` is set when the part failed after acceptance."""

    part_id = ma.fields.UUID(required=True)
    order_id = ma.fields.UUID(required=True)
    offer_id = ma.fields.UUID(required=True)
    organisation_id = ma.fields.UUID(required=True)
    quantity = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1))
    status = ma.fields.String(required=True, validate=validate.OneOf(PART_PROGRESS_STATES))
    delivered = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    deliveries = ma.fields.List(ma.fields.Nested(PartDeliveryData), required=True)
    failure = ma.fields.Nested(ReasonData, required=True, allow_none=True,
                               metadata={"description": "se_withdrew, delivered_short or deadline_missed"})
    impact = ma.fields.Nested(PartImpactData, required=True, allow_none=True,
                              metadata={"description": "recorded when the part is delivered, or closed short"})


@dataclass(frozen=True)
class _PartProgress:
    part_id: str
    order_id: str
    offer_id: str
    organisation_id: str
    quantity: int
    status: str
    delivered: int
    deliveries: list
    failure: dict | None
    impact: dict | None


@event_type("enquiries.part.production_started", PartProgressData)
class PartProductionStarted(_PartProgress):
    """The social enterprise started producing an accepted part."""


@event_type("enquiries.part.delivery_recorded", PartProgressData)
class PartDeliveryRecorded(_PartProgress):
    """A delivery of a part (partial, or the last one: then `status` is delivered and `impact` is set)."""


@event_type("enquiries.part.failed", PartProgressData)
class PartFailed(_PartProgress):
    """An accepted part failed: its SE withdrew, closed it short, or missed the deadline. The hub
    re-allocates what is missing if the deadline still allows."""
