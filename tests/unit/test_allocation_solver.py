"""The consortium allocation's solver: its failure modes (no solution in time, a time-limited incumbent,
an answer worse than greedy or breaking a limit) and the exact reduction of dominated options."""
from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from services.hub.crossborder.allocation import Order, allocate, allocate_greedy
from services.hub.crossborder.allocation import milp as milp_module
from services.hub.crossborder.allocation.prepare import Option, reduce_dominated
from tests.support.allocation import RATES, by_offer, cand


class _Result:
    def __init__(self, x, status, fun=0.0, gap=None, message="stub"):
        self.x, self.status, self.fun, self.mip_gap, self.message = x, status, fun, gap, message


def test_no_solution_in_time_falls_back_to_greedy_and_says_so(monkeypatch):
    monkeypatch.setattr(milp_module, "_run", lambda *a, **k: _Result(None, 1, message="Time limit reached"))
    cands = [cand("a", 100, "1"), cand("b", 100, "2")]
    a = allocate(Order(150), cands, RATES, time_limit=0.1)
    assert (a.method, a.status, a.gap) == ("greedy", "fallback", None)
    assert by_offer(a) == by_offer(allocate_greedy(Order(150), cands, RATES)) == {"a": 100, "b": 50}
    assert any("Fell back to the greedy allocation: no solution in time (Time limit reached" in line
               for line in a.explanation)


def test_time_limit_keeps_the_incumbent_with_its_gap(monkeypatch):
    real = milp_module._run

    def stopped(*args, **kwargs):
        res = real(*args, **kwargs)
        return _Result(res.x, 1, res.fun, 0.031)
    monkeypatch.setattr(milp_module, "_run", stopped)
    a = allocate(Order(150), [cand("a", 100, "1"), cand("b", 100, "2")], RATES)
    assert (a.method, a.status, a.gap) == ("milp", "time_limit", 0.031)
    assert "optimality gap 3.10%" in a.explanation[1]


def test_a_time_limited_solution_worse_than_greedy_is_replaced_by_greedy(monkeypatch):
    def poor(c, constraints, bounds, integrality, time_limit):
        n = len(c) // 2  # options cheapest first: use the dearest two for 150 units
        x = np.zeros(2 * n)
        x[n - 2:n], x[2 * n - 2:] = 75, 1
        return _Result(x, 1, float(c @ x), 0.5)
    monkeypatch.setattr(milp_module, "_run", poor)
    a = allocate(Order(150), [cand("a", 100, "1"), cand("b", 100, "2"), cand("c", 100, "3")], RATES)
    assert (a.method, a.status) == ("greedy", "fallback") and by_offer(a) == {"a": 100, "b": 50}
    assert any("worse than the greedy one" in line for line in a.explanation)


def test_a_solver_answer_breaking_the_partner_limit_is_not_trusted(monkeypatch):
    def too_many(c, constraints, bounds, integrality, time_limit):
        n = len(c) // 2
        x = np.concatenate([np.full(n, 50.0), np.ones(n)])
        return _Result(x, 0, float(c @ x), 0.0)
    monkeypatch.setattr(milp_module, "_run", too_many)
    # Dearer options have more capacity, so none is dominated and the solver sees all three.
    cands = [cand("a", 60, "1"), cand("b", 80, "2"), cand("c", 100, "3")]
    a = allocate(Order(150, max_partners=2), cands, RATES)
    assert (a.method, a.status, len(a.shares), a.allocated) == ("greedy", "fallback", 2, 150)
    assert any("failed the exact check" in line for line in a.explanation)


def _naive_keep(options, k):
    return [o for j, o in enumerate(options)
            if sum(1 for i in range(j) if options[i].capacity >= o.capacity and options[i].min_lot <= o.min_lot) < k]


@pytest.mark.parametrize("lots", [(1,), (1, 5, 20), tuple(range(1, 60))])  # one heap, a few heaps, n x n
def test_reduction_drops_exactly_the_options_with_k_dominators(lots):
    rng = np.random.default_rng(3)
    options = [Option(cand(f"o{i}", 0, "1"), Decimal(i), int(rng.integers(1, 60)), int(rng.choice(lots)))
               for i in range(1500)]
    for k in (1, 3, 8):
        kept = reduce_dominated(options, k)
        assert kept == _naive_keep(options, k)
        assert len(kept) < len(options)
