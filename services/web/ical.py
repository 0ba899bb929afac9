"""iCalendar (RFC 5545) for community events, by the `icalendar` library: one event's download and a
calendar's feed, at a site and at the hub.

An entry's UID is stable (the event's id and the site that holds it), so a calendar application that
subscribed to the feed updates an event in place when it changes, and a cancelled event is sent as
STATUS:CANCELLED rather than dropped, so subscribers see it called off. Times are UTC.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from icalendar import Calendar, Event

PRODUCT_ID = "-//SoPro Federation//Community events//EN"
MEDIA_TYPE = "text/calendar; charset=utf-8"


@dataclass(frozen=True)
class Entry:
    """One event as a calendar shows it, in the reader's language."""

    uid: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    location: str
    url: str
    updated_at: datetime
    cancelled: bool = False


def uid_of(event_id: str, site: str) -> str:
    return f"{event_id}@{site.lower()}.sopro"


def calendar(entries: list[Entry], name: str) -> bytes:
    """A VCALENDAR with one VEVENT per entry (METHOD:PUBLISH: a published calendar, not an invitation)."""
    cal = Calendar()
    cal.add("prodid", PRODUCT_ID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    for entry in entries:
        cal.add_component(_event(entry))
    return cal.to_ical()


def _event(entry: Entry) -> Event:
    event = Event()
    event.add("uid", entry.uid)
    event.add("dtstamp", _utc(entry.updated_at))
    event.add("last-modified", _utc(entry.updated_at))
    event.add("dtstart", _utc(entry.starts_at))
    event.add("dtend", _utc(entry.ends_at))
    event.add("summary", entry.title)
    if entry.description:
        event.add("description", entry.description)
    if entry.location:
        event.add("location", entry.location)
    event.add("url", entry.url)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    return event


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("an event's times must be aware (UTC)")
    return moment.astimezone(timezone.utc)
