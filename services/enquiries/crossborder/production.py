"""A forwarded part's production at its site: deliveries, the impact figures the SE reports, and the
impact and failure records they make. No I/O.

The impact figures are those of a local agreement (`lifecycle.impact.DeliveryReport`); they may come with
any delivery and the last one given wins, field by field, so the SE can report them as they become known.
When the part ends (delivered, or failed after some units were delivered) its impact is recorded from
them: the value paid defaults to the delivered units at the part's unit price, and is valued in EUR at
the federation's rate. The distance is what the SE reports: the site knows the delivery place only by
its NUTS-3 region, so there is no point to measure a great-circle distance to.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Mapping

from services.common.errors import Invalid, invalid
from services.contracts.reasons import reason
from services.enquiries.lifecycle.impact import CENT, DeliveryReport

ImpactFigures = DeliveryReport  # the same figures as a local agreement's delivery report
_NON_NEGATIVE = ("value_paid", "material_diverted_kg", "distance_km", "integration_hours")
_FLOATS = ("production_lat", "production_lon")


@dataclass(frozen=True)
class Delivery:
    """What the SE reports with one delivery: how many units, on which day, and any impact figures.
    `id`, when the caller chooses it, makes a retried report harmless: the part records it once."""

    quantity: int
    delivered_on: date
    figures: ImpactFigures = field(default_factory=ImpactFigures)
    id: str | None = None


@dataclass(frozen=True)
class DeliveryLine:
    """A delivery as the part keeps it."""

    id: str
    quantity: int
    delivered_on: date
    recorded_by: str
    recorded_at: datetime

    def event_data(self) -> dict:
        return {"delivery_id": self.id, "quantity": self.quantity, "delivered_on": self.delivered_on}


def check_delivery(delivery: Delivery, open_quantity: int, today: date) -> None:
    """422 at the field: a quantity below 1 or above what is still open, a date in the future."""
    if isinstance(delivery.quantity, bool) or not isinstance(delivery.quantity, int) or delivery.quantity < 1:
        raise invalid("quantity", "must be a whole number of at least 1")
    if delivery.quantity > open_quantity:
        raise invalid("quantity", f"only {open_quantity} still open")
    if delivery.delivered_on > today:
        raise invalid("delivered_on", "must not be in the future")
    check_figures(delivery.figures)


def check_figures(figures: ImpactFigures) -> None:
    errors = {name: ["must not be negative"] for name in _NON_NEGATIVE
              if getattr(figures, name) is not None and getattr(figures, name) < 0}
    if figures.regional_share is not None and not 0 <= figures.regional_share <= 1:
        errors["regional_share"] = ["between 0 and 1"]
    if errors:
        raise Invalid("the impact figures are invalid; see errors", errors)


def merge_figures(kept: ImpactFigures, given: ImpactFigures | None) -> ImpactFigures:
    """The kept figures with every figure now given replacing its earlier value."""
    if given is None:
        return kept
    return dataclasses.replace(kept, **{k: v for k, v in vars(given).items() if v is not None})


def figures_as_json(figures: ImpactFigures) -> dict:
    return {k: (v if k in _FLOATS or v is None else str(v)) for k, v in vars(figures).items() if v is not None}


def figures_from_json(values: Mapping | None) -> ImpactFigures:
    values = dict(values or {})
    return ImpactFigures(**{k: (v if k in _FLOATS or k == "production_nuts3" else Decimal(v))
                            for k, v in values.items()})


def impact(delivered: int, unit_price: Decimal, currency: str, figures: ImpactFigures,
           rates_to_eur: Mapping[str, Decimal], now: datetime) -> dict:
    """The impact of `delivered` units (the contract's PartImpactData, amounts as decimal strings)."""
    rate = rates_to_eur.get(currency)
    if rate is None:
        raise Invalid(f"no EUR rate is configured for {currency}", {"currency": [f"no rate for {currency}"]})
    value_paid = figures.value_paid if figures.value_paid is not None else delivered * unit_price
    value_paid = Decimal(value_paid).quantize(CENT, ROUND_HALF_UP)

    def text(value):
        return None if value is None else str(value)

    return {"year": now.year, "value_paid": str(value_paid), "currency": currency,
            "value_paid_eur": str((value_paid * rate).quantize(CENT, ROUND_HALF_UP)),
            "material_diverted_kg": text(figures.material_diverted_kg), "regional_share": text(figures.regional_share),
            "distance_km": text(figures.distance_km), "production_nuts3": figures.production_nuts3,
            "integration_hours": text(figures.integration_hours)}


def failure(cause: str, quantity: int, delivered: int) -> dict:
    """A failure after acceptance as a reason code (services.contracts.reasons.FAILURE_CAUSES)."""
    return reason(cause, quantity=quantity, delivered=delivered, missing=quantity - delivered)
