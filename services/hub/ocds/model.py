"""What the OCDS builder (`release`, `contracts`) reads: a cross-border order, its parts, their deliveries
and failures, as plain values (`orders` loads them from the hub's store)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

# A part's states as the builder sees them (a part withdrawn with its order is "superseded").
AWAITED = "forwarded"
CONTRACTED = ("accepted", "in_production", "delivered", "failed")  # the target site accepted it
STARTED = ("in_production", "delivered", "failed")  # its implementation has begun (or ended)
LIVE = (AWAITED, "accepted", "in_production", "delivered")  # holds its share of the order


@dataclass(frozen=True)
class OcdsDelivery:
    """One delivery of a part, as its site recorded it."""
    delivery_id: str
    quantity: int
    delivered_on: date


@dataclass(frozen=True)
class OcdsFailure:
    """Why an accepted part ended without its whole quantity: a failure cause of services.contracts.reasons
    (se_withdrew, delivered_short, deadline_missed), when, and how many units are missing."""
    cause: str
    at: datetime
    missing: int


@dataclass(frozen=True)
class OcdsPart:
    """One part of the consortium, forwarded to the site of its social enterprise."""
    part_id: str
    site: str
    organisation_id: str
    organisation_name: str | None
    organisation_nuts3: str | None
    offer_id: str
    quantity: int
    unit_price: Decimal
    currency: str
    status: str  # forwarded | accepted | in_production | delivered | failed | declined | superseded
    forwarded_at: datetime
    answered_at: datetime | None
    labelled: bool
    label_number: str | None
    workers_in_integration: int | None = None
    uri: str | None = None  # where the part can be read at its target site, when the hub knows it
    deliveries: tuple[OcdsDelivery, ...] = ()
    failure: OcdsFailure | None = None

    @property
    def delivered(self) -> int:
        return sum(d.quantity for d in self.deliveries)

    @property
    def was_accepted(self) -> bool:
        """Accepted at some point: a part withdrawn after acceptance has an answer time but no decline."""
        return self.status in CONTRACTED or (self.status == "superseded" and self.answered_at is not None)


@dataclass(frozen=True)
class OcdsOrder:
    """A cross-border order brokered by the hub."""
    order_id: str
    origin_site: str
    enquiry_id: str
    enquiry_reference: str
    title: str
    enquiry_type: str
    cpv_codes: list[str]
    quantity: int
    unit: str | None
    deadline: date | None
    delivery_nuts3: str | None
    budget: Decimal | None
    currency: str
    label_required: bool
    status: str  # allocating | forwarded | agreed | short | in_production | delivered | cancelled
    created_at: datetime
    updated_at: datetime
    parts: tuple[OcdsPart, ...]
    client_kind: str | None = None  # economic_enterprise | public_institution (never a person)
