"""The values of the consortium allocation: what goes in (an order, candidates) and what comes out.

Money is Decimal (EUR after conversion at the configured rates), quantities are whole units. Floats
appear only inside the solver (milp.py) and for distances.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Literal

ShortfallCode = Literal["capacity", "deadline", "label", "partners", "min_lot", "lots_do_not_fit"]
Method = Literal["milp", "greedy"]
Status = Literal["optimal", "time_limit", "fallback", "empty"]


@dataclass(frozen=True)
class Candidate:
    """A social enterprise's offer that could take part in a consortium."""

    offer_id: str
    organisation_id: str
    site: str
    capacity: int  # whole units it can still deliver before the deadline (already net of commitments)
    unit_price: Decimal  # in `currency`
    currency: str  # ISO code, converted with rates_to_eur
    distance_km: float  # from the SE to the delivery place
    labelled: bool = False  # holds a valid quality label for this kind of work
    min_lot: int = 1  # if it takes part, it delivers at least this many units
    late_capacity: int = 0  # units it could deliver only after the deadline: explains shortfalls as 'deadline'


@dataclass(frozen=True)
class Order:
    quantity: int  # > 0
    label_required: bool = False  # unlabelled candidates are excluded
    max_partners: int = 5
    transport_eur_per_unit_km: Decimal = Decimal("0.001")
    partner_fixed_eur: Decimal = Decimal("150")  # fixed cost for each partner added


@dataclass(frozen=True)
class Share:
    """One partner's part: how much it delivers, at what cost, and why."""

    offer_id: str
    organisation_id: str
    site: str
    quantity: int
    unit_price: Decimal
    currency: str
    unit_cost_eur: Decimal  # unit_price x rate + distance x transport rate (exact)
    cost_eur: Decimal  # quantity x unit_cost_eur (exact; the partner's fixed cost is in the total only)
    reason: dict  # why this SE, why this quantity: {"code", "params"} (services.contracts.reasons)


@dataclass(frozen=True)
class Shortfall:
    """Units the allocation could not place, and why: a code of services.contracts.reasons with the
    figures its wording needs (`params` holds `quantity` too)."""

    code: ShortfallCode
    quantity: int
    params: dict


@dataclass(frozen=True)
class Allocation:
    shares: tuple[Share, ...]
    requested: int
    allocated: int
    missing: int
    shortfalls: tuple[Shortfall, ...]
    total_cost_eur: Decimal  # sum of the shares' costs + partner_fixed_eur per partner
    method: Method
    status: Status
    gap: float | None  # HiGHS's relative MIP gap; 0.0 when proven optimal; None for greedy
    explanation: tuple[str, ...]  # the solver's diagnostics in English, for logs and benchmarks; never stored
    candidates_considered: int = 0  # eligible candidates after exclusion, label filter and reduction
    solve_seconds: float = 0.0

    @property
    def partners(self) -> int:
        return len(self.shares)

    def to_dict(self) -> dict:
        """JSON-ready: Decimals as strings, tuples as lists."""
        return _jsonable(asdict(self))


def _jsonable(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
