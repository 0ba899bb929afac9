"""One allocation round as the order's history keeps it: why it ran, what it was asked, what came of
it, its shares with their reason codes and its shortfalls with theirs. No sentences: the solver's
English diagnostics (`Allocation.explanation`) stay in the logs."""
from __future__ import annotations

from datetime import datetime

from services.hub.crossborder.allocation import Allocation

REQUEST, DECLINE, FAILURE = "request", "decline", "failure"  # what made the hub allocate


def entry(cause: str, requested: int, allocation: Allocation | None, max_partners: int, out_of_radius: int,
          now: datetime) -> dict:
    """The round; `allocation` None: the order's partner limit left no room for another partner."""
    if allocation is None:
        found = {"requested": requested, "allocated": 0, "missing": requested, "method": "none", "status": "none",
                 "gap": None, "shares": [], "total_cost_eur": "0",
                 "shortfalls": [{"code": "partners", "quantity": requested,
                                 "params": {"quantity": requested, "max_partners": max_partners}}]}
    else:
        found = allocation.to_dict()
        found.pop("explanation")
    return {**found, "cause": cause, "out_of_radius": out_of_radius, "at": now.isoformat()}
