"""The consortium allocation on hand-made cases: currencies, shortfall reasons, exclusion, explanations,
the solver's fallback, bad input."""
from __future__ import annotations

import json
from decimal import Decimal

import numpy as np
import pytest

from services.hub.crossborder.allocation import Candidate, Order, allocate, allocate_greedy
from services.hub.crossborder.allocation import milp as milp_module
from services.hub.crossborder.allocation.prepare import Option, reduce_dominated

RATES = {"EUR": Decimal(1), "HUF": Decimal("0.0025")}


def cand(offer_id, capacity, price, currency="EUR", distance=0.0, **kw) -> Candidate:
    return Candidate(offer_id, f"org-{offer_id}", kw.pop("site", "AT12"), capacity, Decimal(price), currency,
                     distance, **kw)


def by_offer(allocation) -> dict[str, int]:
    return {s.offer_id: s.quantity for s in allocation.shares}


def reasons(allocation) -> dict[str, int]:
    return {s.reason: s.quantity for s in allocation.shortfalls}


# --- currencies ------------------------------------------------------------------------------------------

def test_400_huf_at_0_0025_is_1_eur_and_beats_1_10_eur():
    a = allocate(Order(100, partner_fixed_eur=Decimal(0)),
                 [cand("vienna", 100, "1.10"), cand("gyor", 100, "400", "HUF", site="HU22")], RATES)
    assert by_offer(a) == {"gyor": 100}
    (share,) = a.shares
    assert share.unit_cost_eur == Decimal("1.0000") and share.cost_eur == Decimal("100")
    assert share.unit_price == Decimal(400) and share.currency == "HUF"
    assert "400 HUF at 0.0025 EUR/HUF" in share.reason
    assert a.total_cost_eur == Decimal("100") and a.method == "milp" and a.status == "optimal"


def test_480_huf_is_1_20_eur_and_loses_to_1_10_eur():
    a = allocate(Order(100, partner_fixed_eur=Decimal(0)),
                 [cand("vienna", 100, "1.10"), cand("gyor", 100, "480", "HUF")], RATES)
    assert by_offer(a) == {"vienna": 100}


def test_a_cent_per_unit_decides_between_large_huf_and_eur_prices():
    # 4,000,000 HUF = 10,000.00 EUR; 3,999,996 HUF = 9,999.99 EUR. 1,000 units: objectives near 10^7 EUR,
    # a 10 EUR difference (10^-6 relative) that the solver's tolerance (10^-9) must not swallow.
    order = Order(1000, partner_fixed_eur=Decimal(0))
    a = allocate(order, [cand("huf", 1000, "4000000", "HUF"), cand("eur", 1000, "9999.99")], RATES)
    assert by_offer(a) == {"eur": 1000} and a.total_cost_eur == Decimal("9999990.00")
    b = allocate(order, [cand("huf", 1000, "3999996", "HUF"), cand("eur", 1000, "10000")], RATES)
    assert by_offer(b) == {"huf": 1000} and b.total_cost_eur == Decimal("9999990")


def test_rates_must_be_decimals():
    with pytest.raises(ValueError, match="rates_to_eur\\['HUF'\\]"):
        allocate(Order(10), [cand("a", 10, "1")], {"EUR": Decimal(1), "HUF": 0.0025})


def test_transport_cost_per_km_is_part_of_the_unit_cost():
    # 1.00 EUR from 300 km (1.30 delivered) loses to 1.20 EUR from 10 km (1.21 delivered).
    a = allocate(Order(50), [cand("far", 50, "1.00", distance=300.0), cand("near", 50, "1.20", distance=10.0)], RATES)
    assert by_offer(a) == {"near": 50}
    assert a.shares[0].unit_cost_eur == Decimal("1.210")
    assert a.total_cost_eur == Decimal("1.210") * 50 + Decimal(150)


def test_unknown_currency_is_a_clear_value_error():
    with pytest.raises(ValueError, match="no EUR rate for currency 'CZK'"):
        allocate(Order(10), [cand("brno", 10, "25", "CZK")], RATES)


# --- cost trade-offs ----------------------------------------------------------------------------------------

