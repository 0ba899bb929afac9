"""Community events and platform members as the sites publish them (the contract's data), for tests of the
hub's community handlers and pages: envelopes fed through the hub's handlers (tests/support/hub.apply)."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

from services.common.envelope import Envelope
from tests.support.events import envelope


def in_days(days: int, hour: int = 9) -> datetime:
    moment = datetime.now(timezone.utc) + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def event_data(event_id: str, **changes) -> dict:
    """A community event's snapshot: a forum at AT12 in 20 days, 30 seats of which 12 taken."""
    starts = changes.pop("starts_at", in_days(20))
    return {
        "event_id": event_id, "reference": "AT12-V-2026-0001", "kind": "forum", "scope": "site",
        "platform_forum": False,
        "texts": [{"language": "de", "title": "Forum Kreislaufwirtschaft", "summary": "Austausch über Reparatur"},
                  {"language": "en", "title": "Circular economy forum", "summary": "Exchange on repair"}],
        "languages": ["de"], "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=4)).isoformat(),
        "venue": "Stadtsaal St. Pölten, Rathausplatz 1", "country": "AT", "nuts3": "AT123",
        "capacity": 30, "registered": 12, "waiting": 0, "status": "scheduled", **changes,
    }


def event(version: int, event_id: str, type_name: str = "community.event.published", site: str = "AT12",
          **changes) -> Envelope:
    return envelope(type_name, event_id, version, event_data(event_id, **changes), site=site)


def member(version: int, organisation_id: str, site: str = "AT12", country: str = "AT", role: str = "ngo",
           status: str = "active", aggregate_id: str | None = None) -> Envelope:
    type_name = "community.platform_member.joined" if status == "active" else "community.platform_member.left"
    data = {"organisation_id": organisation_id, "country": country, "role": role,
            "joined_on": date(2026, 2, 1).isoformat(), "status": status}
    return envelope(type_name, aggregate_id or organisation_id, version, data, site=site)


def new_id() -> str:
    return str(uuid.uuid4())
