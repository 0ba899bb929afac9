"""allocate (exact, with a time limit and the greedy fallback) and allocate_greedy (the baseline).

Lexicographic: first the largest quantity the constraints allow (at most the order's), then the
lowest cost at that quantity. Never over-filled; every capacity, minimum lot and the partner limit hold.
"""
from __future__ import annotations

import math
import time
from decimal import Decimal
from typing import Collection, Mapping, Sequence

from services.hub.crossborder.allocation import milp
from services.hub.crossborder.allocation.explain import build_shares, shortfalls
from services.hub.crossborder.allocation.greedy import greedy_quantities
from services.hub.crossborder.allocation.model import Allocation, Candidate, Order
from services.hub.crossborder.allocation.prepare import Problem, fill_certificate, prepare
from services.hub.crossborder.allocation.quantities import distribute


def allocate(order: Order, candidates: Sequence[Candidate], rates_to_eur: Mapping[str, Decimal], *,
             time_limit: float = 5.0, exclude: Collection[str] = ()) -> Allocation:
    """The cheapest consortium delivering the most, solved exactly with scipy's milp (HiGHS).

    `time_limit` (seconds) bounds the solver; with no solution in time, or one failing the exact
    check, the greedy allocation is returned with status 'fallback' and the reason in `explanation`.
    """
    started = time.perf_counter()
    if not time_limit > 0:
        raise ValueError(f"time_limit must be > 0 seconds, got {time_limit!r}")
    problem = prepare(order, candidates, rates_to_eur, exclude)
    k = order.max_partners
    notes = []
    if len(problem.options) < len(problem.all_options):
        notes.append(f"{len(problem.options):,} of the {len(problem.all_options):,} eligible candidates kept for the "
                     f"solver; each of the others has at least {k} cheaper ones with as much capacity and no larger "
                     f"minimum lot, so an optimal consortium never needs it.")
    if not problem.options:
        return _result(problem, {}, "milp", "empty", None, rates_to_eur, started, notes)
    fill = fill_certificate(problem.options, order.quantity, k)
    stage1_status = "optimal"
    if fill is None:
        stage1 = milp.max_fill(problem.options, order.quantity, k, time_limit / 2)
        if stage1.status is None:
            return _fallback(problem, rates_to_eur, started,
                             f"no usable largest quantity from the solver ({stage1.message})")
        fill, stage1_status = stage1.fill, stage1.status
        notes.append(f"With the minimum lots the largest quantity was not obvious: the solver first found it, "
                     f"{fill:,} units" + (" (time limit reached: a larger one may exist)."
                                          if stage1.status == "time_limit" else "."))
    if fill == 0:
        return _result(problem, {}, "milp", "empty", None, rates_to_eur, started, notes)
    stage2 = milp.min_cost(problem.options, fill, k, order.partner_fixed_eur,
                           time_limit - (time.perf_counter() - started))
    if stage2.status is None:
        return _fallback(problem, rates_to_eur, started, f"no solution in time ({stage2.message})")
    quantities = distribute(stage2.partners, fill)
    if quantities is None or len(stage2.partners) > k:
        return _fallback(problem, rates_to_eur, started,
                         "the solver's solution failed the exact check of the constraints")
    status = "optimal" if stage1_status == stage2.status == "optimal" else "time_limit"
    if status == "time_limit":
        greedy = greedy_quantities(problem.all_options, order.quantity, k, order.partner_fixed_eur)
        if _better(problem, greedy, quantities):
            return _fallback(problem, rates_to_eur, started, "the time limit stopped the solver at a solution "
                                                               "worse than the greedy one", greedy)
    gap = stage2.gap if stage2.gap is not None and math.isfinite(stage2.gap) else None  # HiGHS: inf at a zero objective
    return _result(problem, quantities, "milp", status, gap, rates_to_eur, started, notes)


def allocate_greedy(order: Order, candidates: Sequence[Candidate], rates_to_eur: Mapping[str, Decimal], *,
                    exclude: Collection[str] = ()) -> Allocation:
    """The greedy baseline on every eligible candidate (see greedy.py): fast, no optimality claim, so its
    status is 'fallback' (or 'empty' when nothing can be allocated) and its gap None."""
    started = time.perf_counter()
    problem = prepare(order, candidates, rates_to_eur, exclude, reduce=False)
    quantities = greedy_quantities(problem.all_options, order.quantity, order.max_partners, order.partner_fixed_eur)
    status = "fallback" if quantities else "empty"
    return _result(problem, quantities, "greedy", status, None, rates_to_eur, started,
                   ["Greedy: partners added by lowest average cost per unit (fixed cost included) while the rest "
                    "stays coverable; no optimality claim."])


