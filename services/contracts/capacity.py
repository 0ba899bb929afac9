"""Free capacity of an offer in a period (pure, no I/O).

Part of the contract because a site's matching and the hub's cross-border allocation must agree on it:
the hub never forwards a part the site would find over capacity.

An offer produces `capacity_per_week` units a week. Between `start` and `until` it can produce
capacity_per_week × days / 7 units, less what active commitments overlapping that period take.

A commitment overlapping the period counts in full: we do not know when within its own period the
social enterprise produces it, so we assume the worst and never over-commit. Quantities are rounded
down to the projection's precision (three decimals), again so as never to promise more than exists.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_FLOOR, Decimal
from typing import Iterable

QUANTUM = Decimal("0.001")
ZERO = Decimal(0)


@dataclass(frozen=True)
class Commitment:
    """Capacity an agreement takes from an offer: `quantity` units, produced between `start` and `until`."""

    quantity: Decimal
    start: date
    until: date


def gross(capacity_per_week: Decimal, start: date, until: date) -> Decimal:
    """What the offer can produce between start and until (nothing if the period is empty)."""
    days = (until - start).days
    if days <= 0 or capacity_per_week <= 0:
        return ZERO
    return (capacity_per_week * days / 7).quantize(QUANTUM, rounding=ROUND_FLOOR)


def overlaps(commitment: Commitment, start: date, until: date) -> bool:
    return commitment.start <= until and commitment.until >= start


def committed(commitments: Iterable[Commitment], start: date, until: date) -> Decimal:
    return sum((c.quantity for c in commitments if overlaps(c, start, until)), ZERO)


def free(capacity_per_week: Decimal, start: date, until: date, commitments: Iterable[Commitment]) -> Decimal:
    """Free capacity between start and until: gross capacity less overlapping commitments, never below 0."""
    return max(ZERO, gross(capacity_per_week, start, until) - committed(commitments, start, until))
