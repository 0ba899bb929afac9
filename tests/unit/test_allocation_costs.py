"""The consortium allocation on hand-made cases of cost: currencies and their rates, transport cost,
the fixed cost per partner, and minimum lots."""
from __future__ import annotations

from decimal import Decimal

import pytest

from services.hub.crossborder.allocation import Order, allocate
from tests.support.allocation import RATES, by_offer, cand, reasons


def test_400_huf_at_0_0025_is_1_eur_and_beats_1_10_eur():
    a = allocate(Order(100, partner_fixed_eur=Decimal(0)),
                 [cand("vienna", 100, "1.10"), cand("gyor", 100, "400", "HUF", site="HU22")], RATES)
    assert by_offer(a) == {"gyor": 100}
    (share,) = a.shares
    assert share.unit_cost_eur == Decimal("1.0000") and share.cost_eur == Decimal("100")
    assert share.unit_price == Decimal(400) and share.currency == "HUF"
    assert share.reason["params"]["unit_cost_eur"] == "1.0000"
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
    assert a.shares[0].reason["params"]["cheaper_unused"] == 2
    b = allocate(Order(200, partner_fixed_eur=Decimal(10)), [*cheap, cand("big", 200, "1.50")], RATES)
    assert by_offer(b) == {"c1": 100, "c2": 100} and b.total_cost_eur == Decimal(220)


def test_the_cheapest_partner_fills_up_and_the_dearer_one_takes_the_rest():
    a = allocate(Order(150), [cand("dear", 100, "2"), cand("cheap", 100, "1")], RATES)
    assert by_offer(a) == {"cheap": 100, "dear": 50}
    reason = {s.offer_id: s.reason for s in a.shares}
    assert reason["cheap"] == {"code": "whole_capacity", "params": {
        "unit_cost_eur": "1.0000", "rank": 1, "eligible": 2, "capacity": 100, "quantity": 100, "min_lot": 1,
        "cheaper_unused": 0, "label_required": False}}
    assert reason["dear"]["code"] == "rest_of_order" and reason["dear"]["params"]["quantity"] == 50


def test_min_lot_is_respected_even_when_it_costs_more():
    # "lot" must deliver at least 60 if used; 100 = 40 from cheap + 60 from lot.
    a = allocate(Order(100, partner_fixed_eur=Decimal(0)),
                 [cand("cheap", 90, "1"), cand("lot", 100, "2", min_lot=60)], RATES)
    assert by_offer(a) == {"cheap": 40, "lot": 60}
    lot = {s.offer_id: s.reason for s in a.shares}["lot"]
    assert lot["code"] == "minimum_lot" and lot["params"]["min_lot"] == 60


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
