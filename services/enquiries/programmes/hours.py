"""Consultation hours: the two kinds a firm is allowed, and the hours it used of each. No I/O.

Hours are stored as whole quarter hours (integers), so sums are exact on both databases.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

FIRST_CONSULTATION, FURTHER = "first_consultation", "further"
BOOKING_KINDS = (FIRST_CONSULTATION, FURTHER)


def is_quarter_hours(hours: Decimal) -> bool:
    """Exactly a multiple of 0.25, computed on the digits (Decimal arithmetic would round at 28 digits)."""
    if not hours.is_finite() or hours.adjusted() > 9:
        return False
    _, digits, exponent = hours.as_tuple()
    if exponent >= 0:
        return True
    if exponent < -40:  # more decimals than any quarter hour needs: refuse rather than compute 10**huge
        return False
    mantissa = int("".join(map(str, digits)))
    return (mantissa * 4) % (10 ** -exponent) == 0


def show(hours: Decimal) -> str:
    """1.50 -> '1.5', 4.00 -> '4'."""
    return f"{hours.normalize():f}"


def to_quarters(hours: Decimal) -> int:
    return int(hours * 4)


def to_hours(quarters: int | None) -> Decimal:
    return Decimal(quarters or 0) / 4


@dataclass(frozen=True)
class Usage:
    """Hours already booked on one application, per kind."""

    first_consultation: Decimal = Decimal(0)
    further: Decimal = Decimal(0)

    def of(self, kind: str) -> Decimal:
        return getattr(self, kind)

    def plus(self, kind: str, hours: Decimal) -> "Usage":
        return Usage(**{**self.__dict__, kind: self.of(kind) + hours})
