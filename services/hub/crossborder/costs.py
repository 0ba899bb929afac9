"""What a partner costs the hub's allocation beyond its price, from the federation file's `consortium`."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from services.common.config import Settings


@dataclass(frozen=True)
class CostModel:
    """What a partner costs beyond its price: transport per unit and km, and a fixed cost per partner."""

    transport_eur_per_unit_km: Decimal = Decimal("0.001")
    partner_fixed_eur: Decimal = Decimal("150")
    time_limit_seconds: float = 5.0

    @classmethod
    def from_settings(cls, settings: Settings) -> "CostModel":
        given = settings.federation.consortium
        defaults = cls()
        return cls(
            transport_eur_per_unit_km=Decimal(str(given.get("transport_eur_per_unit_km",
                                                            defaults.transport_eur_per_unit_km))),
            partner_fixed_eur=Decimal(str(given.get("partner_fixed_eur", defaults.partner_fixed_eur))),
            time_limit_seconds=float(given.get("time_limit_seconds", defaults.time_limit_seconds)),
        )
