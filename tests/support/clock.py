"""Dates for test data, read at call time rather than at import.

The suite may run across midnight while the services under test read their own clock: a deadline fixed
when a module was collected is then a day short of what the same line means in the service.
"""
from __future__ import annotations

from datetime import date, timedelta


def today() -> date:
    return date.today()


def in_days(days: int) -> date:
    return date.today() + timedelta(days=days)


def today_iso() -> str:
    return date.today().isoformat()
