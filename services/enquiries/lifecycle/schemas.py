"""Request and response schemas of the lifecycle's HTTP API.

Request bodies refuse unknown fields; strings, numbers and dates are bounded, so bad input is a 422
with field messages. The field types are the contract's (services.contracts.fields).
Rules that need the site or the date (known CPV codes, the currency, a deadline not in the past) are
the domain's, and are 422s with field messages too.
"""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from services.common.api import PageQuery, page_schema
from services.common.fields import Id, patch_schema
from services.contracts.events.enquiries import CLIENT_KINDS, ENQUIRY_STATES, ENQUIRY_TYPES
from services.contracts.fields import Amount, CpvCode, CpvPrefix, Email, Line, Nuts3, Phone, Prose, Strict, builds
from services.enquiries.lifecycle import deals
from services.enquiries.lifecycle.model import FREQUENCIES
from services.enquiries.lifecycle.transitions import allowed_next
from services.enquiries.lifecycle.values import Contact, Delivery, ResidualMaterial
from services.enquiries.lifecycle.impact import DeliveryReport

Currency = lambda **kw: ma.fields.String(  # noqa: E731
    validate=validate.Regexp(r"^[A-Z]{3}$", error="ISO 4217 code, e.g. EUR"), **kw)


class ClientContactSchema(Strict):
    """The person acting for the client: personal data, shown to staff and the client only."""

    name = Line(200, required=True)
    email = Email(allow_none=True, load_default=None)
    phone = Phone(allow_none=True, load_default=None)
    _build = builds(Contact)


class DeliverySchema(Strict):
    nuts3 = Nuts3(allow_none=True, load_default=None)
    lat = ma.fields.Float(allow_none=True, load_default=None, validate=validate.Range(min=-90, max=90))
    lon = ma.fields.Float(allow_none=True, load_default=None, validate=validate.Range(min=-180, max=180))
    _build = builds(Delivery)


class ResidualMaterialSchema(Strict):
    material = Line(200, required=True)
    amount = Amount(positive=True, required=True)
    unit = Line(50, required=True)
    frequency = ma.fields.String(required=True, validate=validate.OneOf(FREQUENCIES))
    _build = builds(ResidualMaterial)


class EnquiryRecordSchema(Strict):
    id = ma.fields.String(dump_only=True)
    reference = ma.fields.String(dump_only=True)
    state = ma.fields.String(dump_only=True)
    type = ma.fields.String(required=True, validate=validate.OneOf(ENQUIRY_TYPES))
    title = Line(200, required=True)
    description = Prose(20_000, allow_none=True)
    client_kind = ma.fields.String(attribute="client.kind", validate=validate.OneOf(CLIENT_KINDS),
                                   metadata={"description": "default: economic_enterprise; anonymous for a "
                                                            "first contact without a member organisation"})
    client_organisation_id = Id(attribute="client.organisation_id", allow_none=True,
                                metadata={"description": "a member's own organisation by default"})
    contact = ma.fields.Nested(ClientContactSchema, attribute="client.contact", allow_none=True,
                               metadata={"description": "personal data: staff and the client only"})
    cpv_codes = ma.fields.List(CpvCode(), validate=validate.Length(max=50))
    quantity = Amount(positive=True, allow_none=True)
    unit = Line(50, allow_none=True)
    deadline = ma.fields.Date(allow_none=True)
    delivery = ma.fields.Nested(DeliverySchema)
    budget = Amount(allow_none=True)
    currency = Currency(metadata={"description": "the site's currency (default) or EUR"})
    label_required = ma.fields.Boolean()
    cross_border_allowed = ma.fields.Boolean()
    cross_border_flagged = ma.fields.Boolean(dump_only=True)
    residual_material = ma.fields.Nested(ResidualMaterialSchema, allow_none=True,
                                         metadata={"description": "recycling_upcycling: material, amount, frequency"})
    submitted_at = ma.fields.DateTime(dump_only=True, allow_none=True)  # a draft is not submitted yet
    created_at = ma.fields.DateTime(dump_only=True)
    case_study_id = ma.fields.String(dump_only=True, allow_none=True)  # until a case study is written
    allowed_next = ma.fields.Method("_allowed_next", dump_only=True)
    version = ma.fields.Integer(dump_only=True)

    def _allowed_next(self, enquiry):
        return allowed_next(enquiry.state)


