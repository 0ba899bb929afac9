"""Properties of the consortium allocation, with hypothesis, and the MILP against a brute force and
against the greedy baseline."""
from __future__ import annotations

import random
from decimal import Decimal
from itertools import product

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.hub.crossborder.allocation import Candidate, Order, allocate, allocate_greedy

RATES = {"EUR": Decimal(1), "HUF": Decimal("0.0025")}
PRICES = [("1.00", "EUR"), ("1.10", "EUR"), ("1.35", "EUR"), ("2.00", "EUR"),
          ("380", "HUF"), ("400", "HUF"), ("455", "HUF"), ("600", "HUF")]


@st.composite
def candidates(draw, max_n: int, max_capacity: int, max_lot: int):
    n = draw(st.integers(0, max_n))
    out = []
    for i in range(n):
        price, currency = draw(st.sampled_from(PRICES))
        capacity = draw(st.integers(0, max_capacity))
        out.append(Candidate(f"o{i}", f"org{i}", draw(st.sampled_from(["AT12", "AT22", "HU22"])), capacity,
                             Decimal(price), currency, float(draw(st.integers(0, 400))), draw(st.booleans()),
                             draw(st.integers(1, max_lot)), draw(st.integers(0, 5))))
    return out


orders = st.builds(Order, quantity=st.integers(1, 30), label_required=st.booleans(), max_partners=st.integers(1, 4),
                   partner_fixed_eur=st.sampled_from([Decimal(0), Decimal("0.5"), Decimal(3)]))


@st.composite
def lumpy_candidates(draw):
    """Lots close to the capacity: which candidates fit together decides the largest quantity."""
    out = []
    for i in range(draw(st.integers(2, 5))):
        price, currency = draw(st.sampled_from(PRICES))
        capacity = draw(st.integers(2, 7))
        out.append(Candidate(f"o{i}", f"org{i}", "AT12", capacity, Decimal(price), currency,
                             float(draw(st.integers(0, 400))), True, draw(st.integers(max(1, capacity - 2), capacity))))
    return out


def eligible(order, cands, exclude=()):
    return [c for c in cands if c.offer_id not in exclude and (c.labelled or not order.label_required)]


def exact_cost(order, cands, quantities) -> Decimal:
    """Written out independently of the allocation's own costing."""
    by_id = {c.offer_id: c for c in cands}
    total = Decimal(0)
    for offer_id, q in quantities.items():
        c = by_id[offer_id]
        unit = c.unit_price * RATES[c.currency] + Decimal(int(c.distance_km)) * order.transport_eur_per_unit_km
        total += q * unit + order.partner_fixed_eur
    return total


def check_feasible(order, cands, a, exclude=()):
    allowed = {c.offer_id: c for c in eligible(order, cands, exclude)}
    assert a.allocated == sum(s.quantity for s in a.shares) <= order.quantity
    assert a.missing == order.quantity - a.allocated == sum(s.quantity for s in a.shortfalls)
    assert len(a.shares) <= order.max_partners
    assert len({s.offer_id for s in a.shares}) == len(a.shares)
    for s in a.shares:
        c = allowed[s.offer_id]  # KeyError: an excluded or unlabelled offer was used
        assert c.min_lot <= s.quantity <= c.capacity
        assert s.reason
    quantities = {s.offer_id: s.quantity for s in a.shares}
    assert a.total_cost_eur == exact_cost(order, cands, quantities)


def brute_force(order, cands):
    """(most units, least cost) over every vector of whole quantities: 0 or lot..capacity each."""
    pool = [c for c in eligible(order, cands) if c.capacity >= c.min_lot]
    best = (0, Decimal(0))
    for q in product(*[[0, *range(c.min_lot, c.capacity + 1)] for c in pool]):
        total = sum(q)
        if total > order.quantity or total < best[0] or sum(1 for x in q if x) > order.max_partners:
            continue
        cost = exact_cost(order, pool, {c.offer_id: x for c, x in zip(pool, q) if x})
        if total > best[0] or cost < best[1]:
            best = (total, cost)
    return best


# Small quantities against lots up to the capacity: the minimum lots often decide the largest quantity.
small_orders = st.builds(Order, quantity=st.integers(1, 14), label_required=st.booleans(),
                         max_partners=st.integers(1, 4), partner_fixed_eur=st.sampled_from([Decimal(0), Decimal(3)]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=small_orders, cands=candidates(max_n=5, max_capacity=6, max_lot=5))
def test_small_instances_equal_the_brute_force_optimum(order, cands):
    a = allocate(order, cands, RATES)
    check_feasible(order, cands, a)
    assert (a.allocated, a.total_cost_eur) == brute_force(order, cands)
    assert a.method == "milp" and a.status in ("optimal", "empty")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=small_orders, cands=lumpy_candidates())
