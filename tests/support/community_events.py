"""A site for the community events' tests and the bodies they post (racing sign-ups: `tests.support.sites.race`)."""
from __future__ import annotations

from datetime import timedelta

from services.common.clock import utcnow
from tests.support.sites import STAFF, Site


def event_body(**overrides) -> dict:
    starts = (utcnow() + timedelta(days=10)).replace(microsecond=0)
    return {"kind": "forum", "texts": [
                {"language": "de", "title": "Forum Soziale Produktion", "summary": "Austausch der Plattform"},
                {"language": "hu", "title": "Szociális termelés fórum", "summary": "Az érintetti platform fóruma"}],
            "languages": ["de", "hu"], "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=3)).isoformat(), "venue": "Landhausplatz 1, St. Pölten",
            "capacity": 20, "platform_forum": True, **overrides}


def person(n: int, language: str = "de") -> dict:
    return {"name": f"Person {n:02d}", "email": f"person{n:02d}@example.at", "organisation": "Verein Beispiel",
            "language": language, "consent": True}


class EventsSite(Site):
    def __init__(self, settings):
        super().__init__(settings, STAFF)

    def event(self, **overrides) -> dict:
        return self.ok("POST", "/community-events", expect=201, json=event_body(**overrides))

    def register(self, event_id: str, n: int, expect: int = 201, **overrides) -> dict:
        return self.ok("POST", f"/community-events/{event_id}/registrations", None, expect,
                       json={**person(n), **overrides})
