"""From an order and raw candidates to the problem the solvers see (pure, no I/O).

- validate the input (a ValueError names the bad field);
- drop excluded offers, unlabelled ones when the label is required, and offers that cannot take part
  (no capacity, or a minimum lot larger than their capacity or than the order);
- price every unit in EUR exactly: unit_price x rate + distance x transport rate;
- reduce the candidates without losing optimality (`reduce_dominated`);
- bound the quantity any allocation can reach (`fill_bound`).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from heapq import heappush, heappushpop
from typing import Collection, Mapping, Sequence

import numpy as np

from services.hub.crossborder.allocation.model import Candidate, Order


@dataclass(frozen=True)
class Option:
    """An eligible candidate with its exact delivered unit cost in EUR and its usable capacity."""

    candidate: Candidate
    unit_cost: Decimal  # EUR per unit, exact
    capacity: int  # min(candidate.capacity, order quantity): never more is useful
    min_lot: int

    @property
    def offer_id(self) -> str:
        return self.candidate.offer_id


@dataclass(frozen=True)
class Problem:
    order: Order
    all_options: tuple[Option, ...]  # every eligible option, cheapest first
    options: tuple[Option, ...]  # what the exact solver needs: all_options after reduce_dominated
    excluded: tuple[Candidate, ...]  # in `exclude`
    unlabelled: tuple[Candidate, ...]  # dropped because the order requires the label
    unusable_min_lot: tuple[Candidate, ...]  # minimum lot above their capacity or above the order
    all_eligible_capacity: int  # sum of the eligible options' capacities (before the reduction)
    eligible_late_capacity: int  # what the eligible options could add after the deadline


def validate(order: Order, candidates: Sequence[Candidate], rates_to_eur: Mapping[str, Decimal]) -> None:
    """A ValueError naming the first bad field: of the order, then of each candidate, then of the rates."""
    _validate_order(order)
    seen: set[str] = set()
    for c in candidates:
        if c.offer_id in seen:
            raise ValueError(f"candidate {c.offer_id!r}: offer_id appears twice among the candidates")
        seen.add(c.offer_id)
        _validate_candidate(c, rates_to_eur)
    for currency, rate in rates_to_eur.items():
        if not isinstance(rate, (Decimal, int)) or isinstance(rate, bool) or not Decimal(rate).is_finite() or rate <= 0:
            raise ValueError(f"rates_to_eur[{currency!r}] must be a Decimal > 0, got {rate!r}")


def _is_whole(value, minimum: int) -> bool:
    """A whole number (an int, not a bool) of at least `minimum`."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _is_amount(value) -> bool:
    """A finite Decimal >= 0: a price or a cost."""
    return isinstance(value, Decimal) and value.is_finite() and value >= 0


def _validate_order(order: Order) -> None:
    if not _is_whole(order.quantity, 1):
        raise ValueError(f"order.quantity must be a whole number of units > 0, got {order.quantity!r}")
    if not _is_whole(order.max_partners, 1):
        raise ValueError(f"order.max_partners must be a whole number >= 1, got {order.max_partners!r}")
    for name in ("transport_eur_per_unit_km", "partner_fixed_eur"):
        value = getattr(order, name)
        if not _is_amount(value):
            raise ValueError(f"order.{name} must be a finite Decimal >= 0, got {value!r}")


def _validate_candidate(c: Candidate, rates_to_eur: Mapping[str, Decimal]) -> None:
    where = f"candidate {c.offer_id!r}"
    for name in ("capacity", "late_capacity"):
        value = getattr(c, name)
        if not _is_whole(value, 0):
            raise ValueError(f"{where}: {name} must be a whole number >= 0, got {value!r}")
    if not _is_whole(c.min_lot, 1):
        raise ValueError(f"{where}: min_lot must be a whole number >= 1, got {c.min_lot!r}")
    if not _is_amount(c.unit_price):
        raise ValueError(f"{where}: unit_price must be a finite Decimal >= 0, got {c.unit_price!r}")
    if not np.isfinite(c.distance_km) or c.distance_km < 0:
        raise ValueError(f"{where}: distance_km must be a finite number >= 0, got {c.distance_km!r}")
    if c.currency not in rates_to_eur:
        raise ValueError(f"{where}: no EUR rate for currency {c.currency!r} "
                         f"(configured: {', '.join(sorted(rates_to_eur)) or 'none'})")


def unit_cost_eur(c: Candidate, order: Order, rates_to_eur: Mapping[str, Decimal]) -> Decimal:
    # repr() of a float is the shortest decimal that reads back as it: 12.3 km stays 12.3, not 12.30000000000000071
    distance = Decimal(repr(float(c.distance_km)))
    return c.unit_price * Decimal(rates_to_eur[c.currency]) + distance * order.transport_eur_per_unit_km


