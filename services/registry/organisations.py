"""Member organisations of a site: their kinds, registration numbers, addresses and contact persons.

No I/O. The contact person is personal data: it lives in the organisation but never in its events.
"""
from __future__ import annotations

from dataclasses import dataclass

from services.common.errors import invalid
from services.common.events import Aggregate
from services.contracts.events import registry as events
from services.contracts.events.registry import LABOUR_MARKET_SEGMENTS, ORGANISATION_KINDS
from services.registry import profiles
from services.registry.rules import ACTIVE, WITHDRAWN, Changeable, require_state

SOCIAL_ENTERPRISE = "social_enterprise"


def registration_key(number: str) -> str:
    """What makes two registration numbers the same: `FN 123456 a` equals `fn123456A`."""
    return "".join(number.split()).upper()


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
class Organisation(Changeable, Aggregate):
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
        org._record(events.OrganisationRegistered(**org.snapshot()))
        return org

    @property
    def is_social_enterprise(self) -> bool:
        return self.kind == SOCIAL_ENTERPRISE

    @property
    def registration_key(self) -> str:
        return registration_key(self.registration_number)

    def _check(self) -> None:
        if self.kind not in ORGANISATION_KINDS:
            raise invalid("kind", f"must be one of {', '.join(ORGANISATION_KINDS)}")
        if not self.registration_key:
            raise invalid("registration_number", "must not be blank")
        if self.is_social_enterprise and self.labour_market_segment is None:
            raise invalid("labour_market_segment", "is required for a social enterprise")
        if not self.is_social_enterprise and self.labour_market_segment is not None:
            raise invalid("labour_market_segment", "applies to social enterprises only")
        if self.labour_market_segment is not None and self.labour_market_segment not in LABOUR_MARKET_SEGMENTS:
            raise invalid("labour_market_segment", f"must be one of {', '.join(LABOUR_MARKET_SEGMENTS)}")

    def update(self, **changes) -> None:
        require_state("organisation", self.status, (ACTIVE,), "update")
        if self._apply(changes):
            self._record(events.OrganisationUpdated(**self.snapshot()))

    def withdraw(self, reason: str | None = None) -> None:
        require_state("organisation", self.status, (ACTIVE,), "withdraw")
        self.status = WITHDRAWN
        self._record(events.OrganisationWithdrawn(id=self.id, reason=reason))

    def write_profile(self, current: dict[str, str], texts: dict[str, str | None],
                      languages: tuple[str, ...]) -> dict[str, str]:
        """Its public profile (shop window) after `texts` ({language: text}, profiles.py) are written over
        `current`; a change is recorded, the same texts again record nothing."""
        require_state("organisation", self.status, (ACTIVE,), "write the profile of")
        written = profiles.checked_texts(texts, languages)
        if written != current:
            self._record(events.OrganisationProfileChanged(organisation_id=self.id,
                                                           texts=profiles.as_event_texts(written)))
        return written

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
