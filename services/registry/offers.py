"""Offers: what a social enterprise of the site can deliver, classified by CPV codes, with its weekly
capacity. No I/O."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from services.common.errors import invalid
from services.common.events import Aggregate
from services.contracts.events import registry as events
from services.registry.organisations import Organisation
from services.registry.rules import ACTIVE, PUBLISHED, WITHDRAWN, Changeable, check_cpv, require_state


@dataclass
class Offer(Changeable, Aggregate):
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
            raise invalid("organisation_id", "only a social enterprise can publish offers")
        if organisation.status != ACTIVE:
            raise invalid("organisation_id", f"the organisation is {organisation.status}")
        offer = cls(organisation_id=organisation.id, **fields)
        offer._check()
        offer._record(events.OfferPublished(**offer.snapshot()))
        return offer

    def _check(self) -> None:
        self.cpv_codes = list(dict.fromkeys(self.cpv_codes))  # keep order, drop repeats
        if not self.cpv_codes:
            raise invalid("cpv_codes", "at least one CPV code is required")
        check_cpv(self.cpv_codes)
        if self.capacity_per_week <= 0:
            raise invalid("capacity_per_week", "must be more than zero")
        if self.price_min is not None and self.price_max is not None and self.price_min > self.price_max:
            raise invalid("price_max", "must not be less than price_min")

    def update(self, **changes) -> None:
        require_state("offer", self.status, (PUBLISHED,), "update")
        if self._apply(changes):
            self._record(events.OfferUpdated(**self.snapshot()))

    def withdraw(self, reason: str | None = None) -> None:
        require_state("offer", self.status, (PUBLISHED,), "withdraw")
        self.status = WITHDRAWN
        self._record(events.OfferWithdrawn(id=self.id, reason=reason))

    def snapshot(self) -> dict:
        return dict(
            offer_id=self.id, organisation_id=self.organisation_id, title=self.title, description=self.description,
            cpv_codes=list(self.cpv_codes), capacity_per_week=self.capacity_per_week, unit=self.unit,
            lead_time_days=self.lead_time_days, price_min=self.price_min, price_max=self.price_max,
            currency=self.currency, delivery_radius_km=self.delivery_radius_km, cross_border=self.cross_border,
            status=self.status,
        )
