"""The enquiry's value objects: its client (and the person acting for it), delivery place, and the
residual material of a recycling or upcycling enquiry. No I/O."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class Contact:
    """Personal data of the person acting for the client: stays at the site, never in events."""

    name: str
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Client:
    kind: str  # an organisation kind, or `anonymous` for a first contact a broker takes over
    organisation_id: str | None = None
    contact: Contact | None = None


@dataclass(frozen=True)
class Delivery:
    nuts3: str | None = None
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class ResidualMaterial:
    """For recycling or upcycling: what the client's residual material is, how much, how often."""

    material: str
    amount: Decimal
    unit: str
    frequency: str


@dataclass(frozen=True)
class PublicText:
    """The title and description as they may leave the site: a broker's approved version of what the
    client typed (which may name a person), or what staff typed themselves."""

    title: str
    description: str | None
    approved_by: str
    approved_at: datetime
