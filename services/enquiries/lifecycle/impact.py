"""The impact record of a delivered agreement, in the four dimensions of DESIGN.md §4. No I/O.

- economic: the value paid to the social enterprise, and its EUR value at the federation's rate;
- ecological: material diverted from waste (kg), and the share of regional primary products (0..1);
- regional: the distance from production to the delivery place (km), and the region of production;
- social: hours of work done by people in integration.

The record keeps the figures it was computed from (`basis`): which amount and rate, which points the
distance was measured between, so a figure at the hub can be traced back to its source.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from services.common.errors import Invalid
from services.common.events import Aggregate
from services.contracts.events.enquiries import ImpactRecorded
from services.enquiries.lifecycle.deals import Agreement
from services.enquiries.lifecycle.values import Delivery

CENT = Decimal("0.01")
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class DeliveryReport:
    """What the broker reports when an agreement is delivered. Every figure is optional except where
    the agreement already knows it (the value paid defaults to the agreed price)."""

    value_paid: Decimal | None = None
    material_diverted_kg: Decimal | None = None
    regional_share: Decimal | None = None
    distance_km: Decimal | None = None
    production_nuts3: str | None = None
    production_lat: float | None = None
    production_lon: float | None = None
    integration_hours: Decimal | None = None


@dataclass
class ImpactRecord(Aggregate):
    id: str
    agreement_id: str
    enquiry_id: str
    year: int
    value_paid: Decimal
    currency: str
    value_paid_eur: Decimal
    material_diverted_kg: Decimal | None
    regional_share: Decimal | None
    distance_km: Decimal | None
    production_nuts3: str | None
    integration_hours: Decimal | None
    recorded_at: datetime
    basis: dict = field(default_factory=dict)

    def event_data(self) -> dict:
        return dict(agreement_id=self.agreement_id, enquiry_id=self.enquiry_id, year=self.year,
                    value_paid=self.value_paid, currency=self.currency, value_paid_eur=self.value_paid_eur,
                    material_diverted_kg=self.material_diverted_kg, regional_share=self.regional_share,
                    distance_km=self.distance_km, production_nuts3=self.production_nuts3,
                    integration_hours=self.integration_hours)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> Decimal:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))
    return Decimal(str(round(km, 1)))


def _distance(report: DeliveryReport, delivery: Delivery) -> tuple[Decimal | None, dict]:
    if report.distance_km is not None:
        return report.distance_km, {"source": "reported"}
    if None not in (report.production_lat, report.production_lon, delivery.lat, delivery.lon):
        km = great_circle_km(report.production_lat, report.production_lon, delivery.lat, delivery.lon)
        return km, {"source": "great_circle", "from": [report.production_lat, report.production_lon],
                    "to": [delivery.lat, delivery.lon]}
    return None, {"source": "unknown"}


def record_impact(*, id: str, agreement: Agreement, delivery: Delivery, report: DeliveryReport,
                  rates_to_eur: dict[str, Decimal], now: datetime) -> ImpactRecord:
    currency = agreement.terms.currency
    rate = rates_to_eur.get(currency)
    if rate is None:
        raise Invalid(f"no EUR rate is configured for {currency}", {"currency": [f"no rate for {currency}"]})
    if report.regional_share is not None and not 0 <= report.regional_share <= 1:
        raise Invalid("regional_share: a share between 0 and 1", {"regional_share": ["between 0 and 1"]})
    value_paid = report.value_paid if report.value_paid is not None else agreement.terms.price
    distance, distance_basis = _distance(report, delivery)
    record = ImpactRecord(
        id=id, agreement_id=agreement.id, enquiry_id=agreement.enquiry_id, year=now.year, value_paid=value_paid,
        currency=currency, value_paid_eur=(value_paid * rate).quantize(CENT, ROUND_HALF_UP),
        material_diverted_kg=report.material_diverted_kg, regional_share=report.regional_share,
        distance_km=distance, production_nuts3=report.production_nuts3,
        integration_hours=report.integration_hours, recorded_at=now,
        basis={
            "value_paid": {"amount": str(value_paid), "currency": currency,
                           "source": "reported" if report.value_paid is not None else "agreed price",
                           "agreed_price": str(agreement.terms.price)},
            "rate_to_eur": str(rate),
            "distance": distance_basis,
            "agreement": {"quantity": str(agreement.terms.quantity), "unit": agreement.terms.unit,
                          "proposal_revision": agreement.proposal_revision},
            "reported": {k: (str(v) if v is not None else None) for k, v in vars(report).items()},
        },
    )
    record._record(ImpactRecorded(**record.event_data()))
    return record
