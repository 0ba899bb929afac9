"""The consortium allocation's input: excluding declined offers, nothing eligible, and bad orders,
candidates and options as value errors."""
from __future__ import annotations

from decimal import Decimal

import pytest

from services.hub.crossborder.allocation import Order, allocate, allocate_greedy
from tests.support.allocation import RATES, by_offer, cand, reasons


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
