"""The greedy baseline and fallback (pure, no I/O).

Aim at the most that can be delivered ignoring minimum lots (`fill_bound`). Then, up to the partner
limit, repeatedly add the candidate with the lowest average cost per unit for the part it would take
(min(capacity, rest), its fixed partner cost spread over that part), among those that keep the rest
coverable by the largest capacities in the slots left. Taking the largest capacity always keeps the
rest coverable, so without binding minimum lots the greedy reaches the bound; with them it may stop
short. The chosen partners' quantities are then set exactly (`distribute`).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from services.hub.crossborder.allocation.prepare import Option, fill_bound
from services.hub.crossborder.allocation.quantities import distribute


def greedy_partners(options: Sequence[Option], quantity: int, max_partners: int,
                    partner_fixed_eur: Decimal) -> tuple[list[Option], int]:
    """(chosen partners, total they deliver)."""
    rest = fill_bound(options, quantity, max_partners)
    pool = set(range(len(options)))
    by_capacity = sorted(pool, key=lambda i: -options[i].capacity)
    chosen: list[Option] = []
    delivered = 0
    while rest > 0 and len(chosen) < max_partners and pool:
        slots_after = max_partners - len(chosen) - 1
        top = [i for i in by_capacity if i in pool][:slots_after + 1]
        top_without_last = set(top[:slots_after])
        cover_without_self = sum(options[i].capacity for i in top[:slots_after])
        cover_if_in_top = cover_without_self + (options[top[slots_after]].capacity if len(top) > slots_after else 0)
        best, best_key = None, None
        for i in pool:
            o = options[i]
            part = min(o.capacity, rest)
            if part < o.min_lot:
                continue
            cover = cover_if_in_top - o.capacity if i in top_without_last else cover_without_self
            if rest - part > cover:
                continue  # taking it would leave more than the remaining slots can carry
            key = ((o.unit_cost * part + partner_fixed_eur) / part, -part, i)
            if best_key is None or key < best_key:
                best, best_key = i, key
        if best is None:
            break
        part = min(options[best].capacity, rest)
        chosen.append(options[best])
        pool.remove(best)
        delivered += part
        rest -= part
    return chosen, delivered


def greedy_quantities(options: Sequence[Option], quantity: int, max_partners: int,
                      partner_fixed_eur: Decimal) -> dict[str, int]:
    chosen, delivered = greedy_partners(options, quantity, max_partners, partner_fixed_eur)
    return distribute(chosen, delivered) or {}
