"""How much each chosen partner delivers once the set of partners and the total are fixed (exact).

With the partners fixed, the cost is linear in the quantities with only bounds and one sum: give every
partner its minimum lot, then the rest to the cheapest first up to its capacity. That is optimal (an
exchange argument: moving a unit from a cheaper partner with room to a dearer one never helps), in
whole units, and in exact Decimal arithmetic, so the solver's floats never reach the result.
"""
from __future__ import annotations

from typing import Sequence

from services.hub.crossborder.allocation.prepare import Option


def distribute(partners: Sequence[Option], total: int) -> dict[str, int] | None:
    """offer_id -> quantity adding up to `total`, or None when the partners cannot deliver exactly it."""
    lots = sum(o.min_lot for o in partners)
    if total < lots or total > sum(o.capacity for o in partners):
        return None
    quantities = {o.offer_id: o.min_lot for o in partners}
    rest = total - lots
    for o in sorted(partners, key=lambda o: (o.unit_cost, o.offer_id)):
        more = min(rest, o.capacity - o.min_lot)
        quantities[o.offer_id] += more
        rest -= more
    return quantities
