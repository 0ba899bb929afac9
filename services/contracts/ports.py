"""Ports: what one service asks of another in-process, as interfaces (`typing.Protocol`), never its code.

A consumer asks for a port by its Protocol (`services.common.ports.port(LabelRegister)`) and gets the
implementation a service provides. To follow a call from the consumer to the code that answers it:
the Protocol here -> the `provides` field of the service in `services.composition` (which names the
implementation) -> the implementation in that service's `ports` module. Only the plain values below
cross the boundary, never a service's model classes.

| port               | provided by                               | used by                                  |
|--------------------|-------------------------------------------|------------------------------------------|
| LabelRegister      | services.label.ports.PublicRegister       | the registry's catalogue and showcase    |
| CaseStudyPublisher | services.registry.ports.CaseStudies       | a closed enquiry's case study (enquiries) |
| MemberDirectory    | services.registry.ports.Members           | the users pages (services.web.admin)     |
| OfferDirectory     | services.registry.ports.Offers            | a member's label applications (label)    |
| ImpactTotals       | services.enquiries.impact.ports.Totals    | a social enterprise's public profile      |
| ImpactConsent      | services.registry.impact_consent.Consents | the SE's impact page (enquiries)          |
| PlatformSupporters | services.registry.supporters.Supporters   | the shortlist's ranking (enquiries)       |
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Iterable, Protocol, runtime_checkable

from sqlalchemy import Connection


# --- the label service's public register --------------------------------------------------------------

@dataclass(frozen=True)
class ValidLabel:
    """A quality label that is valid today (neither suspended, revoked nor expired)."""

    number: str
    holder_organisation_id: str
    valid_until: date


@runtime_checkable
class LabelRegister(Protocol):
    def valid_labels(self, holder: str | None = None) -> dict[str, list[ValidLabel]]:
        """The valid labels by holder organisation id; with `holder`, only that organisation's (the same
        answer as GET /api/v1/labels?status=valid)."""
        ...


# --- the registry's case studies ---------------------------------------------------------------------

@dataclass(frozen=True)
class CaseStudyImpact:
    value_paid_eur: Decimal | None = None
    material_diverted_kg: Decimal | None = None
    integration_hours: Decimal | None = None


@dataclass(frozen=True)
class CaseStudyPartner:
    """A social enterprise credited by a case study of a cross-border order, at its own site (the registry
    does not check another site's organisations: the hub reported their names)."""

    site: str
    organisation_id: str
    organisation_name: str | None
    quantity: int
    impact: CaseStudyImpact = field(default_factory=CaseStudyImpact)


@dataclass(frozen=True)
class CaseStudyFields:
    """What a case study says. The organisations are this site's: the client is not a social enterprise,
    `social_enterprise_id` is one (checked by the registry: a 422 otherwise). A consortium order credits
    every social enterprise of the consortium, of any site, in `partners`, each with its part's impact."""

    title: str
    summary: str
    year: int
    cpv_codes: tuple[str, ...] = ()
    client_organisation_id: str | None = None
    social_enterprise_id: str | None = None
    impact: CaseStudyImpact = field(default_factory=CaseStudyImpact)
    partners: tuple[CaseStudyPartner, ...] = ()


@dataclass(frozen=True)
class PublishedCaseStudy:
    """A case study as the registry holds it (on a repeated publish, as first published)."""

    id: str
    reference: str
    fields: CaseStudyFields


@runtime_checkable
class CaseStudyPublisher(Protocol):
    def publish(self, case_study_id: str, fields: CaseStudyFields, today: date) -> PublishedCaseStudy:
        """Publish a case study under the caller's id, in the registry's own transaction (it commits).

        Idempotent by id: if a case study with `case_study_id` exists, it is returned unchanged (no second
        reference number, no second event), whatever `fields` say, so that a caller that crashed after
        publishing can simply publish again."""
        ...


# --- the registry's member organisations -------------------------------------------------------------

@dataclass(frozen=True)
class MemberOrganisation:
    """What a site administrator needs to recognise an organisation when linking a user to it."""

    id: str
    name: str
    kind: str
    town: str | None = None
    active: bool = True  # False once withdrawn from the register


@runtime_checkable
class MemberDirectory(Protocol):
    def find(self, text: str, limit: int = 20) -> list[MemberOrganisation]:
        """The site's active organisations whose name or town contains `text`, by name."""
        ...

    def named(self, ids: Iterable[str]) -> dict[str, MemberOrganisation]:
        """The organisations with these ids (withdrawn ones too), by id; unknown ids are left out."""
        ...


# --- the registry's offers ---------------------------------------------------------------------------

@dataclass(frozen=True)
class MemberOffer:
    """A published offer of a member organisation: what a label application for it starts from."""

    id: str
    title: str
    cpv_codes: tuple[str, ...]


@runtime_checkable
class OfferDirectory(Protocol):
    def published(self, organisation_id: str) -> list[MemberOffer]:
        """The organisation's published offers, by title."""
        ...


# --- a social enterprise's impact, for its public profile (issue 18) ---------------------------------

@dataclass(frozen=True)
class PublicImpact:
    """A social enterprise's impact over a period as its public profile may state it: aggregated totals only,
    never a client's name or one deal's price. `figures_shown` is False when it delivered fewer deals than
    the network's suppression threshold (`minimum_deals`); the figures are then zero and must not be shown."""

    start: date
    end: date
    minimum_deals: int
    figures_shown: bool
    deals: int = 0  # 0 when not shown
    integration_hours: Decimal = Decimal(0)
    material_diverted_kg: Decimal = Decimal(0)
    value_delivered_eur: Decimal = Decimal(0)


def last_twelve_months(today: date) -> tuple[date, date]:
    """The period a public profile states its impact for: the 365 days up to and including `today`."""
    return today - timedelta(days=364), today


@runtime_checkable
class ImpactTotals(Protocol):
    def public_totals(self, organisation_id: str, start: date, end: date) -> PublicImpact:
        """The deals the social enterprise delivered from `start` to `end` (both included), totalled, with
        the figures withheld below the network's suppression threshold."""
        ...


@dataclass(frozen=True)
class ImpactConsentState:
    """Whether a social enterprise lets its public profile show its impact totals, and who decided when."""

    organisation_id: str
    shown: bool
    decided_by: str | None = None
    decided_at: datetime | None = None


@runtime_checkable
class ImpactConsent(Protocol):
    def consent(self, organisation_id: str) -> ImpactConsentState:
        """The organisation's decision; not shown (decided by nobody) until it decides."""
        ...

    def decide(self, organisation_id: str, shown: bool, by: str, at: datetime) -> ImpactConsentState:
        """Record the decision of the organisation's own member `by` (in the registry's own transaction)."""
        ...


# --- the organisations that support the platform (issue 19) ------------------------------------------

@runtime_checkable
class PlatformSupporters(Protocol):
    def supporting(self, conn: Connection, organisation_ids: Iterable[str]) -> frozenset[str]:
        """Those of `organisation_ids` that support the platform: a confirmed, active statement of support
        on behalf of an organisation names them (`registry_support_statement.organisation_id`).

        Read in the caller's connection `conn` (a site's services share its database): the shortlist asks
        inside its own transaction, and on SQLite a second connection would wait for that transaction's lock."""
        ...
