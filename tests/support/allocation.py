"""Hand-made cases of the consortium allocation (tests/unit/test_allocation_*.py): EUR and HUF rates,
candidates by offer id, and what an allocation gave each offer and why it fell short."""
from __future__ import annotations

from decimal import Decimal

from services.hub.crossborder.allocation import Candidate

RATES = {"EUR": Decimal(1), "HUF": Decimal("0.0025")}


def cand(offer_id, capacity, price, currency="EUR", distance=0.0, **kw) -> Candidate:
    return Candidate(offer_id, f"org-{offer_id}", kw.pop("site", "AT12"), capacity, Decimal(price), currency,
                     distance, **kw)


def by_offer(allocation) -> dict[str, int]:
    return {s.offer_id: s.quantity for s in allocation.shares}


def reasons(allocation) -> dict[str, int]:
    return {s.code: s.quantity for s in allocation.shortfalls}
