"""Splitting an order among suppliers: fewest partners, best first, capacities respected, remainder."""
from __future__ import annotations

from decimal import Decimal
from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from services.enquiries.matching.split import Supplier, minimal_partners, propose_split, propose_split_of_best


def supplier(offer_id: str, capacity, score: float = 50, price=None) -> Supplier:
    return Supplier(offer_id, f"org-{offer_id}", Decimal(capacity), score,
                    None if price is None else Decimal(price), "EUR")


def test_the_best_scored_partners_that_still_allow_the_fewest_parts():
    split = propose_split(Decimal(100), [supplier("a", 60, 90), supplier("b", 30, 80), supplier("c", 50, 70),
                                         supplier("d", 45, 60)])
    # two partners suffice (60 + 50); "a" first, then "b" would leave 10 with no slot left, so "c".
    assert [(p.offer_id, p.quantity) for p in split.parts] == [("a", 60), ("c", 40)]
    assert split.remainder == 0 and not split.cross_border_needed


def test_parts_are_priced_at_the_unit_price():
    split = propose_split(Decimal(10), [supplier("a", 6, 90, "2.50"), supplier("b", 6, 80)])
    assert [(p.price, p.currency) for p in split.parts] == [(Decimal("15.00"), "EUR"), (None, "EUR")]


def test_equal_scores_prefer_the_lower_price():
    split = propose_split(Decimal(5), [supplier("dear", 10, 50, "9"), supplier("cheap", 10, 50, "3")])
    assert [p.offer_id for p in split.parts] == ["cheap"]


def test_not_enough_capacity_takes_everything_and_reports_the_remainder():
    split = propose_split(Decimal(100), [supplier("a", 30), supplier("b", 20), supplier("zero", 0)])
    assert [(p.offer_id, p.quantity) for p in split.parts] == [("a", 30), ("b", 20)]
    assert split.covered == 50 and split.remainder == 50 and split.cross_border_needed


def test_no_suppliers_or_no_quantity():
    assert propose_split(Decimal(10), []).remainder == 10
    assert propose_split(Decimal(0), [supplier("a", 5)]).parts == ()


def test_minimal_partners():
    assert minimal_partners(Decimal(100), [Decimal(10), Decimal(60), Decimal(50)]) == 2
    assert minimal_partners(Decimal(10), [Decimal(10)]) == 1


capacities = st.decimals(min_value=0, max_value=500, places=1, allow_nan=False, allow_infinity=False)
suppliers = st.lists(st.tuples(capacities, st.integers(min_value=0, max_value=100),
                               st.none() | st.decimals(min_value=1, max_value=99, places=2)),
                     max_size=9).map(lambda items: [Supplier(f"o{i}", f"org{i}", c, s, p, "EUR")
                                                     for i, (c, s, p) in enumerate(items)])
quantities = st.decimals(min_value=Decimal("0.1"), max_value=2000, places=1, allow_nan=False, allow_infinity=False)


@settings(max_examples=300, deadline=None)
@given(quantities, suppliers)
def test_a_split_never_exceeds_a_capacity_and_covers_min_of_quantity_and_total(quantity, offered):
    split = propose_split(quantity, offered)
    capacity = {s.offer_id: s.capacity for s in offered}
    total = sum(capacity.values(), Decimal(0))
    assert all(0 < p.quantity <= capacity[p.offer_id] for p in split.parts)
    assert len({p.offer_id for p in split.parts}) == len(split.parts)
    assert split.covered == min(quantity, total)
    assert split.remainder == max(Decimal(0), quantity - total)


@settings(max_examples=200, deadline=None)
@given(quantities, suppliers)
def test_a_coverable_split_uses_the_fewest_partners_possible(quantity, offered):
    usable = [s for s in offered if s.capacity > 0]
    if sum((s.capacity for s in usable), Decimal(0)) < quantity:
        return
    fewest = min(k for k in range(1, len(usable) + 1)
                 if any(sum(s.capacity for s in group) >= quantity for group in combinations(usable, k)))
    assert len(propose_split(quantity, offered).parts) == fewest


@settings(max_examples=300, deadline=None)
@given(quantities, suppliers, st.integers(min_value=0, max_value=101))
def test_a_split_of_the_best_and_largest_only_is_the_split_of_all_or_none(quantity, offered, known_from):
    usable = [s for s in offered if s.capacity > 0]
    if sum((s.capacity for s in usable), Decimal(0)) < quantity:
        return
    k = minimal_partners(quantity, [s.capacity for s in usable])
    largest = sorted((s.capacity for s in usable), reverse=True)[min(2 * k, len(usable)) - 1]
    known = [s for s in offered if s.score >= known_from or s.capacity >= largest]
    split = propose_split_of_best(quantity, known, known_from)
    assert split is None or split == propose_split(quantity, offered)
    if known_from == 0:  # everyone is known
        assert split == propose_split(quantity, offered)