def _fallback(problem: Problem, rates_to_eur, started: float, why: str, quantities=None) -> Allocation:
    order = problem.order
    if quantities is None:
        quantities = greedy_quantities(problem.all_options, order.quantity, order.max_partners, order.partner_fixed_eur)
    return _result(problem, quantities, "greedy", "fallback" if quantities else "empty", None, rates_to_eur, started,
                   [f"Fell back to the greedy allocation: {why}."])


def _cost(problem: Problem, quantities: Mapping[str, int]) -> Decimal:
    unit = {o.offer_id: o.unit_cost for o in problem.all_options}
    partners = sum(1 for q in quantities.values() if q > 0)
    return sum((unit[i] * q for i, q in quantities.items()), Decimal(0)) + problem.order.partner_fixed_eur * partners


def _better(problem: Problem, a: Mapping[str, int], b: Mapping[str, int]) -> bool:
    """a delivers more than b, or as much for less."""
    return (-sum(a.values()), _cost(problem, a)) < (-sum(b.values()), _cost(problem, b))


def _result(problem: Problem, quantities: Mapping[str, int], method: str, status: str, gap: float | None,
            rates_to_eur, started: float, notes: list[str]) -> Allocation:
    order = problem.order
    ranks = {o.offer_id: i for i, o in enumerate(problem.all_options, start=1)}
    shares = build_shares(problem, quantities, ranks)
    allocated = sum(s.quantity for s in shares)
    units_cost = sum((s.cost_eur for s in shares), Decimal(0))
    total = units_cost + order.partner_fixed_eur * len(shares)
    missing = order.quantity - allocated
    sites = sorted({s.site for s in shares})
    lines = [f"Requested {order.quantity:,} units; allocated {allocated:,} to {len(shares)} partner(s)"
             + (f" at {', '.join(sites)}" if sites else "") + (f"; missing {missing:,}." if missing else "."),
             _method_line(method, status, gap),
             f"Cost {total:,.2f} EUR: {units_cost:,.2f} EUR for the units (price at the EUR rate plus "
             f"{order.transport_eur_per_unit_km} EUR per unit and km) + {len(shares)} x {order.partner_fixed_eur} EUR "
             f"per partner.",
             _considered_line(problem), *notes]
    rates = sorted({s.currency for s in shares} - {"EUR"})
    if rates:
        lines.append("Rates: " + ", ".join(f"1 {c} = {rates_to_eur[c]} EUR" for c in rates) + ".")
    return Allocation(shares, order.quantity, allocated, missing, shortfalls(problem, allocated, method == "milp"),
                      total, method, status, gap, tuple(lines), len(problem.options),
                      round(time.perf_counter() - started, 6))


def _method_line(method: str, status: str, gap: float | None) -> str:
    if method == "milp" and status == "optimal":
        return f"Solved exactly with scipy.optimize.milp (HiGHS): proven optimal (gap {gap or 0:.2e})."
    if method == "milp" and status == "time_limit":
        return (f"Solved with scipy.optimize.milp (HiGHS) up to the time limit: best found, "
                f"optimality gap {gap or 0:.2%}.")
    if status == "empty":
        return "Nothing could be allocated."
    return "Allocated greedily (no optimality claim)."


def _considered_line(problem: Problem) -> str:
    parts = [f"{len(problem.all_options):,} eligible candidate(s)"]
    if problem.excluded:
        ids = ", ".join(c.offer_id for c in problem.excluded[:5]) + (", ..." if len(problem.excluded) > 5 else "")
        parts.append(f"{len(problem.excluded)} excluded on request ({ids})")
    if problem.unlabelled:
        parts.append(f"{len(problem.unlabelled)} without the required quality label")
    if problem.unusable_min_lot:
        parts.append(f"{len(problem.unusable_min_lot)} with a minimum lot above their capacity or the order")
    return "Considered " + "; ".join(parts) + "."
