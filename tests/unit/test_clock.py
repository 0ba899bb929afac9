"""The kernel's clock: every stored timestamp is an aware UTC datetime."""
from __future__ import annotations

from datetime import timedelta, timezone

from services.common import clock


def test_utcnow_is_aware_utc():
    now = clock.utcnow()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)
    assert now.tzinfo == timezone.utc


def test_utc_today_is_the_date_of_utcnow(monkeypatch):
    late = clock.utcnow().replace(year=2026, month=3, day=31, hour=23, minute=59)
    monkeypatch.setattr(clock, "utcnow", lambda: late)
    assert str(clock.utc_today()) == "2026-03-31"

