"""Why: each partner's reason, the shortfalls with their causes, and the allocation's summary lines."""
from __future__ import annotations

from decimal import Decimal
from typing import Mapping

from services.hub.crossborder.allocation.model import Candidate, Order, Share, Shortfall
from services.hub.crossborder.allocation.prepare import Option, Problem, fill_bound


def _n(units: int) -> str:
    return f"{units:,}"


def _eur(amount: Decimal, places: int = 2) -> str:
    return f"{amount:,.{places}f} EUR"


def price_text(c: Candidate, order: Order, rates_to_eur: Mapping[str, Decimal]) -> str:
    transport = f"{c.distance_km:g} km x {order.transport_eur_per_unit_km} EUR/unit/km"
    if c.currency == "EUR":
        return f"{c.unit_price} EUR + {transport}"
    return f"{c.unit_price} {c.currency} at {rates_to_eur[c.currency]} EUR/{c.currency} + {transport}"


def share_reason(o: Option, quantity: int, rank: int, eligible: int, cheaper_unused: int, order: Order,
                 rates_to_eur: Mapping[str, Decimal], exact: bool) -> str:
    """Why this SE (its delivered unit cost and rank, or what made it worth more than cheaper ones), and
    why this quantity (its capacity, its lot, or the rest after cheaper partners)."""
    c = o.candidate
    why = (f"{_eur(o.unit_cost, 4)} per delivered unit ({price_text(c, order, rates_to_eur)}), "
           f"number {rank} of {eligible} eligible candidates by delivered unit cost")
    if order.label_required:
        why += ", holds a valid quality label (required)"
    if cheaper_unused and exact:
        why += (f"; preferred to {cheaper_unused} cheaper candidate(s) because with its {_n(c.capacity)} units the "
                f"consortium delivers the most at the lowest total cost, counting {_eur(order.partner_fixed_eur)} "
                f"fixed cost per partner, the limit of {order.max_partners} partners and the minimum lots")
    elif cheaper_unused:
        why += (f"; preferred to {cheaper_unused} cheaper candidate(s) because its part has a lower average cost "
                f"per unit once its {_eur(order.partner_fixed_eur)} fixed cost is spread over it, or because the "
                f"rest of the order stays coverable within {order.max_partners} partners")
    if quantity == c.capacity:
        how = f"delivers its whole capacity of {_n(c.capacity)} units before the deadline"
    elif quantity == o.min_lot and o.min_lot > 1:
        how = (f"delivers its minimum lot of {_n(o.min_lot)} units (capacity {_n(c.capacity)}); "
               f"cheaper partners take the rest")
    else:
        how = (f"delivers {_n(quantity)} of its {_n(c.capacity)} units: "
               f"what the order still needs after cheaper partners")
    return f"{why}. It {how}."


def build_shares(problem: Problem, quantities: Mapping[str, int], rates_to_eur: Mapping[str, Decimal],
                 ranks: Mapping[str, int], exact: bool) -> tuple[Share, ...]:
    chosen = [o for o in problem.all_options if quantities.get(o.offer_id, 0) > 0]  # cheapest first
    shares = []
    for o in chosen:
        rank = ranks[o.offer_id]
        cheaper_unused = rank - 1 - sum(1 for p in chosen if ranks[p.offer_id] < rank)
        q = quantities[o.offer_id]
        c = o.candidate
        shares.append(Share(c.offer_id, c.organisation_id, c.site, q, c.unit_price, c.currency, o.unit_cost,
                            o.unit_cost * q, share_reason(o, q, rank, len(ranks), cheaper_unused, problem.order,
                                                          rates_to_eur, exact)))
    return tuple(shares)


def shortfalls(problem: Problem, allocated: int, exact: bool) -> tuple[Shortfall, ...]:
    """Split what is missing among its causes, in this order (each takes what it can explain):
    label (capacity held only by unlabelled SEs), min_lot (SEs whose lot exceeds their capacity or the
    order), deadline (capacity of eligible SEs available only after it), capacity (the rest of what the
    eligible SEs lack together), partners (what the K largest cannot carry), min_lot (lots that do not
    fit together). The quantities add up to requested - allocated."""
    order = problem.order
    missing = order.quantity - allocated
    if missing <= 0:
        return ()
    out: list[Shortfall] = []
    lack = max(0, order.quantity - problem.all_eligible_capacity)

    def take(reason: str, available: int, detail: str) -> None:
        nonlocal lack
        part = min(lack, available)
        if part > 0:
            out.append(Shortfall(reason, part, detail))
            lack -= part

    eligible_text = (f"the {len(problem.all_options)} eligible candidates can deliver "
                     f"{_n(problem.all_eligible_capacity)} of {_n(order.quantity)} units before the deadline together")
    unlabelled = sum(c.capacity for c in problem.unlabelled)
    take("label", unlabelled, f"{_n(unlabelled)} units could come from {len(problem.unlabelled)} SE(s) without a "
                              f"valid quality label, which this order requires; {eligible_text}")
    too_big = sum(c.capacity for c in problem.unusable_min_lot)
    take("min_lot", too_big, f"{len(problem.unusable_min_lot)} SE(s) with {_n(too_big)} units have a minimum lot "
                             f"above their capacity or above the order")
    take("deadline", problem.eligible_late_capacity,
         f"{_n(problem.eligible_late_capacity)} more units could be delivered only after the deadline (lead times); "
         f"{eligible_text}")
    take("capacity", lack, eligible_text)
    reachable = min(order.quantity, problem.all_eligible_capacity)
    bound = fill_bound(problem.options, order.quantity, order.max_partners)
    if reachable > bound:
        out.append(Shortfall("partners", reachable - bound,
                             f"with at most {order.max_partners} partners the largest capacities add up to "
                             f"{_n(bound)} units"))
    if bound > allocated:
        detail = (f"the minimum lots of the candidates do not fit together into the remaining "
                  f"{_n(bound - allocated)} units")
        if not exact:
            detail += " (greedy allocation: an exact one might place more)"
        out.append(Shortfall("min_lot", bound - allocated, detail))
    return tuple(out)
