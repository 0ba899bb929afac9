"""Request and response schemas of the registry's HTTP API.

Request bodies refuse unknown fields; the field types (services.contracts.fields) refuse what the
database would choke on, so bad input is a 422.
"""
from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from services.common.api import PageQuery, page_schema
from services.common.fields import Id
from services.contracts.events.registry import LABOUR_MARKET_SEGMENTS, ORGANISATION_KINDS, STATEMENT_KINDS
from services.contracts.fields import (
    Amount, Count, CpvCode, CpvPrefix, Email, Line, Nuts3, NutsPrefix, Phone, Prose, Strict, builds)
from services.registry.case_studies import CaseStudy, Impact
from services.registry.offers import Offer
from services.registry.organisations import Address, ContactPerson, Coordinates, Organisation
from services.registry.statements import ERASURE_GROUNDS, PHONE_KINDS, Person


# --- organisations -----------------------------------------------------------------------------------

class AddressSchema(Strict):
    street = Line(200, required=True)
    postcode = Line(16, required=True)
    town = Line(100, required=True)
    country = ma.fields.String(required=True, validate=validate.Regexp(r"^[A-Z]{2}$", error="ISO 3166 code, e.g. AT"))
    _build = builds(Address)


class CoordinatesSchema(Strict):
    lat = ma.fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = ma.fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    _build = builds(Coordinates)


class ContactSchema(Strict):
    """The contact person: shown to staff only."""

    name = Line(200, required=True)
    email = Email(allow_none=True, load_default=None)
    phone = Phone(allow_none=True, load_default=None)
    _build = builds(ContactPerson)


class OrganisationSchema(Strict):
    id = ma.fields.String(dump_only=True)
    reference = ma.fields.String(dump_only=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(ORGANISATION_KINDS))
    name = Line(200, required=True)
    registration_number = Line(64, required=True)
    address = ma.fields.Nested(AddressSchema, required=True)
    nuts3 = Nuts3(required=True)
    coordinates = ma.fields.Nested(CoordinatesSchema, allow_none=True)
    labour_market_segment = ma.fields.String(allow_none=True, validate=validate.OneOf(LABOUR_MARKET_SEGMENTS),
                                             metadata={"description": "required for social enterprises only"})
    workers_in_integration = Count(1_000_000, allow_none=True)
    website = ma.fields.Url(allow_none=True, schemes={"http", "https"}, validate=validate.Length(max=300))
    contact = ma.fields.Nested(ContactSchema, allow_none=True, metadata={"description": "staff only"})
    status = ma.fields.String(dump_only=True)
    version = ma.fields.Integer(dump_only=True)


# A PATCH names only what changes; a nested address or contact is replaced whole. The kind is fixed.
class OrganisationPatchSchema(OrganisationSchema):
    pass


OrganisationPatch = OrganisationPatchSchema(partial=tuple(Organisation.UPDATABLE), exclude=("kind",))


class Reason(Strict):
    reason = Line(500, allow_none=True, load_default=None)


class OrganisationQuery(PageQuery):
    kind = ma.fields.String(validate=validate.OneOf(ORGANISATION_KINDS))
    nuts = NutsPrefix()
    q = Line(200)
    cpv = CpvPrefix(metadata={"description": "organisations with a published offer under this CPV code"})
    status = ma.fields.String(validate=validate.OneOf(("active", "withdrawn", "all")))


# --- offers ------------------------------------------------------------------------------------------