def test_fixed_partner_cost_prefers_one_dearer_partner_to_two_cheap_ones():
    # Two at 1.00 EUR: 200 + 2 x 150 = 500; one at 1.50 EUR: 300 + 150 = 450.
    cheap = [cand("c1", 100, "1.00"), cand("c2", 100, "1.00")]
    a = allocate(Order(200), [*cheap, cand("big", 200, "1.50")], RATES)
    assert by_offer(a) == {"big": 200} and a.total_cost_eur == Decimal(450)
    assert "preferred to 2 cheaper candidate(s)" in a.shares[0].reason
    b = allocate(Order(200, partner_fixed_eur=Decimal(10)), [*cheap, cand("big", 200, "1.50")], RATES)
    assert by_offer(b) == {"c1": 100, "c2": 100} and b.total_cost_eur == Decimal(220)


def test_the_cheapest_partner_fills_up_and_the_dearer_one_takes_the_rest():
    a = allocate(Order(150), [cand("dear", 100, "2"), cand("cheap", 100, "1")], RATES)
    assert by_offer(a) == {"cheap": 100, "dear": 50}
    reason = {s.offer_id: s.reason for s in a.shares}
    assert "whole capacity of 100 units" in reason["cheap"]
    assert "delivers 50 of its 100 units" in reason["dear"]


def test_min_lot_is_respected_even_when_it_costs_more():
    # "lot" must deliver at least 60 if used; 100 = 40 from cheap + 60 from lot.
    a = allocate(Order(100, partner_fixed_eur=Decimal(0)),
                 [cand("cheap", 90, "1"), cand("lot", 100, "2", min_lot=60)], RATES)
    assert by_offer(a) == {"cheap": 40, "lot": 60}
    assert "minimum lot of 60 units" in {s.offer_id: s.reason for s in a.shares}["lot"]


def test_when_lots_bind_the_solver_first_finds_the_largest_quantity_they_allow():
    # Each must deliver its whole capacity: 6 + 4 = 10 fits exactly; the cheapest pair (6 + 5) would over-fill.
    a = allocate(Order(10, partner_fixed_eur=Decimal(0)),
                 [cand("a", 6, "1", min_lot=6), cand("b", 5, "1", min_lot=5), cand("c", 4, "3", min_lot=4)], RATES)
    assert by_offer(a) == {"a": 6, "c": 4} and a.missing == 0 and a.status == "optimal"
    assert any("the solver first found it, 10 units" in line for line in a.explanation)


def test_never_more_than_the_order_even_when_lots_are_larger():
    a = allocate(Order(50), [cand("lot", 500, "1", min_lot=80), cand("small", 30, "5")], RATES)
    assert a.allocated == 30 and by_offer(a) == {"small": 30}
    assert reasons(a) == {"min_lot": 20}


# --- shortfalls ---------------------------------------------------------------------------------------------

def test_shortfall_capacity():
    a = allocate(Order(500), [cand("a", 100, "1"), cand("b", 100, "1")], RATES)
    assert (a.allocated, a.missing) == (200, 300)
    assert reasons(a) == {"capacity": 300}
    assert "can deliver 200 of 500 units" in a.shortfalls[0].detail


def test_shortfall_deadline_comes_from_late_capacity_the_rest_is_capacity():
    a = allocate(Order(500), [cand("a", 100, "1", late_capacity=120), cand("b", 100, "1", late_capacity=30)], RATES)
    assert reasons(a) == {"deadline": 150, "capacity": 150}


def test_shortfall_label_counts_what_unlabelled_candidates_could_have_delivered():
    cands = [cand("labelled", 100, "1", labelled=True), cand("plain", 150, "1"), cand("plain2", 100, "1")]
    a = allocate(Order(300, label_required=True), cands, RATES)
    assert by_offer(a) == {"labelled": 100}
    assert reasons(a) == {"label": 200}
    assert "without a valid quality label" in a.shortfalls[0].detail
    assert "1 without the required quality label" not in " ".join(a.explanation)  # there are two
    assert "2 without the required quality label" in " ".join(a.explanation)


def test_shortfall_partner_limit():
    a = allocate(Order(300, max_partners=2), [cand(x, 100, "1") for x in "abc"], RATES)
    assert a.allocated == 200 and len(a.shares) == 2
    assert reasons(a) == {"partners": 100}


def test_shortfall_min_lots_that_do_not_fit_together():
    # Either alone gives 100; both would give at least 120 > 110.
    a = allocate(Order(110), [cand("a", 100, "1", min_lot=60), cand("b", 100, "2", min_lot=60)], RATES)
    assert a.allocated == 100 and by_offer(a) == {"a": 100}
    assert reasons(a) == {"min_lot": 10}


def test_shortfall_lot_above_capacity_makes_a_candidate_unusable():
    a = allocate(Order(100), [cand("odd", 50, "1", min_lot=80), cand("ok", 30, "1")], RATES)
    assert a.allocated == 30
    assert reasons(a) == {"min_lot": 50, "capacity": 20}


