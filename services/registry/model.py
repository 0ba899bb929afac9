"""The registry's domain: organisations, offers, support statements and case studies.

No I/O. Each aggregate checks its own rules, raises `Invalid` (422, with field messages) or `Conflict`
(409, naming the current state), and records the events it causes. Updates that change nothing record
nothing, so a repeated PATCH neither bumps the version nor publishes an event.

Personal data (an organisation's contact person, the person behind a support statement) lives in
these objects but never in their events.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from services.common.errors import Conflict, Invalid
from services.common.events import Aggregate
from services.contracts import cpv
from services.contracts.events import registry as ev
from services.contracts.events.registry import LABOUR_MARKET_SEGMENTS, ORGANISATION_KINDS, STATEMENT_KINDS

SOCIAL_ENTERPRISE = "social_enterprise"
ACTIVE, WITHDRAWN, PUBLISHED, ERASED = "active", "withdrawn", "published", "erased"
PHONE_KINDS = ("fixed", "mobile")

# The letter of each kind of record in its human reference, e.g. AT12-O-2026-0007.
REFERENCE_LETTERS = {"organisation": "O", "offer": "F", "support_statement": "S", "case_study": "C"}


def reference(site_id: str, letter: str, year: int, number: int) -> str:
    return f"{site_id}-{letter}-{year}-{number:04d}"


def registration_key(number: str) -> str:
    """What makes two registration numbers the same: `FN 123456 a` equals `fn123456A`."""
    return "".join(number.split()).upper()


def _require_state(kind: str, current: str, allowed: tuple[str, ...], action: str) -> None:
    if current not in allowed:
        raise Conflict(f"cannot {action} a {kind} that is {current}", code=f"{kind}_{current}")


def _invalid(field_name: str, message: str):
    return Invalid(f"{field_name}: {message}", {field_name: [message]})


def _check_cpv(codes: list[str], field_name: str = "cpv_codes") -> None:
    unknown = {str(i): [f"{code} is not a CPV 2008 code"] for i, code in enumerate(codes) if not cpv.is_known(code)}
    if unknown:
        raise Invalid(f"{field_name}: unknown CPV codes", {field_name: unknown})


class _Changeable:
    """Applies a set of changes and reports whether anything changed."""

    def _apply(self, changes: dict) -> bool:
        unknown = set(changes) - set(self.UPDATABLE)
        if unknown:
            raise Invalid("these fields cannot be changed", {name: ["cannot be changed"] for name in sorted(unknown)})
        before = {name: getattr(self, name) for name in changes}
        for name, value in changes.items():
            setattr(self, name, value)
        try:
            self._check()
        except Invalid:
            for name, value in before.items():
                setattr(self, name, value)
            raise
        return any(before[name] != getattr(self, name) for name in changes)


# --- organisations -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Address:
    street: str
    postcode: str
    town: str
    country: str


@dataclass(frozen=True)
class Coordinates:
    lat: float
    lon: float


@dataclass(frozen=True)
class ContactPerson:
    """Personal data: stays at the site."""

    name: str
    email: str | None = None
    phone: str | None = None


@dataclass
class Organisation(_Changeable, Aggregate):
    id: str
    reference: str
    kind: str
    name: str
    registration_number: str
    address: Address
    nuts3: str
    coordinates: Coordinates | None = None
    labour_market_segment: str | None = None
    workers_in_integration: int | None = None
    website: str | None = None
    contact: ContactPerson | None = None
    status: str = ACTIVE

    UPDATABLE = ("name", "registration_number", "address", "nuts3", "coordinates", "labour_market_segment",
                 "workers_in_integration", "website", "contact")

    @classmethod
    def register(cls, **fields) -> "Organisation":
        org = cls(**fields)
        org._check()
        org._record(ev.OrganisationRegistered(**org.snapshot()))
        return org

    @property
    def is_social_enterprise(self) -> bool:
        return self.kind == SOCIAL_ENTERPRISE

    @property
    def registration_key(self) -> str:
        return registration_key(self.registration_number)

    def _check(self) -> None:
        if self.kind not in ORGANISATION_KINDS:
            raise _invalid("kind", f"must be one of {', '.join(ORGANISATION_KINDS)}")
        if not self.registration_key:
            raise _invalid("registration_number", "must not be blank")
        if self.is_social_enterprise and self.labour_market_segment is None:
            raise _invalid("labour_market_segment", "is required for a social enterprise")
        if not self.is_social_enterprise and self.labour_market_segment is not None:
            raise _invalid("labour_market_segment", "applies to social enterprises only")
        if self.labour_market_segment is not None and self.labour_market_segment not in LABOUR_MARKET_SEGMENTS:
            raise _invalid("labour_market_segment", f"must be one of {', '.join(LABOUR_MARKET_SEGMENTS)}")

    def update(self, **changes) -> None:
        _require_state("organisation", self.status, (ACTIVE,), "update")
        if self._apply(changes):
            self._record(ev.OrganisationUpdated(**self.snapshot()))

    def withdraw(self, reason: str | None = None) -> None:
        _require_state("organisation", self.status, (ACTIVE,), "withdraw")
        self.status = WITHDRAWN
        self._record(ev.OrganisationWithdrawn(id=self.id, reason=reason))

    def snapshot(self) -> dict:
        """The public data, as events carry it: no contact person."""
        return dict(
            organisation_id=self.id, reference=self.reference, kind=self.kind, name=self.name,
            town=self.address.town, postcode=self.address.postcode, country=self.address.country,
            nuts3=self.nuts3, lat=self.coordinates.lat if self.coordinates else None,
            lon=self.coordinates.lon if self.coordinates else None,
            labour_market_segment=self.labour_market_segment, workers_in_integration=self.workers_in_integration,
            website=self.website, status=self.status,
        )


# --- offers ------------------------------------------------------------------------------------------

@dataclass
class Offer(_Changeable, Aggregate):
    id: str
    reference: str
    organisation_id: str
    title: str
    description: str
    cpv_codes: list[str]
    capacity_per_week: Decimal
    unit: str
    lead_time_days: int
    currency: str
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    delivery_radius_km: int | None = None
    cross_border: bool = False
    status: str = PUBLISHED

    UPDATABLE = ("title", "description", "cpv_codes", "capacity_per_week", "unit", "lead_time_days", "currency",
                 "price_min", "price_max", "delivery_radius_km", "cross_border")

    @classmethod
    def publish(cls, organisation: Organisation, **fields) -> "Offer":
        if not organisation.is_social_enterprise:
            raise _invalid("organisation_id", "only a social enterprise can publish offers")
        if organisation.status != ACTIVE:
            raise _invalid("organisation_id", f"the organisation is {organisation.status}")
        offer = cls(organisation_id=organisation.id, **fields)
        offer._check()
        offer._record(ev.OfferPublished(**offer.snapshot()))
        return offer

    def _check(self) -> None:
        self.cpv_codes = list(dict.fromkeys(self.cpv_codes))  # keep order, drop repeats
        if not self.cpv_codes:
            raise _invalid("cpv_codes", "at least one CPV code is required")
        _check_cpv(self.cpv_codes)
        if self.capacity_per_week <= 0:
            raise _invalid("capacity_per_week", "must be more than zero")
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise _invalid("price_max", "must not be less than price_min")

    def update(self, **changes) -> None:
        _require_state("offer", self.status, (PUBLISHED,), "update")
        if self._apply(changes):
            self._record(ev.OfferUpdated(**self.snapshot()))

    def withdraw(self, reason: str | None = None) -> None:
        _require_state("offer", self.status, (PUBLISHED,), "withdraw")
        self.status = WITHDRAWN
        self._record(ev.OfferWithdrawn(id=self.id, reason=reason))

    def snapshot(self) -> dict:
        return dict(
            offer_id=self.id, organisation_id=self.organisation_id, title=self.title, description=self.description,
            cpv_codes=list(self.cpv_codes), capacity_per_week=self.capacity_per_week, unit=self.unit,
            lead_time_days=self.lead_time_days, price_min=self.price_min, price_max=self.price_max,
            currency=self.currency, delivery_radius_km=self.delivery_radius_km, cross_border=self.cross_border,
            status=self.status,
        )


# --- support statements ------------------------------------------------------------------------------

# Why personal data was erased (GDPR art. 17(1), and a backup restored from before an erasure): the audit
# keeps one of these, never a free text, which might name the person.
ERASURE_GROUNDS = ("request", "consent_withdrawn", "objection", "unlawful_processing", "legal_obligation",
                   "backup_restored")


def erasure_ground(ground: str) -> str:
    if ground not in ERASURE_GROUNDS:
        raise _invalid("ground", f"must be one of {', '.join(ERASURE_GROUNDS)}")
    return ground

@dataclass(frozen=True)
class Person:
    """Personal data of the paper form: stays at the site, and goes entirely on erasure."""

    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    phone_kind: str | None = None
    email: str | None = None

    FIELDS = ("first_name", "last_name", "phone", "phone_kind", "email")

    def given(self) -> list[str]:
        return [name for name in self.FIELDS if getattr(self, name) is not None]


@dataclass
class SupportStatement(Aggregate):
    id: str
    reference: str
    kind: str
    given_on: date
    nuts3: str
    consent: bool
    person: Person = field(default_factory=Person)
    organisation_name: str | None = None
    organisation_kind: str | None = None
    status: str = ACTIVE
    # Anyone may file a statement, so it counts in the statistics only once confirmed: by the link sent to
    # its e-mail address (confirmed_by "e-mail"), or by a broker (their username).
    confirmed_at: datetime | None = None
    confirmed_by: str | None = None

    @classmethod
    def file(cls, today: date, **fields) -> "SupportStatement":
        statement = cls(**fields)
        statement._check()
        if statement.given_on > today:
            raise _invalid("given_on", "must not be in the future")
        statement._record(ev.SupportStatementRecorded(**statement._counted()))
        return statement

    def _counted(self) -> dict:
        """What the network learns of a statement: kind and region, never the person."""
        return dict(statement_id=self.id, kind=self.kind, organisation_kind=self.organisation_kind,
                    nuts3=self.nuts3, given_on=self.given_on)

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    def confirm(self, by: str, at: datetime) -> None:
        """From now on the statement counts; confirming twice is a conflict, not a second count."""
        _require_state("support_statement", self.status, (ACTIVE,), "confirm")
        if self.confirmed:
            raise Conflict(f"the statement was already confirmed on {self.confirmed_at:%Y-%m-%d}",
                           code="support_statement_confirmed")
        self.confirmed_at, self.confirmed_by = at, by
        self._record(ev.SupportStatementConfirmed(**self._counted()))

    def _check(self) -> None:
        problems = statement_problems(self.kind, self.consent, self.person, self.organisation_name,
                                      self.organisation_kind)
        if problems:
            raise _invalid(*problems[0])

    def withdraw(self, reason: str | None = None) -> None:
        _require_state("support_statement", self.status, (ACTIVE,), "withdraw")
        self.status = WITHDRAWN
        # The reason stays in the site's audit: free text might name the person.
        self._record(ev.SupportStatementWithdrawn(id=self.id, reason=None))

    def erase(self) -> list[str]:
        """Remove the personal data for good. Returns the names of the fields that held any."""
        _require_state("support_statement", self.status, (ACTIVE, WITHDRAWN), "erase")
        erased = self.person.given()
        self.person = Person()
        self.status = ERASED
        self._record(ev.SupportStatementErased(id=self.id, reason=None))
        return erased


def statement_problems(kind, consent, person: Person, organisation_name, organisation_kind,
                       unknown=()) -> list[tuple[str, str]]:
    """Every rule of the paper form that these values break, as (field, message) in the order they are
    checked: the statement raises the first, a form shows them all in one round.

    A field named in `unknown` has a value the caller could not read (its form's schema refused it): the
    rules that look at it are left out rather than guessed.
    """
    def known(*names) -> bool:
        return not set(names) & set(unknown)

    found = []
    if known("consent") and consent is not True:
        found.append(("consent", "consent is required to record a statement of support"))
    if not known("kind"):
        pass  # who signs is not known: neither a person's nor an organisation's fields can be judged
    elif kind not in STATEMENT_KINDS:
        found.append(("kind", f"must be one of {', '.join(STATEMENT_KINDS)}"))
    elif kind == "person":
        found += [(name, "is required for a statement by a person")
                  for name in ("first_name", "last_name") if known(name) and not getattr(person, name)]
        found += [(name, "applies to statements on behalf of an organisation only")
                  for name, value in (("organisation_name", organisation_name),
                                      ("organisation_kind", organisation_kind))
                  if known(name) and value is not None]
    else:
        if known("organisation_name") and not organisation_name:
            found.append(("organisation_name", "is required for a statement on behalf of an organisation"))
        if known("organisation_kind") and organisation_kind not in ORGANISATION_KINDS:
            found.append(("organisation_kind", f"must be one of {', '.join(ORGANISATION_KINDS)}"))
    if known("phone", "phone_kind") and (person.phone is None) != (person.phone_kind is None):
        found.append(("phone_kind", "give the phone kind (fixed or mobile) with a phone number, and only then"))
    elif known("phone_kind") and person.phone_kind is not None and person.phone_kind not in PHONE_KINDS:
        found.append(("phone_kind", "must be fixed or mobile"))
    return found


# --- case studies ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Impact:
    value_paid_eur: Decimal | None = None
    material_diverted_kg: Decimal | None = None
    integration_hours: Decimal | None = None


@dataclass
class CaseStudy(_Changeable, Aggregate):
    id: str
    reference: str
    title: str
    summary: str
    year: int
    cpv_codes: list[str] = field(default_factory=list)
    client_organisation_id: str | None = None
    social_enterprise_id: str | None = None
    impact: Impact = field(default_factory=Impact)
    status: str = PUBLISHED

    UPDATABLE = ("title", "summary", "year", "cpv_codes", "client_organisation_id", "social_enterprise_id",
                 "impact")

    @classmethod
    def publish(cls, **fields) -> "CaseStudy":
        study = cls(**fields)
        study._check()
        study._record(ev.CaseStudyPublished(**study.snapshot()))
        return study

    def _check(self) -> None:
        self.cpv_codes = list(dict.fromkeys(self.cpv_codes))
        _check_cpv(self.cpv_codes)
        if not 1990 <= self.year <= 2100:
            raise _invalid("year", "must be between 1990 and 2100")
        for name in ("value_paid_eur", "material_diverted_kg", "integration_hours"):
            value = getattr(self.impact, name)
            if value is not None and value < 0:
                raise _invalid(name, "must not be negative")

    def update(self, **changes) -> None:
        _require_state("case_study", self.status, (PUBLISHED,), "update")
        if self._apply(changes):
            self._record(ev.CaseStudyUpdated(**self.snapshot()))

    def withdraw(self, reason: str | None = None) -> None:
        _require_state("case_study", self.status, (PUBLISHED,), "withdraw")
        self.status = WITHDRAWN
        self._record(ev.CaseStudyWithdrawn(id=self.id, reason=reason))

    def snapshot(self) -> dict:
        return dict(
            case_study_id=self.id, title=self.title, summary=self.summary,
            client_organisation_id=self.client_organisation_id, social_enterprise_id=self.social_enterprise_id,
            cpv_codes=list(self.cpv_codes), year=self.year, value_paid_eur=self.impact.value_paid_eur,
            material_diverted_kg=self.impact.material_diverted_kg, integration_hours=self.impact.integration_hours,
            status=self.status,
        )
