"""A firm's application to a programme: who applied, its place in the queue, and where it stands. No I/O.

Applications are numbered in order of arrival. A live application (accepted or waiting) holds or
waits for a place; a withdrawn (by the firm) or cancelled (by the site) one has ended.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

ACCEPTED, WAITING, WITHDRAWN, CANCELLED = "accepted", "waiting", "withdrawn", "cancelled"
LIVE = (ACCEPTED, WAITING)


@dataclass(frozen=True)
class Firm:
    """A member organisation of the site (id and name), or a first contact known by its name only."""

    name: str
    organisation_id: str | None = None

    @property
    def key(self) -> str:
        """What makes two applications the same firm's."""
        return self.organisation_id or "name:" + " ".join(self.name.split()).casefold()


@dataclass
class Application:
    id: str
    programme_id: str
    firm: Firm
    arrival: int
    status: str
    applied_at: datetime
    ended_at: datetime | None = None
    reason: str | None = None

    @property
    def is_live(self) -> bool:
        return self.status in LIVE