class OfferSchema(Strict):
    id = ma.fields.String(dump_only=True)
    reference = ma.fields.String(dump_only=True)
    organisation_id = Id(required=True)
    title = Line(200, required=True)
    description = Prose(10_000, required=True)
    cpv_codes = ma.fields.List(CpvCode(), required=True, validate=validate.Length(min=1, max=50))
    capacity_per_week = Amount(positive=True, required=True)
    unit = Line(50, required=True)
    lead_time_days = Count(3650, required=True)
    price_min = Amount(allow_none=True)
    price_max = Amount(allow_none=True)
    currency = ma.fields.String(validate=validate.Regexp(r"^[A-Z]{3}$", error="ISO 4217 code, e.g. EUR"),
                                metadata={"description": "default: the site's currency"})
    delivery_radius_km = Count(20_000, allow_none=True)
    cross_border = ma.fields.Boolean(load_default=False)
    status = ma.fields.String(dump_only=True)
    version = ma.fields.Integer(dump_only=True)


class OfferPatchSchema(OfferSchema):
    pass


OfferPatch = OfferPatchSchema(partial=tuple(Offer.UPDATABLE), exclude=("organisation_id",))


class OfferQuery(PageQuery):
    organisation_id = Id()
    nuts = NutsPrefix(metadata={"description": "region of the offering organisation"})
    q = Line(200)
    cpv = CpvPrefix()
    cross_border = ma.fields.Boolean()
    status = ma.fields.String(validate=validate.OneOf(("published", "withdrawn", "all")))


# --- support statements ------------------------------------------------------------------------------

class StatementSchema(Strict):
    """The paper form. Person fields are personal data: staff see them, nobody else."""

    id = ma.fields.String(dump_only=True)
    reference = ma.fields.String(dump_only=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(STATEMENT_KINDS))
    first_name = Line(100, allow_none=True, attribute="person.first_name")
    last_name = Line(100, allow_none=True, attribute="person.last_name")
    phone = Phone(allow_none=True, attribute="person.phone")
    phone_kind = ma.fields.String(allow_none=True, validate=validate.OneOf(PHONE_KINDS), attribute="person.phone_kind")
    email = Email(allow_none=True, attribute="person.email")
    organisation_name = Line(200, allow_none=True)
    organisation_kind = ma.fields.String(allow_none=True, validate=validate.OneOf(ORGANISATION_KINDS))
    consent = ma.fields.Boolean(required=True, truthy={True}, falsy={False})
    given_on = ma.fields.Date(allow_none=True, metadata={"description": "default: today"})
    nuts3 = Nuts3(required=True)
    newsletter = ma.fields.Boolean(load_default=False, truthy={True}, falsy={False}, metadata={
        "description": "the supporter asks for the site's newsletter (sent once the statement is confirmed)"})
    language = ma.fields.String(dump_only=True, allow_none=True, metadata={"description": "of the supporter's mails"})
    status = ma.fields.String(dump_only=True)
    confirmed_at = ma.fields.DateTime(dump_only=True, metadata={"description": "counts from then on"})
    confirmed_by = ma.fields.String(dump_only=True, metadata={"description": "'e-mail' or the broker"})
    version = ma.fields.Integer(dump_only=True)

    @ma.post_load
    def build(self, data, **kwargs):
        person = data.pop("person", {})
        if data.get("given_on") is None:
            data.pop("given_on", None)
        return {**data, "person": Person(**person)}


class StatementReceipt(ma.Schema):
    """What the public sees of a statement it filed: no personal data."""

    id = ma.fields.String()
    reference = ma.fields.String()
    kind = ma.fields.String()
    organisation_kind = ma.fields.String(allow_none=True)
    nuts3 = ma.fields.String()
    given_on = ma.fields.Date()
    status = ma.fields.String()
    confirmed = ma.fields.Boolean(metadata={"description": "counted in the statistics once confirmed"})


class Erasure(Strict):
    ground = ma.fields.String(load_default=ERASURE_GROUNDS[0], validate=validate.OneOf(ERASURE_GROUNDS),
                              metadata={"description": "why; the audit keeps it, never a free text"})


class AuditEntrySchema(ma.Schema):
    action = ma.fields.String()
    actor = ma.fields.String()
    at = ma.fields.DateTime()
    fields = ma.fields.List(ma.fields.String(), metadata={"description": "names of the erased fields"})
    reason = ma.fields.String(allow_none=True, metadata={"description": "a withdrawal's, until erased"})
    ground = ma.fields.String(allow_none=True, metadata={"description": "an erasure's"})