def test_shortfalls_add_up_in_a_mixed_case():
    cands = [cand("a", 100, "1", labelled=True, late_capacity=50), cand("b", 100, "1", labelled=True),
             cand("c", 100, "1", labelled=True), cand("u", 70, "1")]
    a = allocate(Order(500, label_required=True, max_partners=2), cands, RATES)
    assert a.allocated == 200
    assert reasons(a) == {"label": 70, "deadline": 50, "capacity": 80, "partners": 100}
    assert sum(s.quantity for s in a.shortfalls) == a.missing == 300


# --- exclude, empty, input ---------------------------------------------------------------------------------

def test_exclude_reallocates_without_the_declined_offer():
    cands = [cand("hu", 100, "300", "HUF", site="HU22"), cand("at", 100, "1", site="AT22")]
    first = allocate(Order(100), cands, RATES)
    assert by_offer(first) == {"hu": 100}
    again = allocate(Order(100), cands, RATES, exclude={"hu"})
    assert by_offer(again) == {"at": 100}
    assert "1 excluded on request (hu)" in " ".join(again.explanation)


def test_nothing_eligible_is_empty_with_the_reason():
    a = allocate(Order(40), [cand("a", 40, "1")], RATES, exclude=["a"])
    assert (a.shares, a.allocated, a.missing, a.status, a.total_cost_eur) == ((), 0, 40, "empty", Decimal(0))
    assert reasons(a) == {"capacity": 40}
    assert allocate(Order(40), [], RATES).status == "empty"


@pytest.mark.parametrize("order", [Order(0), Order(-5), Order(True), Order(2.5), Order(10, max_partners=0)])
def test_bad_orders_are_value_errors(order):
    with pytest.raises(ValueError, match="order\\."):
        allocate(order, [cand("a", 10, "1")], RATES)
    with pytest.raises(ValueError, match="order\\."):
        allocate_greedy(order, [cand("a", 10, "1")], RATES)


@pytest.mark.parametrize("bad, message", [
    (cand("a", -1, "1"), "capacity"), (cand("a", 10, "-1"), "unit_price"), (cand("a", 10, "1", min_lot=0), "min_lot"),
    (cand("a", 10, "1", distance=float("nan")), "distance_km"), (cand("a", 10, "NaN"), "unit_price"),
])
def test_bad_candidates_are_value_errors(bad, message):
    with pytest.raises(ValueError, match=message):
        allocate(Order(10), [bad], RATES)


def test_exclude_must_be_ids_and_the_time_limit_positive():
    with pytest.raises(ValueError, match="exclude"):
        allocate(Order(10), [cand("a", 10, "1")], RATES, exclude="a")
    with pytest.raises(ValueError, match="time_limit"):
        allocate(Order(10), [cand("a", 10, "1")], RATES, time_limit=0)


def test_duplicate_offer_ids_are_rejected():
    with pytest.raises(ValueError, match="twice"):
        allocate(Order(10), [cand("a", 10, "1"), cand("a", 5, "2")], RATES)


# --- report -------------------------------------------------------------------------------------------------

def test_to_dict_is_json_ready_with_decimals_as_strings():
    a = allocate(Order(150), [cand("a", 100, "1.10"), cand("h", 100, "400", "HUF", distance=12.5)], RATES)
    d = json.loads(json.dumps(a.to_dict()))
    assert d["total_cost_eur"] == "456.2500" and d["method"] == "milp" and d["status"] == "optimal"
    assert [(s["offer_id"], s["quantity"], s["unit_cost_eur"]) for s in d["shares"]] == [
        ("h", 100, "1.0125"), ("a", 50, "1.1000")]
    assert d["gap"] == 0.0 and "Rates: 1 HUF = 0.0025 EUR." in d["explanation"]


def test_every_share_says_why_this_se_and_why_this_quantity():
    a = allocate(Order(250), [cand("a", 100, "1"), cand("b", 100, "1.5"), cand("c", 100, "2")], RATES)
    assert [s.offer_id for s in a.shares] == ["a", "b", "c"]
    for rank, share in enumerate(a.shares, start=1):
        assert f"number {rank} of 3 eligible candidates by delivered unit cost" in share.reason
        assert f"{share.quantity}" in share.reason
    assert "proven optimal" in a.explanation[1]


# --- the solver's failure modes -----------------------------------------------------------------------------

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


# --- the exact reduction ------------------------------------------------------------------------------------

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
