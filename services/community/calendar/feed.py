"""The site's community events as iCalendar (services.web.ical): one event's download and the feed of the
upcoming ones; a cancelled event stays in the feed as STATUS:CANCELLED so subscribers see it called off."""
from __future__ import annotations

from datetime import datetime

from services.community.calendar.model import CommunityEvent
from services.community.calendar.notices import text_in
from services.contracts.events.community import CANCELLED
from services.web import ical


def entry(event: CommunityEvent, site_id: str, site_url: str, language: str, updated_at: datetime) -> ical.Entry:
    text = text_in(event, language)
    return ical.Entry(uid=ical.uid_of(event.id, site_id), title=text["title"], description=text["summary"],
                      starts_at=event.starts_at, ends_at=event.ends_at, location=event.venue,
                      url=f"{site_url.rstrip('/')}/events/{event.id}", updated_at=updated_at,
                      cancelled=event.status == CANCELLED)


def calendar_of(events: list[tuple[CommunityEvent, datetime]], site_id: str, site_url: str, language: str,
                name: str) -> bytes:
    """`events`: each with the time it last changed."""
    return ical.calendar([entry(e, site_id, site_url, language, updated) for e, updated in events], name)
