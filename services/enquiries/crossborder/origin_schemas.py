"""The API's view of this site's own cross-border order: the consortium (the hub's version 2 picture) and
the client-facing agreement. Reasons are `{code, params}` (a version 1 snapshot's are English strings)."""
from __future__ import annotations

import marshmallow as ma

_money = dict(as_string=True, allow_none=True)


class ReasonField(ma.fields.Raw):
    """A reason as the hub sent it: `{code, params}`, or the plain string of a version 1 message."""


class ConsortiumDeliverySchema(ma.Schema):
    delivery_id = ma.fields.String()
    quantity = ma.fields.Integer()
    delivered_on = ma.fields.String()


class ConsortiumPartImpactSchema(ma.Schema):
    year = ma.fields.Integer()
    value_paid = ma.fields.Decimal(**_money)
    currency = ma.fields.String()
    value_paid_eur = ma.fields.Decimal(**_money)
    material_diverted_kg = ma.fields.Decimal(**_money)
    regional_share = ma.fields.Decimal(**_money)
    distance_km = ma.fields.Decimal(**_money)
    production_nuts3 = ma.fields.String(allow_none=True)
    integration_hours = ma.fields.Decimal(**_money)


class ConsortiumImpactSchema(ma.Schema):
    parts = ma.fields.Integer(metadata={"description": "how many parts' sites recorded their impact"})
    value_paid_eur = ma.fields.Decimal(**_money)
    material_diverted_kg = ma.fields.Decimal(**_money)
    integration_hours = ma.fields.Decimal(**_money)
    distance_km = ma.fields.Decimal(**_money, metadata={"description": "quantity-weighted mean"})
    regional_share = ma.fields.Decimal(**_money, metadata={"description": "quantity-weighted mean"})


class ConsortiumPartSchema(ma.Schema):
    part_id = ma.fields.String()
    site = ma.fields.String()
    organisation_id = ma.fields.String()
    organisation_name = ma.fields.String(allow_none=True)
    offer_id = ma.fields.String()
    quantity = ma.fields.Integer()
    unit_price = ma.fields.Decimal(**_money)
    currency = ma.fields.String()
    unit_price_eur = ma.fields.Decimal(**_money)
    status = ma.fields.String()
    reason = ReasonField(metadata={"description": "why this share: {code, params}"})
    answer = ReasonField(allow_none=True, metadata={"description": "a decline's reason or a failure's cause"})
    note = ma.fields.String(allow_none=True)
    delivered = ma.fields.Integer()
    deliveries = ma.fields.List(ma.fields.Nested(ConsortiumDeliverySchema))
    impact = ma.fields.Nested(ConsortiumPartImpactSchema, allow_none=True)


class ConsortiumShortfallSchema(ma.Schema):
    code = ma.fields.String(metadata={"description": "services.contracts.reasons: an allocation shortfall or a "
                                                     "failure's cause"})
    quantity = ma.fields.Integer()
    params = ma.fields.Dict()


class ConsortiumSchema(ma.Schema):
    enquiry_id = ma.fields.String()
    order_id = ma.fields.String(allow_none=True)
    status = ma.fields.String(metadata={"description": "requested (the hub has not answered yet), forwarded, short, "
                                                      "agreed, in_production, delivered or cancelled"})
    quantity = ma.fields.Integer(allow_none=True)
    allocated = ma.fields.Integer(allow_none=True)
    accepted = ma.fields.Integer(allow_none=True)
    delivered = ma.fields.Integer(allow_none=True)
    missing = ma.fields.Integer(allow_none=True)
    deadline = ma.fields.String(allow_none=True)
    total_cost_eur = ma.fields.Decimal(**_money)
    method = ma.fields.String(allow_none=True)
    solver_status = ma.fields.String(allow_none=True)
    gap = ma.fields.Float(allow_none=True)
    parts = ma.fields.List(ma.fields.Nested(ConsortiumPartSchema))
    shortfalls = ma.fields.List(ma.fields.Nested(ConsortiumShortfallSchema))
    impact = ma.fields.Nested(ConsortiumImpactSchema, allow_none=True)
    version = ma.fields.Integer(allow_none=True, metadata={"description": "the version of the hub's message"})
    correlation_id = ma.fields.String(allow_none=True)


class ClientAgreementLineSchema(ma.Schema):
    part_id = ma.fields.String()
    site = ma.fields.String()
    organisation_id = ma.fields.String()
    organisation_name = ma.fields.String(allow_none=True)
    offer_id = ma.fields.String()
    quantity = ma.fields.Integer()
    unit_price = ma.fields.Decimal(as_string=True)
    currency = ma.fields.String()
    price = ma.fields.Decimal(as_string=True, metadata={"description": "quantity x unit price, in `currency`"})
    unit_price_eur = ma.fields.Decimal(as_string=True)
    price_eur = ma.fields.Decimal(as_string=True)
    status = ma.fields.String()
    failed = ma.fields.Boolean(metadata={"description": "the part failed after acceptance; the line stays"})
    delivered = ma.fields.Integer()
    payable_eur = ma.fields.Decimal(as_string=True, metadata={
        "description": "what the line adds to the total: its price, or for a line that ended early (failed, or "
                       "withdrawn with its cancelled order) what it delivered"})
    added_at = ma.fields.AwareDateTime()


class ClientAgreementSchema(ma.Schema):
    order_id = ma.fields.String()
    enquiry_id = ma.fields.String()
    made_at = ma.fields.AwareDateTime()
    unit = ma.fields.String(allow_none=True)
    currency = ma.fields.String(metadata={"description": "the site's currency, of `total`"})
    rate_to_eur = ma.fields.Decimal(as_string=True)
    total_eur = ma.fields.Decimal(as_string=True)
    total = ma.fields.Decimal(as_string=True)
    lines = ma.fields.List(ma.fields.Nested(ClientAgreementLineSchema))
