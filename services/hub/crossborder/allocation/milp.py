"""The exact model, solved with scipy.optimize.milp (HiGHS).

Variables: x_i (units from option i, 0..u_i) and y_i (binary: i is a partner). Constraints:
    x_i <= u_i y_i,  x_i >= lot_i y_i,  sum y_i <= max_partners,
    stage 1: sum x_i <= quantity, maximise sum x_i           (only when the bound is not certified)
    stage 2: sum x_i == fill,     minimise sum c_i x_i + fixed * sum y_i
Numerics: costs are converted to EUR before they get here, so HUF and EUR prices are of one
magnitude; u_i is capped at the quantity (stage 2: at the fill) to keep x_i <= u_i y_i tight.

x is continuous, which is exact: once y is fixed, what is left is a linear programme with bounds and
one sum over integer data, whose optimum is reached in whole units (quantities.distribute constructs
it). Only y is read from the solver (HiGHS's tolerances could let a fraction of a unit through with
y_i ~ 1e-7, which rounding y ignores); quantities and costs are recomputed exactly from the partners
and checked against every constraint. Integer x made HiGHS 3-6 times slower for the same optima.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array, diags_array, hstack, identity, vstack

from services.hub.crossborder.allocation.prepare import Option

# HiGHS stops when (primal - dual bound) / primal is below this. Its default (1e-4) would accept a
# consortium 0.01% dearer than the best (1 EUR in 10,000); 1e-9 is a cent in 10 million EUR, still far
# above the float rounding of the objective (~1e-16 relative).
MIP_REL_GAP = 1e-9


@dataclass(frozen=True)
class Solved:
    partners: tuple[Option, ...]  # empty when status is None
    fill: int
    status: str | None  # 'optimal' | 'time_limit' | None (no solution: fall back)
    gap: float | None
    message: str


def _model(options: Sequence[Option], max_partners: int, most: int):
    """The constraints shared by both stages; no option delivers more than `most`."""
    n = len(options)
    cap = np.array([min(o.capacity, most) for o in options], dtype=float)
    lot = np.array([o.min_lot for o in options], dtype=float)
    eye = identity(n, format="csr")
    link = vstack([hstack([eye, -diags_array(cap)]),   # x_i - u_i y_i <= 0
                   hstack([eye, -diags_array(lot)])])   # x_i - lot_i y_i >= 0
    link_lo = np.concatenate([np.full(n, -np.inf), np.zeros(n)])
    link_hi = np.concatenate([np.zeros(n), np.full(n, np.inf)])
    partners_row = csr_array(np.concatenate([np.zeros(n), np.ones(n)])[None, :])
    constraints = [LinearConstraint(link, link_lo, link_hi), LinearConstraint(partners_row, 0, max_partners)]
    bounds = Bounds(np.zeros(2 * n), np.concatenate([cap, np.ones(n)]))
    return constraints, bounds, np.concatenate([np.zeros(n), np.ones(n)])


def _quantity_row(n: int):
    return csr_array(np.concatenate([np.ones(n), np.zeros(n)])[None, :])


def _run(c, constraints, bounds, integrality, time_limit: float):
    return milp(c, integrality=integrality, bounds=bounds, constraints=constraints,
                options={"time_limit": max(time_limit, 0.05), "mip_rel_gap": MIP_REL_GAP, "presolve": True})


def _partners(options: Sequence[Option], x: np.ndarray) -> tuple[Option, ...]:
    chosen = np.rint(x[len(options):]) == 1
    return tuple(o for o, used in zip(options, chosen) if used)


def _status(res) -> str | None:
    if res.x is None:
        return None
    return "optimal" if res.status == 0 else "time_limit"


def max_fill(options: Sequence[Option], quantity: int, max_partners: int, time_limit: float) -> Solved:
    """Stage 1: the largest total the constraints allow, at most `quantity` (minimum lots make this a
    knapsack-like problem; called only when prepare.fill_certificate could not settle it)."""
    n = len(options)
    constraints, bounds, integrality = _model(options, max_partners, quantity)
    constraints.append(LinearConstraint(_quantity_row(n), 0, quantity))
    c = np.concatenate([-np.ones(n), np.zeros(n)])
    res = _run(c, constraints, bounds, integrality, time_limit)
    status = _status(res)
    if status is None:
        return Solved((), 0, None, None, res.message)
    partners = _partners(options, res.x)
    # The most these partners deliver together, computed exactly rather than read from the float objective.
    fill = min(quantity, sum(o.capacity for o in partners))
    if fill < sum(o.min_lot for o in partners):
        return Solved((), 0, None, None, "the solver's largest quantity failed the exact check of the minimum lots")
    return Solved(partners, fill, status, res.mip_gap, res.message)


def min_cost(options: Sequence[Option], fill: int, max_partners: int, partner_fixed_eur: Decimal,
             time_limit: float) -> Solved:
    """Stage 2: the cheapest way to deliver exactly `fill`."""
    n = len(options)
    constraints, bounds, integrality = _model(options, max_partners, fill)
    constraints.append(LinearConstraint(_quantity_row(n), fill, fill))
    c = np.concatenate([[float(o.unit_cost) for o in options], np.full(n, float(partner_fixed_eur))])
    started = time.perf_counter()
    res = _run(c, constraints, bounds, integrality, time_limit)
    status = _status(res)
    if status is None:
        return Solved((), 0, None, None, f"{res.message} after {time.perf_counter() - started:.2f}s")
    return Solved(_partners(options, res.x), fill, status, res.mip_gap, res.message)
