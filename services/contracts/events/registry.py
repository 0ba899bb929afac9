"""Events the registry publishes. None carries personal data (DESIGN.md §3).

Organisation, offer and case-study events carry the public snapshot of their aggregate after the
change, so a consumer can apply the newest version it has seen and ignore stale ones. A support
statement reaches the outside world only as its kind, organisation kind and NUTS-3 region.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import marshmallow as ma
from marshmallow import validate

from services.common.events import EventData, event_type

ORGANISATION_KINDS = ("social_enterprise", "economic_enterprise", "public_institution", "consulting_institution")
LABOUR_MARKET_SEGMENTS = ("second_labour_market", "third_labour_market")
STATEMENT_KINDS = ("person", "organisation")
NUTS3 = validate.Regexp(r"^[A-Z]{2}[0-9A-Z]{3}$", error="not a NUTS-3 code (e.g. AT127)")
CPV = validate.Regexp(r"^[0-9]{8}$", error="a CPV code has eight digits")
CASE_STUDY_LANGUAGES, CASE_STUDY_TITLE_MAX = ("de", "hu", "en"), 200


class OrganisationData(EventData):
    organisation_id = ma.fields.UUID(required=True)
    reference = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(ORGANISATION_KINDS))
    name = ma.fields.String(required=True, validate=validate.Length(min=1, max=200))
    town = ma.fields.String(required=True)
    postcode = ma.fields.String(required=True)
    country = ma.fields.String(required=True, validate=validate.Length(equal=2))
    nuts3 = ma.fields.String(required=True, validate=NUTS3)
    lat = ma.fields.Float(required=True, allow_none=True)
    lon = ma.fields.Float(required=True, allow_none=True)
    labour_market_segment = ma.fields.String(required=True, allow_none=True,
                                             validate=validate.OneOf(LABOUR_MARKET_SEGMENTS))
    workers_in_integration = ma.fields.Integer(required=True, allow_none=True, validate=validate.Range(min=0))
    website = ma.fields.String(required=True, allow_none=True)
    status = ma.fields.String(required=True, validate=validate.OneOf(("active", "withdrawn")))


class WithdrawalData(EventData):
    id = ma.fields.UUID(required=True)
    reason = ma.fields.String(required=True, allow_none=True)


class OfferData(EventData):
    offer_id = ma.fields.UUID(required=True)
    organisation_id = ma.fields.UUID(required=True)
    title = ma.fields.String(required=True)
    description = ma.fields.String(required=True)
    cpv_codes = ma.fields.List(ma.fields.String(validate=CPV), required=True, validate=validate.Length(min=1))
    capacity_per_week = ma.fields.Decimal(required=True, as_string=True)
    unit = ma.fields.String(required=True)
    lead_time_days = ma.fields.Integer(required=True, validate=validate.Range(min=0))
    price_min = ma.fields.Decimal(required=True, as_string=True, allow_none=True)
    price_max = ma.fields.Decimal(required=True, as_string=True, allow_none=True)
    currency = ma.fields.String(required=True, validate=validate.Length(equal=3))
    delivery_radius_km = ma.fields.Integer(required=True, allow_none=True, validate=validate.Range(min=0))
    cross_border = ma.fields.Boolean(required=True)
    status = ma.fields.String(required=True, validate=validate.OneOf(("published", "withdrawn")))


class SupportStatementData(EventData):
    statement_id = ma.fields.UUID(required=True)
    kind = ma.fields.String(required=True, validate=validate.OneOf(STATEMENT_KINDS))
    organisation_kind = ma.fields.String(required=True, allow_none=True, validate=validate.OneOf(ORGANISATION_KINDS))
    nuts3 = ma.fields.String(required=True, validate=NUTS3)
    given_on = ma.fields.Date(required=True)


class CaseStudyData(EventData):
    case_study_id = ma.fields.UUID(required=True)
    title = ma.fields.String(required=True)
    summary = ma.fields.String(required=True)
    client_organisation_id = ma.fields.UUID(required=True, allow_none=True)
    social_enterprise_id = ma.fields.UUID(required=True, allow_none=True)
    cpv_codes = ma.fields.List(ma.fields.String(validate=CPV), required=True)
    year = ma.fields.Integer(required=True, validate=validate.Range(min=1990, max=2100))
    value_paid_eur = ma.fields.Decimal(required=True, as_string=True, allow_none=True)
    material_diverted_kg = ma.fields.Decimal(required=True, as_string=True, allow_none=True)
    integration_hours = ma.fields.Decimal(required=True, as_string=True, allow_none=True)
    status = ma.fields.String(required=True, validate=validate.OneOf(("published", "withdrawn")))


# --- organisations -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _OrganisationSnapshot:
    organisation_id: str
    reference: str
    kind: str
    name: str
    town: str
    postcode: str
    country: str
    nuts3: str
    lat: float | None
    lon: float | None
    labour_market_segment: str | None
    workers_in_integration: int | None
    website: str | None
    status: str


@event_type("registry.organisation.registered", OrganisationData)
class OrganisationRegistered(_OrganisationSnapshot):
    """An organisation became a member of the site. Its public snapshot; no contact persons."""


@event_type("registry.organisation.updated", OrganisationData)
class OrganisationUpdated(_OrganisationSnapshot):
    """An organisation's public data changed. Its public snapshot after the change."""


@event_type("registry.organisation.withdrawn", WithdrawalData)
@dataclass(frozen=True)
class OrganisationWithdrawn:
    """An organisation left the site's register."""

    id: str
    reason: str | None