def prepare(order: Order, candidates: Sequence[Candidate], rates_to_eur: Mapping[str, Decimal],
            exclude: Collection[str] = (), reduce: bool = True) -> Problem:
    validate(order, candidates, rates_to_eur)
    if isinstance(exclude, str):
        raise ValueError("exclude must be a collection of offer ids, not one string")
    excluded_ids = set(exclude)
    excluded, unlabelled, unusable, options = [], [], [], []
    for c in candidates:
        if c.offer_id in excluded_ids:
            excluded.append(c)
        elif order.label_required and not c.labelled:
            unlabelled.append(c)
        elif c.capacity == 0:
            continue
        elif c.min_lot > c.capacity or c.min_lot > order.quantity:
            unusable.append(c)
        else:
            options.append(Option(c, unit_cost_eur(c, order, rates_to_eur), min(c.capacity, order.quantity), c.min_lot))
    # Cheapest first; ties: larger capacity, smaller lot, then the offer id so that results are reproducible.
    options.sort(key=lambda o: (o.unit_cost, -o.capacity, o.min_lot, o.offer_id))
    reduced = reduce_dominated(options, order.max_partners) if reduce else options
    late = sum(o.candidate.late_capacity for o in options)
    return Problem(order, tuple(options), tuple(reduced), tuple(excluded), tuple(unlabelled), tuple(unusable),
                   sum(o.candidate.capacity for o in options), late)


def reduce_dominated(options: list[Option], max_partners: int) -> list[Option]:
    """Drop every option that has at least `max_partners` dominators; exact (no optimum is lost).

    With `options` sorted cheapest first, i dominates j when i comes before j (so it costs at most as
    much per unit), has at least j's capacity and at most j's minimum lot. Why dropping is exact: take
    an optimal allocation that is highest in this order (largest total of positions counted from the
    end). If it used a j with K = max_partners dominators, at most K-1 of them are used beside j, so
    one dominator i is free; giving j's quantity to i instead keeps every constraint (i's lot <= j's
    lot <= quantity <= j's capacity <= i's capacity, same number of partners, same total quantity)
    and costs no more, and the result is higher in the order: a contradiction. The same swap keeps the
    quantity, so the maximal fill is unaffected too.
    """
    k = max_partners
    if len(options) <= k:
        return list(options)
    thresholds = sorted({o.min_lot for o in options})
    if len(thresholds) <= FEW_LOTS:
        return _reduce_by_heaps(options, k, thresholds)
    capacity = np.array([o.capacity for o in options], dtype=np.int64)
    lot = np.array([o.min_lot for o in options], dtype=np.int64)
    keep = np.ones(len(options), dtype=bool)
    chunk = 512  # rows of the n x n dominance matrix at once: bounded memory at 10,000 candidates
    for start in range(k, len(options), chunk):
        rows = np.arange(start, min(start + chunk, len(options)))
        before = np.arange(len(options))[None, :] < rows[:, None]
        dominated_by = before & (capacity[None, :] >= capacity[rows, None]) & (lot[None, :] <= lot[rows, None])
        keep[rows] = dominated_by.sum(axis=1) < k
    return [o for o, kept in zip(options, keep) if kept]


FEW_LOTS = 24  # distinct minimum lots up to which one heap per lot beats the n x n comparison


def _reduce_by_heaps(options: list[Option], k: int, thresholds: list[int]) -> list[Option]:
    """j has >= k dominators iff, among the options before it with a lot <= j's, the k-th largest
    capacity is >= j's. One min-heap of the k largest capacities per lot threshold, O(n x lots x log k)."""
    largest: dict[int, list[int]] = {t: [] for t in thresholds}
    kept = []
    for o in options:
        heap = largest[o.min_lot]
        if len(heap) < k or heap[0] < o.capacity:
            kept.append(o)
        for t in thresholds:
            if t < o.min_lot:
                continue
            heap = largest[t]
            if len(heap) < k:
                heappush(heap, o.capacity)
            elif heap[0] < o.capacity:
                heappushpop(heap, o.capacity)
    return kept


def fill_bound(options: Sequence[Option], quantity: int, max_partners: int) -> int:
    """The most any allocation can deliver ignoring minimum lots: min(quantity, the K largest capacities)."""
    largest = sorted((o.capacity for o in options), reverse=True)[:max_partners]
    return min(quantity, sum(largest))


def fill_certificate(options: Sequence[Option], quantity: int, max_partners: int) -> int | None:
    """`fill_bound` when a simple set of partners reaches it with its minimum lots, else None.

    Largest capacities first until the bound is covered; the bound is reachable by them when their
    lots add up to no more than it (each then delivers between its lot and its capacity).
    """
    bound = fill_bound(options, quantity, max_partners)
    total_cap = total_lot = 0
    for o in sorted(options, key=lambda o: (-o.capacity, o.min_lot))[:max_partners]:
        total_cap += o.capacity
        total_lot += o.min_lot
        if total_cap >= bound:
            return bound if total_lot <= bound else None
    return bound if total_lot <= bound else None