class StatementQuery(PageQuery):
    kind = ma.fields.String(validate=validate.OneOf(STATEMENT_KINDS))
    organisation_kind = ma.fields.String(validate=validate.OneOf(ORGANISATION_KINDS))
    nuts = NutsPrefix()
    q = Line(200, metadata={"description": "part of a name or e-mail address"})
    status = ma.fields.String(validate=validate.OneOf(("active", "withdrawn", "erased", "all")))
    confirmed = ma.fields.Boolean()


# --- case studies ------------------------------------------------------------------------------------

class ImpactSchema(Strict):
    value_paid_eur = Amount(allow_none=True, load_default=None)
    material_diverted_kg = Amount(allow_none=True, load_default=None)
    integration_hours = Amount(allow_none=True, load_default=None)
    _build = builds(Impact)


class CaseStudyPartnerSchema(ma.Schema):
    site = ma.fields.String()
    organisation_id = ma.fields.String()
    organisation_name = ma.fields.String(allow_none=True)
    quantity = ma.fields.Integer()
    impact = ma.fields.Nested(ImpactSchema)


class CaseStudyTextSchema(Strict):
    title = Line(200, required=True)
    summary = Prose(20_000, required=True)


class CaseStudyTextsSchema(Strict):
    """The title and summary in each further language; a language left out (or null) has none."""
    de = ma.fields.Nested(CaseStudyTextSchema, allow_none=True)
    hu = ma.fields.Nested(CaseStudyTextSchema, allow_none=True)
    en = ma.fields.Nested(CaseStudyTextSchema, allow_none=True)

    @ma.post_load
    def _given(self, data, **kwargs):
        return {lang: text for lang, text in data.items() if text is not None}


class CaseStudySchema(Strict):
    id = ma.fields.String(dump_only=True)
    reference = ma.fields.String(dump_only=True)
    title = Line(200, required=True)
    summary = Prose(20_000, required=True)
    year = ma.fields.Integer(strict=True, required=True, validate=validate.Range(min=1990, max=2100))
    cpv_codes = ma.fields.List(CpvCode(), validate=validate.Length(max=50))
    client_organisation_id = Id(allow_none=True)
    social_enterprise_id = Id(allow_none=True)
    impact = ma.fields.Nested(ImpactSchema)
    texts = ma.fields.Nested(CaseStudyTextsSchema, metadata={
        "description": "the title and summary in further languages (de, hu, en); title and summary stay the "
                       "original text, shown where a language has none"})
    partners = ma.fields.List(ma.fields.Nested(CaseStudyPartnerSchema), dump_only=True, metadata={
        "description": "a consortium order's social enterprises, of every site, each with its part's impact"})
    status = ma.fields.String(dump_only=True)
    version = ma.fields.Integer(dump_only=True)


class CaseStudyPatchSchema(CaseStudySchema):
    pass


CaseStudyPatch = CaseStudyPatchSchema(partial=tuple(CaseStudy.UPDATABLE))


class CaseStudyQuery(PageQuery):
    cpv = CpvPrefix()
    nuts = NutsPrefix(metadata={"description": "region of the social enterprise"})
    q = Line(200)
    year = ma.fields.Integer(validate=validate.Range(min=1990, max=2100))
    organisation_id = Id(metadata={"description": "as client or as social enterprise"})
    status = ma.fields.String(validate=validate.OneOf(("published", "withdrawn", "all")))


OrganisationPage = page_schema(OrganisationSchema, "OrganisationPage")
OfferPage = page_schema(OfferSchema, "OfferPage")
StatementPage = page_schema(StatementSchema, "SupportStatementPage")
CaseStudyPage = page_schema(CaseStudySchema, "CaseStudyPage")