# --- offers ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _OfferSnapshot:
    offer_id: str
    organisation_id: str
    title: str
    description: str
    cpv_codes: list
    capacity_per_week: object
    unit: str
    lead_time_days: int
    price_min: object
    price_max: object
    currency: str
    delivery_radius_km: int | None
    cross_border: bool
    status: str


@event_type("registry.offer.published", OfferData)
class OfferPublished(_OfferSnapshot):
    """A social enterprise published what it can do, with its capacity."""


@event_type("registry.offer.updated", OfferData)
class OfferUpdated(_OfferSnapshot):
    """An offer changed. Its snapshot after the change."""


@event_type("registry.offer.withdrawn", WithdrawalData)
@dataclass(frozen=True)
class OfferWithdrawn:
    """An offer is no longer available."""

    id: str
    reason: str | None


# --- support statements ------------------------------------------------------------------------------

@event_type("registry.support_statement.recorded", SupportStatementData)
@dataclass(frozen=True)
class SupportStatementRecorded:
    """A statement of support was given, by a person or on behalf of an organisation. No personal data.
    It does not count yet: anyone may file one, so it counts once confirmed (`...confirmed`)."""

    statement_id: str
    kind: str
    organisation_kind: str | None
    nuts3: str
    given_on: object


@event_type("registry.support_statement.confirmed", SupportStatementData)
@dataclass(frozen=True)
class SupportStatementConfirmed:
    """A statement's e-mail address was confirmed by its link, or a broker confirmed the statement: from
    now on it counts in the network's statistics. The same data as its recording, no personal data."""

    statement_id: str
    kind: str
    organisation_kind: str | None
    nuts3: str
    given_on: object


@event_type("registry.support_statement.withdrawn", WithdrawalData)
@dataclass(frozen=True)
class SupportStatementWithdrawn:
    """A statement of support was withdrawn; it no longer counts."""

    id: str
    reason: str | None


@event_type("registry.support_statement.erased", WithdrawalData)
@dataclass(frozen=True)
class SupportStatementErased:
    """The personal data of a statement was erased on request; it no longer counts."""

    id: str
    reason: str | None


# --- case studies ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _CaseStudySnapshot:
    case_study_id: str
    title: str
    summary: str
    client_organisation_id: str | None
    social_enterprise_id: str | None
    cpv_codes: list
    year: int
    value_paid_eur: object
    material_diverted_kg: object
    integration_hours: object
    status: str
    texts: list = field(default_factory=list)  # version 2 only: version 1's schema leaves it out


@event_type("registry.case_study.published", CaseStudyData)
class CaseStudyPublished(_CaseStudySnapshot):
    """A best-practice example was published."""


@event_type("registry.case_study.updated", CaseStudyData)
class CaseStudyUpdated(_CaseStudySnapshot):
    """A case study changed. Its snapshot after the change."""


@event_type("registry.case_study.withdrawn", WithdrawalData)
@dataclass(frozen=True)
class CaseStudyWithdrawn:
    """A case study was taken down."""

    id: str
    reason: str | None


# --- organisations' public profiles (issue 14) -------------------------------------------------------

PROFILE_MAX_LENGTH = 2000  # characters of one language's text
LANGUAGE = validate.Regexp(r"^[a-z]{2}$", error="an ISO 639-1 language code, e.g. de")


class ProfileTextData(EventData):
    language = ma.fields.String(required=True, validate=LANGUAGE)
    text = ma.fields.String(required=True, validate=validate.Length(min=1, max=PROFILE_MAX_LENGTH))


class OrganisationProfileData(EventData):
    organisation_id = ma.fields.UUID(required=True)
    texts = ma.fields.List(ma.fields.Nested(ProfileTextData), required=True,
                           metadata={"description": "one per language written, by language; none: no profile"})


@event_type("registry.organisation.profile_changed", OrganisationProfileData)
@dataclass(frozen=True)
class OrganisationProfileChanged:
    """An organisation's public profile (a social enterprise's) or shop window (a client's) changed: its
    whole text in each language it is written in, after the change. Public text the organisation wrote for
    everyone to read, no personal data of a person. Its own type rather than a new version of
    `...updated`: the snapshot's consumers need not learn it, and a profile is ordered by the organisation's
    aggregate_version like every other change of the organisation."""

    organisation_id: str
    texts: list


# --- case studies, version 2 (issue 19): texts in further languages. Sites publish only version 2; the hub
# still accepts version 1 (published before the upgrade): no texts, the original language everywhere.


class CaseStudyTextData(EventData):
    language = ma.fields.String(required=True, validate=validate.OneOf(CASE_STUDY_LANGUAGES))
    title = ma.fields.String(required=True, validate=validate.Length(min=1, max=CASE_STUDY_TITLE_MAX))
    summary = ma.fields.String(required=True, validate=validate.Length(min=1))


class CaseStudyDataV2(CaseStudyData):
    texts = ma.fields.List(ma.fields.Nested(CaseStudyTextData), required=True, metadata={"description": (
        "title and summary in further languages, by language; `title`, `summary`: the original text")})


@event_type("registry.case_study.published", CaseStudyDataV2, version=2)
class CaseStudyPublishedV2(_CaseStudySnapshot):
    """A best-practice example was published, with its texts in further languages."""


@event_type("registry.case_study.updated", CaseStudyDataV2, version=2)
class CaseStudyUpdatedV2(_CaseStudySnapshot):
    """A case study changed (its texts too). Its snapshot after the change."""
