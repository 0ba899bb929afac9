"""Why: each partner's reason and the shortfalls with their causes, as codes with parameters
(services.contracts.reasons): the hub stores and sends them so, and each reader words them in its
own language."""
from __future__ import annotations

from typing import Mapping

from services.contracts.reasons import reason
from services.hub.crossborder.allocation.model import Order, Share, Shortfall
from services.hub.crossborder.allocation.prepare import Option, Problem, fill_bound


def share_reason(o: Option, quantity: int, rank: int, eligible: int, cheaper_unused: int,
                 order: Order) -> dict:
    """Why this SE (its delivered unit cost and rank among the eligible candidates, and how many cheaper
    ones it was preferred to) and why this quantity (its whole capacity, its minimum lot, or the rest of
    the order after cheaper partners), as a code with the figures its wording needs."""
    c = o.candidate
    if quantity == c.capacity:
        code = "whole_capacity"
    elif quantity == o.min_lot and o.min_lot > 1:
        code = "minimum_lot"
    else:
        code = "rest_of_order"
    return reason(code, unit_cost_eur=format(o.unit_cost, "f"), rank=rank, eligible=eligible, capacity=c.capacity,
                  quantity=quantity, min_lot=o.min_lot, cheaper_unused=cheaper_unused,
                  label_required=order.label_required)


def build_shares(problem: Problem, quantities: Mapping[str, int], ranks: Mapping[str, int]) -> tuple[Share, ...]:
    chosen = [o for o in problem.all_options if quantities.get(o.offer_id, 0) > 0]  # cheapest first
    shares = []
    for o in chosen:
        rank = ranks[o.offer_id]
        cheaper_unused = rank - 1 - sum(1 for p in chosen if ranks[p.offer_id] < rank)
        q = quantities[o.offer_id]
        c = o.candidate
        shares.append(Share(c.offer_id, c.organisation_id, c.site, q, c.unit_price, c.currency, o.unit_cost,
                            o.unit_cost * q, share_reason(o, q, rank, len(ranks), cheaper_unused, problem.order)))
    return tuple(shares)


def shortfalls(problem: Problem, allocated: int, exact: bool) -> tuple[Shortfall, ...]:
    """Split what is missing among its causes, in this order (each takes what it can explain):
    label (capacity held only by unlabelled SEs), min_lot (SEs whose lot exceeds their capacity or the
    order), deadline (capacity of eligible SEs available only after it), capacity (the rest of what the
    eligible SEs lack together), partners (what the K largest cannot carry), lots_do_not_fit (minimum
    lots that do not fit together). The quantities add up to requested - allocated."""
    order = problem.order
    missing = order.quantity - allocated
    if missing <= 0:
        return ()
    out: list[Shortfall] = []
    lack = max(0, order.quantity - problem.all_eligible_capacity)
    eligible = {"eligible": len(problem.all_options), "eligible_capacity": problem.all_eligible_capacity,
                "requested": order.quantity}

    def take(code: str, available: int, **params) -> None:
        nonlocal lack
        part = min(lack, available)
        if part > 0:
            out.append(Shortfall(code, part, {"quantity": part, **params}))
            lack -= part

    unlabelled = sum(c.capacity for c in problem.unlabelled)
    take("label", unlabelled, candidates=len(problem.unlabelled), capacity=unlabelled, **eligible)
    too_big = sum(c.capacity for c in problem.unusable_min_lot)
    take("min_lot", too_big, candidates=len(problem.unusable_min_lot), capacity=too_big)
    take("deadline", problem.eligible_late_capacity, late_capacity=problem.eligible_late_capacity, **eligible)
    take("capacity", lack, **eligible)
    reachable = min(order.quantity, problem.all_eligible_capacity)
    bound = fill_bound(problem.options, order.quantity, order.max_partners)
    if reachable > bound:
        out.append(Shortfall("partners", reachable - bound,
                             {"quantity": reachable - bound, "max_partners": order.max_partners, "reachable": bound}))
    if bound > allocated:
        # exact False: the greedy allocation stopped there; an exact one might place more.
        out.append(Shortfall("lots_do_not_fit", bound - allocated,
                             {"quantity": bound - allocated, "remaining": bound - allocated, "exact": exact}))
    return tuple(out)