class NewEnquirySchema(EnquiryRecordSchema):
    submit = ma.fields.Boolean(load_default=False, metadata={"description": "submit at once instead of a draft"})


class EnquiryPatchSchema(EnquiryRecordSchema):
    """A PATCH names only what changes."""


EnquiryPatch = patch_schema(EnquiryPatchSchema)  # a contact or material sent is whole


class EnquiryQuery(PageQuery):
    state = ma.fields.String(validate=validate.OneOf(ENQUIRY_STATES))
    type = ma.fields.String(validate=validate.OneOf(ENQUIRY_TYPES))
    cpv = CpvPrefix()
    client_organisation_id = Id()
    cross_border_flagged = ma.fields.Boolean()


class TransitionRequest(Strict):
    to = ma.fields.String(required=True, validate=validate.OneOf(ENQUIRY_STATES))
    reason = Line(1000, allow_none=True, load_default=None)


class TransitionAuditSchema(ma.Schema):
    from_state = ma.fields.String(allow_none=True)
    to_state = ma.fields.String()
    actor = ma.fields.String()
    party = ma.fields.String()
    at = ma.fields.DateTime()
    reason = ma.fields.String(allow_none=True)


class ShortlistResponse(ma.Schema):
    enquiry_id = ma.fields.String()
    reference = ma.fields.String()
    cross_border_flagged = ma.fields.Boolean()
    shortlist = ma.fields.Dict(metadata={"description": "ranked candidates with reasons, and a split if needed"})


# --- proposals, agreements, impact, messages ---------------------------------------------------------

class _TermsFields(Strict):
    quantity = Amount(positive=True, required=True)
    unit = Line(50, required=True)
    price = Amount(required=True, metadata={"description": "total price for the quantity"})
    currency = Currency(required=True)
    delivery_date = ma.fields.Date(required=True)
    conditions = Prose(10_000, allow_none=True, load_default=None)


class TermsSchema(_TermsFields):
    _build = builds(deals.Terms)


class NewProposalSchema(_TermsFields):
    organisation_id = Id(allow_none=True, load_default=None,
                         metadata={"description": "the social enterprise; a member proposes for its own"})
    offer_id = Id(required=True, metadata={"description": "the SE's offer whose capacity an agreement reserves"})

    @ma.post_load
    def build(self, data, **kwargs):
        ids = {"organisation_id": data.pop("organisation_id"), "offer_id": data.pop("offer_id")}
        return {**ids, "terms": deals.Terms(**data)}


class _TermsOut(ma.Schema):
    quantity = ma.fields.Decimal(as_string=True, attribute="terms.quantity")
    unit = ma.fields.String(attribute="terms.unit")
    price = ma.fields.Decimal(as_string=True, attribute="terms.price")
    currency = ma.fields.String(attribute="terms.currency")
    delivery_date = ma.fields.Date(attribute="terms.delivery_date")
    conditions = ma.fields.String(attribute="terms.conditions", allow_none=True)


class RevisionSchema(_TermsOut):
    revision = ma.fields.Integer()
    revised_by = ma.fields.String()
    revised_at = ma.fields.DateTime()


class ProposalTermsSchema(_TermsOut):
    id = ma.fields.String()
    enquiry_id = ma.fields.String()
    organisation_id = ma.fields.String()
    offer_id = ma.fields.String(allow_none=True)
    revision = ma.fields.Integer()
    status = ma.fields.String()
    created_by = ma.fields.String()
    created_at = ma.fields.DateTime()
    revisions = ma.fields.List(ma.fields.Nested(RevisionSchema), dump_default=None)


