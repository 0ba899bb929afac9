"""The figures of one node of the impact comparison (a site, country or the network, in a year or all
years): what adds up, and the means derived from it."""
from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal

ZERO = Decimal(0)
# The sums the comparison adds (and suppression protects); the means' sums are among them, because a
# published mean times its records would give them back.
SUMS = ("value_paid_eur", "integration_hours", "material_diverted_kg", "regional_share_sum", "distance_km_sum")


@dataclass(frozen=True)
class Figures:
    deals: int = 0
    value_paid_eur: Decimal = ZERO
    integration_hours: Decimal = ZERO
    material_diverted_kg: Decimal = ZERO
    regional_share_sum: Decimal = ZERO
    regional_share_records: int = 0  # the deals that state a regional share
    distance_km_sum: Decimal = ZERO
    distance_records: int = 0  # the deals that state a distance

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    @property
    def regional_share_mean(self) -> Decimal | None:
        return (self.regional_share_sum / self.regional_share_records).quantize(Decimal("0.0001")) \
            if self.regional_share_records else None

    @property
    def distance_km_mean(self) -> Decimal | None:
        if not self.distance_records:
            return None
        return (self.distance_km_sum / self.distance_records).quantize(Decimal("0.1"))

    @property
    def all_sums_positive(self) -> bool:
        return all(getattr(self, name) > 0 for name in SUMS)


def total(parts) -> Figures:
    result = Figures()
    for part in parts:
        result = result + part
    return result
