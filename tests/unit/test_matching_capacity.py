"""Free capacity in a period: weeks × capacity, less the commitments overlapping it."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from services.contracts.capacity import Commitment, free, gross

MONDAY = date(2026, 3, 2)


def test_gross_is_capacity_per_week_times_weeks_rounded_down():
    assert gross(Decimal(70), MONDAY, date(2026, 3, 16)) == 140
    assert gross(Decimal(10), MONDAY, date(2026, 3, 3)) == Decimal("1.428")
    assert gross(Decimal(10), MONDAY, MONDAY) == 0
    assert gross(Decimal(10), MONDAY, date(2026, 3, 1)) == 0


def test_overlapping_commitments_count_in_full_and_others_not_at_all():
    commitments = [Commitment(Decimal(50), date(2026, 3, 10), date(2026, 3, 20)),  # overlaps
                   Commitment(Decimal(30), date(2026, 1, 1), date(2026, 3, 2)),  # ends on the first day
                   Commitment(Decimal(999), date(2026, 4, 1), date(2026, 4, 30))]  # after the period
    assert free(Decimal(70), MONDAY, date(2026, 3, 16), commitments) == 140 - 50 - 30


def test_free_is_never_negative():
    assert free(Decimal(7), MONDAY, date(2026, 3, 9), [Commitment(Decimal(100), MONDAY, MONDAY)]) == 0
