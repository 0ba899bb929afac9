"""The consortium allocation's shortfalls on hand-made cases: each missing unit has its reason
(capacity, deadline, label, partner limit, minimum lot, lots that do not fit), as codes whose
parameters word it, and the reasons add up."""
from __future__ import annotations

from services.hub.crossborder.allocation import Order, allocate
from tests.support.allocation import RATES, by_offer, cand, reasons


def test_shortfall_capacity():
    a = allocate(Order(500), [cand("a", 100, "1"), cand("b", 100, "1")], RATES)
    assert (a.allocated, a.missing) == (200, 300)
    assert reasons(a) == {"capacity": 300}
    assert a.shortfalls[0].params == {"quantity": 300, "eligible": 2, "eligible_capacity": 200, "requested": 500}


def test_shortfall_deadline_comes_from_late_capacity_the_rest_is_capacity():
    a = allocate(Order(500), [cand("a", 100, "1", late_capacity=120), cand("b", 100, "1", late_capacity=30)], RATES)
    assert reasons(a) == {"deadline": 150, "capacity": 150}


def test_shortfall_label_counts_what_unlabelled_candidates_could_have_delivered():
    cands = [cand("labelled", 100, "1", labelled=True), cand("plain", 150, "1"), cand("plain2", 100, "1")]
    a = allocate(Order(300, label_required=True), cands, RATES)
    assert by_offer(a) == {"labelled": 100}
    assert reasons(a) == {"label": 200}
    assert a.shortfalls[0].params["candidates"] == 2 and a.shortfalls[0].params["capacity"] == 250
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
    assert reasons(a) == {"lots_do_not_fit": 10}
    assert a.shortfalls[0].params == {"quantity": 10, "remaining": 10, "exact": True}


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