def test_when_minimum_lots_bind_the_result_still_equals_the_brute_force(order, cands):
    a = allocate(order, cands, RATES)
    check_feasible(order, cands, a)
    assert (a.allocated, a.total_cost_eur) == brute_force(order, cands)


@settings(max_examples=80, deadline=None)
@given(order=orders, cands=candidates(max_n=25, max_capacity=20, max_lot=6), data=st.data())
def test_never_over_filled_capacities_lots_and_partner_limit_hold(order, cands, data):
    exclude = data.draw(st.sets(st.sampled_from([c.offer_id for c in cands]))) if cands else set()
    for a in (allocate(order, cands, RATES, exclude=exclude), allocate_greedy(order, cands, RATES, exclude=exclude)):
        check_feasible(order, cands, a, exclude)
        assert a.allocated <= order.quantity and len(a.shares) <= order.max_partners


@settings(max_examples=80, deadline=None)
@given(order=orders, cands=candidates(max_n=25, max_capacity=20, max_lot=1))
def test_without_lots_the_allocation_reaches_the_simple_max_fill_bound(order, cands):
    # With every lot 1 the most anyone can deliver is min(quantity, the K largest eligible capacities).
    largest = sorted((c.capacity for c in eligible(order, cands)), reverse=True)[:order.max_partners]
    bound = min(order.quantity, sum(largest))
    assert allocate(order, cands, RATES).allocated == bound
    assert allocate_greedy(order, cands, RATES).allocated == bound


def random_instance(rng: random.Random, n: int) -> tuple[Order, list[Candidate]]:
    cands = []
    for i in range(n):
        huf = rng.random() < 0.4
        price = Decimal(rng.randint(30000, 60000)) / 100 if huf else Decimal(rng.randint(80, 160)) / 100
        capacity = rng.randint(20, 600)
        cands.append(Candidate(f"o{i}", f"org{i}", rng.choice(["AT12", "AT13", "AT22", "HU22"]), capacity, price,
                               "HUF" if huf else "EUR", float(rng.randint(1, 500)), rng.random() < 0.6,
                               rng.choice([1, 1, 1, 25, 100, 250]), rng.randint(0, 100)))
    order = Order(rng.randint(500, 4000), label_required=rng.random() < 0.3, max_partners=rng.randint(2, 8),
                  partner_fixed_eur=Decimal(rng.choice([0, 50, 150, 400])))
    return order, cands


def test_milp_is_never_worse_than_greedy_on_larger_random_instances():
    rng = random.Random(2026)
    cheaper = 0
    for _ in range(40):
        order, cands = random_instance(rng, rng.randint(30, 300))
        exact, greedy = allocate(order, cands, RATES), allocate_greedy(order, cands, RATES)
        check_feasible(order, cands, exact)
        check_feasible(order, cands, greedy)
        assert exact.method == "milp" and exact.status == "optimal"
        assert exact.allocated >= greedy.allocated
        if exact.allocated == greedy.allocated:
            assert exact.total_cost_eur <= greedy.total_cost_eur
            cheaper += exact.total_cost_eur < greedy.total_cost_eur
    assert cheaper > 0  # the instances are not so easy that greedy is always optimal


def test_a_real_time_limit_still_gives_a_feasible_allocation_never_worse_than_greedy():
    # HiGHS stopped after 0.05 s on 3,000 candidates: its best solution, or greedy's when that is better.
    rng = random.Random(11)
    for _ in range(3):
        order, cands = random_instance(rng, 3000)
        order = Order(order.quantity, max_partners=8, partner_fixed_eur=Decimal(150))
        a, greedy = allocate(order, cands, RATES, time_limit=0.01), allocate_greedy(order, cands, RATES)
        check_feasible(order, cands, a)
        assert (a.method, a.status) in {("milp", "optimal"), ("milp", "time_limit"), ("greedy", "fallback")}
        assert (a.gap is not None) == (a.method == "milp")
        assert a.allocated >= greedy.allocated
        assert a.allocated > greedy.allocated or a.total_cost_eur <= greedy.total_cost_eur
