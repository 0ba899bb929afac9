"""The network's impact policy, from the federation file's `impact:` section (deploy/federation.yaml).

- `suppression_min_deals`: the public comparison and the open data show no cell stating fewer deals than
  this (default 3), so that no single deal's price or volume can be read off;
- `social_value`: proxies that put a money value beside a raw figure, per country: the value of an hour of
  work-integration employment, for example. Each names its source and year. A proxy applies to the work of
  a social enterprise of a site in its country.

Part of the contract because the sites (a client's and a social enterprise's report) and the hub (the
comparison) value alike. `social_value` is pure: it multiplies, converts at the federation's rates, and
rounds once, to the cent, per line.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Mapping

from services.common.config import Federation

CENT = Decimal("0.01")
# The raw figures a proxy may value: their unit is the proxy's "per".
VALUED_FIGURES = ("integration_hours", "material_diverted_kg")


@dataclass(frozen=True)
class Proxy:
    country: str  # ISO 3166 alpha-2, as the sites' `country`
    figure: str  # one of VALUED_FIGURES
    value: Decimal  # money per unit of the figure (an hour, a kg)
    currency: str
    source: str
    year: int
    url: str | None = None


@dataclass(frozen=True)
class ValuedLine:
    """A raw figure of one country, valued by its proxy: `quantity` × `proxy.value`, and that in EUR."""

    proxy: Proxy
    quantity: Decimal
    value: Decimal  # in the proxy's currency, to the cent
    value_eur: Decimal  # at the federation's rate, to the cent


@dataclass(frozen=True)
class ImpactPolicy:
    suppression_min_deals: int = 3
    proxies: tuple[Proxy, ...] = ()

    @classmethod
    def of(cls, federation: Federation) -> "ImpactPolicy":
        raw = federation.impact or {}
        minimum = int(raw.get("suppression_min_deals", cls.suppression_min_deals))
        if minimum < 1:
            raise ValueError(f"impact.suppression_min_deals must be at least 1, not {minimum}")
        proxies = tuple(_proxy(entry, federation.rates_to_eur) for entry in raw.get("social_value") or ())
        seen = [(p.country, p.figure) for p in proxies]
        if len(seen) != len(set(seen)):
            raise ValueError("impact.social_value: one proxy per country and figure")
        return cls(suppression_min_deals=minimum, proxies=proxies)

    def proxy(self, country: str, figure: str) -> Proxy | None:
        return next((p for p in self.proxies if p.country == country and p.figure == figure), None)


def _proxy(entry: Mapping, rates_to_eur: Mapping[str, Decimal]) -> Proxy:
    figure, currency = entry["figure"], entry["currency"]
    if figure not in VALUED_FIGURES:
        raise ValueError(f"impact.social_value: figure must be one of {', '.join(VALUED_FIGURES)}, not {figure!r}")
    if currency not in rates_to_eur:
        raise ValueError(f"impact.social_value: no rate to EUR for {currency!r} (rates_to_eur)")
    value = Decimal(str(entry["value"]))
    if value < 0:
        raise ValueError(f"impact.social_value: a negative value ({value}) for {entry['country']} {figure}")
    return Proxy(country=str(entry["country"]), figure=figure, value=value, currency=currency,
                 source=str(entry["source"]), year=int(entry["year"]), url=entry.get("url") or None)


def social_value(quantities: Mapping[tuple[str, str], Decimal], policy: ImpactPolicy,
                 rates_to_eur: Mapping[str, Decimal]) -> list[ValuedLine]:
    """One line per (country, figure) of `quantities` that has a proxy, in the policy's order. A figure of
    a country without a proxy is not valued (and not guessed from another country's)."""
    lines = []
    for proxy in policy.proxies:
        quantity = quantities.get((proxy.country, proxy.figure))
        if quantity is None:
            continue
        value = (quantity * proxy.value).quantize(CENT, ROUND_HALF_UP)
        lines.append(ValuedLine(proxy, quantity, value,
                                (quantity * proxy.value * rates_to_eur[proxy.currency]).quantize(CENT, ROUND_HALF_UP)))
    return lines