class ProposalSummarySchema(ProposalTermsSchema):
    """A proposal without its revision history (lists and replies to a change)."""

    class Meta(ProposalTermsSchema.Meta):
        exclude = ("revisions",)


class AgreementSchema(_TermsOut):
    id = ma.fields.String()
    enquiry_id = ma.fields.String()
    proposal_id = ma.fields.String()
    proposal_revision = ma.fields.Integer()
    organisation_id = ma.fields.String()
    offer_id = ma.fields.String(allow_none=True)
    status = ma.fields.String()
    made_at = ma.fields.DateTime()
    made_by = ma.fields.String()
    delivered_at = ma.fields.DateTime(allow_none=True)


class DeliveryReportSchema(Strict):
    value_paid = Amount(allow_none=True, load_default=None, metadata={"description": "default: the agreed price"})
    material_diverted_kg = Amount(allow_none=True, load_default=None)
    regional_share = ma.fields.Decimal(as_string=True, allow_none=True, load_default=None,
                                       validate=validate.Range(min=0, max=1))
    distance_km = Amount(allow_none=True, load_default=None,
                         metadata={"description": "default: great-circle distance from the production coordinates"})
    production_nuts3 = Nuts3(allow_none=True, load_default=None)
    production_lat = ma.fields.Float(allow_none=True, load_default=None, validate=validate.Range(min=-90, max=90))
    production_lon = ma.fields.Float(allow_none=True, load_default=None, validate=validate.Range(min=-180, max=180))
    integration_hours = Amount(allow_none=True, load_default=None)
    _build = builds(DeliveryReport)


class ImpactRecordSchema(ma.Schema):
    id = ma.fields.String()
    agreement_id = ma.fields.String()
    enquiry_id = ma.fields.String()
    year = ma.fields.Integer()
    value_paid = ma.fields.Decimal(as_string=True)
    currency = ma.fields.String()
    value_paid_eur = ma.fields.Decimal(as_string=True)
    material_diverted_kg = ma.fields.Decimal(as_string=True, allow_none=True)
    regional_share = ma.fields.Decimal(as_string=True, allow_none=True)
    distance_km = ma.fields.Decimal(as_string=True, allow_none=True)
    production_nuts3 = ma.fields.String(allow_none=True)
    integration_hours = ma.fields.Decimal(as_string=True, allow_none=True)
    recorded_at = ma.fields.DateTime()
    basis = ma.fields.Dict(metadata={"description": "the figures the record was computed from"})


class DeliveredSchema(ma.Schema):
    agreement = ma.fields.Nested(AgreementSchema)
    impact = ma.fields.Nested(ImpactRecordSchema)


class CancellationReason(Strict):
    reason = Line(1000, allow_none=True, load_default=None)


class NewMessageSchema(Strict):
    body = Prose(10_000, required=True)
    organisation_id = Id(allow_none=True, load_default=None,
                         metadata={"description": "the social enterprise's thread; none: to everybody involved"})


class MessageSchema(ma.Schema):
    id = ma.fields.Integer()
    organisation_id = ma.fields.String(allow_none=True)
    author = ma.fields.String()
    party = ma.fields.String()
    body = ma.fields.String()
    at = ma.fields.DateTime()


class CaseStudyRequest(Strict):
    title = Line(200, allow_none=True, load_default=None)
    summary = Prose(20_000, allow_none=True, load_default=None)


class CaseStudyDraftSchema(ma.Schema):
    title = ma.fields.String()
    summary = ma.fields.String()
    year = ma.fields.Integer()
    cpv_codes = ma.fields.List(ma.fields.String())
    client_organisation_id = ma.fields.String(allow_none=True)
    social_enterprise_id = ma.fields.String(allow_none=True)
    impact = ma.fields.Dict()
    partners = ma.fields.List(ma.fields.Dict(), metadata={
        "description": "a cross-border order's social enterprises (site, organisation_id, organisation_name, "
                       "quantity delivered, impact of their part)"})
    case_study_id = ma.fields.String(allow_none=True)


EnquiryPage = page_schema(EnquiryRecordSchema, "EnquiryPage")
