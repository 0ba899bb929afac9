"""Splitting an order among several suppliers when none can deliver it alone (pure, no I/O).

A first version of the consortium algorithm (the hub's cross-border matching may refine it):

1. If all suppliers together have less than the quantity, every one of them delivers all it can, and
   the rest is the uncovered remainder (for the site: cross-border matching is needed).
2. Otherwise the split uses as few partners as possible: k, the smallest number whose largest
   capacities add up to the quantity. Within that, it prefers the better suppliers: going through them
   by score (then lower price), it takes each one whose part still leaves the rest coverable by the
   largest capacities among the others in the slots left. Each partner delivers up to its capacity.

The parts never exceed any capacity and add up to min(quantity, total capacity).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

ZERO = Decimal(0)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Supplier:
    """What a split may draw on: an offer with its free capacity, its score, and its estimated unit price.
    Offer ids are unique among the suppliers of one split."""

    offer_id: str
    organisation_id: str
    capacity: Decimal
    score: float = 0.0
    unit_price: Decimal | None = None
    currency: str | None = None
    organisation_name: str | None = None


@dataclass(frozen=True)
class Part:
    offer_id: str
    organisation_id: str
    quantity: Decimal
    unit_price: Decimal | None
    price: Decimal | None  # quantity × unit price, to the cent; None when the offer states no price
    currency: str | None
    organisation_name: str | None = None


@dataclass(frozen=True)
class Split:
    quantity: Decimal
    parts: tuple[Part, ...]

    @property
    def covered(self) -> Decimal:
        return sum((p.quantity for p in self.parts), ZERO)

    @property
    def remainder(self) -> Decimal:
        """What no supplier could take."""
        return self.quantity - self.covered

    @property
    def cross_border_needed(self) -> bool:
        return self.remainder > 0


def propose_split(quantity: Decimal, suppliers: Iterable[Supplier]) -> Split:
    usable = sorted((s for s in suppliers if s.capacity > 0), key=_preference)
    if quantity <= 0:
        return Split(quantity, ())
    if sum((s.capacity for s in usable), ZERO) < quantity:
        return Split(quantity, tuple(_part(s, s.capacity) for s in usable))
    parts = _fewest_partners(quantity, usable)
    assert parts is not None  # every supplier is known
    return Split(quantity, tuple(parts))


def propose_split_of_best(quantity: Decimal, suppliers: Iterable[Supplier], known_from: float) -> Split | None:
    """propose_split over all suppliers, knowing only some: every supplier scoring `known_from` or more, and
    every one among the 2k largest capacities (k the fewest partners; the caller makes sure of both, and
    that all together have the quantity). The split, or None when it would reach past those best ones."""
    usable = sorted((s for s in suppliers if s.capacity > 0), key=_preference)
    parts = _fewest_partners(quantity, usable, known_from)
    return None if parts is None else Split(quantity, tuple(parts))


def _preference(s: Supplier):
    return (-s.score, s.unit_price is None, s.unit_price or ZERO, -s.capacity, s.offer_id)


def minimal_partners(quantity: Decimal, capacities: list[Decimal]) -> int:
    """The fewest suppliers whose capacities can add up to `quantity` (capacities must suffice)."""
    total = ZERO
    for k, capacity in enumerate(sorted(capacities, reverse=True), start=1):
        total += capacity
        if total >= quantity:
            return k
    raise ValueError("the capacities do not add up to the quantity")


def _fewest_partners(quantity: Decimal, preferred: list[Supplier], known_from: float | None = None) -> list[Part] | None:
    """The parts; None when it goes past the suppliers scoring `known_from` or more (those after them may be
    unknown). The largest capacities only count in sums, so which of equal ones comes first does not matter."""
    slots = minimal_partners(quantity, [s.capacity for s in preferred])
    by_capacity = sorted(preferred, key=lambda s: s.capacity, reverse=True)
    taken: set[str] = set()
    parts, remaining = [], quantity
    for supplier in preferred:
        if remaining <= 0 or slots == 0:
            break
        if known_from is not None and supplier.score < known_from:
            return None
        share = min(supplier.capacity, remaining)
        if _largest_others(by_capacity, taken, supplier, slots - 1) < remaining - share:
            continue  # taking it would leave more than the remaining slots can carry
        parts.append(_part(supplier, share))
        taken.add(supplier.offer_id)
        remaining -= share
        slots -= 1
    if known_from is not None and remaining > 0 and slots > 0:
        return None  # ran out of the known suppliers
    return parts


def _largest_others(by_capacity: list[Supplier], taken: set[str], skip: Supplier, count: int) -> Decimal:
    total, counted = ZERO, 0
    for s in by_capacity:
        if counted == count:
            break
        if s.offer_id in taken or s.offer_id == skip.offer_id:
            continue
        total += s.capacity
        counted += 1
    return total


def _part(supplier: Supplier, quantity: Decimal) -> Part:
    price = None if supplier.unit_price is None else (quantity * supplier.unit_price).quantize(CENT)
    return Part(supplier.offer_id, supplier.organisation_id, quantity, supplier.unit_price, price, supplier.currency,
                supplier.organisation_name)
