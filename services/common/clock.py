"""The one clock of sites and hub: timezone-aware UTC, so that no naive or local time is ever stored.

Modules import `utcnow` by name and call it at run time, so a test can shift a module's clock with
`monkeypatch.setattr(module, "utcnow", ...)` (tests/faults/test_replay_and_clocks.py does).
"""
from __future__ import annotations

from datetime import date, datetime, timezone


def utcnow() -> datetime:
    """Now, as an aware UTC datetime: what every timestamp the services store or compare is."""
    return datetime.now(timezone.utc)


def utc_today() -> date:
    """Today's date in UTC: the date a site's rules (deadlines, validity) are checked against."""
    return utcnow().date()
