"""What the hub's community pages read: the network calendar (every site's events, counts only) and a
country's stakeholder platform (its active members, named from the consolidated register, and its forums).

An event is shown in the reader's language when it has a text in it, else in the first language its site
gave (`text_in`); the link to register goes to the event's page at its own site, which keeps the
registrations.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone

from sqlalchemy import Connection, and_, select

from services.contracts.events.community import ACTIVE, CANCELLED
from services.hub.community.store import hub_community_event, hub_platform_member
from services.hub.register.store import hub_organisation

CALENDAR_LIMIT = 500  # the calendar shows at most this many events (months ahead of any real network)


@dataclass(frozen=True)
class CalendarFilters:
    country: str | None = None
    site: str | None = None
    kind: str | None = None
    sites: tuple[str, ...] | None = None  # only these sites (a country's platform)
    forums_only: bool = False


@dataclass(frozen=True)
class EventView:
    site: str
    event_id: str
    reference: str
    kind: str
    scope: str
    platform_forum: bool
    title: str
    summary: str
    texts: list  # every language its site gave
    languages: list
    starts_at: datetime
    ends_at: datetime
    venue: str
    country: str
    capacity: int
    registered: int
    waiting: int
    status: str
    updated_at: datetime
    url: str

    @property
    def cancelled(self) -> bool:
        return self.status == CANCELLED

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.registered, 0)

    @property
    def network_wide(self) -> bool:
        return self.scope == "network"


@dataclass(frozen=True)
class MemberView:
    site: str
    organisation_id: str
    name: str | None  # None: the organisation is not (or no longer) in the consolidated register
    organisation_kind: str | None
    role: str
    joined_on: date


def text_in(texts: list, language: str) -> dict:
    """The text in `language`, else the first one given."""
    return next((t for t in texts if t.get("language") == language), texts[0] if texts else {})


def event_url(site_urls: dict[str, str], site: str, event_id: str) -> str:
    return f"{site_urls.get(site, '').rstrip('/')}/events/{event_id}"


def _conditions(filters: CalendarFilters) -> list:
    e = hub_community_event
    conditions = []
    if filters.country:
        conditions.append(e.c.country == filters.country)
    if filters.site:
        conditions.append(e.c.site == filters.site)
    if filters.kind:
        conditions.append(e.c.kind == filters.kind)
    if filters.sites is not None:
        conditions.append(e.c.site.in_(filters.sites))
    if filters.forums_only:
        conditions.append(e.c.platform_forum.is_(True))
    return conditions


def upcoming(conn: Connection, filters: CalendarFilters, now: datetime, language: str,
             site_urls: dict[str, str]) -> list[EventView]:
    """Events not yet over (cancelled ones too, marked so), soonest first."""
    e = hub_community_event
    query = (select(e).where(e.c.ends_at >= now, *_conditions(filters))
             .order_by(e.c.starts_at, e.c.site, e.c.id).limit(CALENDAR_LIMIT))
    return [_view(row, language, site_urls) for row in conn.execute(query).mappings()]


def past(conn: Connection, filters: CalendarFilters, now: datetime, language: str, site_urls: dict[str, str],
         limit: int = 50) -> list[EventView]:
    """Events that are over, latest first."""
    e = hub_community_event
    query = (select(e).where(e.c.ends_at < now, *_conditions(filters))
             .order_by(e.c.starts_at.desc(), e.c.site, e.c.id).limit(limit))
    return [_view(row, language, site_urls) for row in conn.execute(query).mappings()]


def _view(row, language: str, site_urls: dict[str, str]) -> EventView:
    text = text_in(row["texts"], language)
    return EventView(
        site=row["site"], event_id=row["id"], reference=row["reference"], kind=row["kind"], scope=row["scope"],
        platform_forum=row["platform_forum"], title=text.get("title", row["reference"]),
        summary=text.get("summary", ""), texts=list(row["texts"]), languages=list(row["languages"]), starts_at=row["starts_at"],
        ends_at=row["ends_at"], venue=row["venue"], country=row["country"], capacity=row["capacity"],
        registered=row["registered"], waiting=row["waiting"], status=row["status"],
        updated_at=_aware(row["last_occurred_at"]), url=event_url(site_urls, row["site"], row["id"]))


def _aware(moment: datetime) -> datetime:
    # The bookkeeping column is a plain DateTime: SQLite hands it back without its offset (it is UTC).
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=timezone.utc)


def members(conn: Connection, country: str) -> list[MemberView]:
    """The platform's active members, by name; an organisation withdrawn from the register is not shown."""
    m, o = hub_platform_member, hub_organisation
    query = (select(m.c.site, m.c.organisation_id, m.c.role, m.c.joined_on, o.c.name, o.c.kind, o.c.status)
             .select_from(m.outerjoin(o, and_(o.c.site == m.c.site, o.c.id == m.c.organisation_id)))
             .where(m.c.country == country, m.c.status == ACTIVE))
    found = [r for r in conn.execute(query).mappings() if r["status"] != "withdrawn"]
    views = [MemberView(site=r["site"], organisation_id=r["organisation_id"], name=r["name"],
                        organisation_kind=r["kind"], role=r["role"], joined_on=r["joined_on"]) for r in found]
    return sorted(views, key=lambda v: ((v.name or "\uffff").casefold(), v.site, v.organisation_id))


def member_counts(conn: Connection, countries: list[str]) -> dict[str, int]:
    """{country: members shown on its platform's page} (the same rule as `members`)."""
    return {country: len(members(conn, country)) for country in countries}
