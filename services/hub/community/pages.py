"""The hub's public community pages: the network calendar (`/calendar`, and its iCalendar feed
`/calendar.ics`) and the national stakeholder platforms (`/platforms`, `/platforms/<country>`).

They read only what the sites published: each event's public description and its counts (seats taken,
people waiting), never who registered; a platform's members are organisations. Registering happens at the
event's own site, which the calendar links to. Filters are read with a schema like every hub page: a wrong
value is a field message in the page's language (422), never a 500; an unknown country is a 404.
"""
from __future__ import annotations

from itertools import groupby

from babel import dates as babel_dates
from flask import Response, render_template
from flask_babel import get_timezone, lazy_gettext as _l

from services.common.auth import public
from services.common.clock import utcnow
from services.common.errors import NotFound
from services.common.runtime import current_runtime
from services.contracts.events.community import EVENT_KINDS
from services.hub.community import api, queries
from services.hub.web.public import member_sites, read_query, status_of
from services.web import ical, nav_link, page_blueprint
from services.web.dates import date_locale, show_datetime
from services.web.i18n import LANGUAGE_NAMES, language
from services.web.messages import translate

blp = page_blueprint("hub_community", __name__)

nav_link(blp, "calendar", _l("Network calendar"), order=60)
nav_link(blp, "platforms", _l("Stakeholder platforms"), order=70)

KIND_TERMS = {
    "forum": _l("Forum"),
    "conference": _l("Conference"),
    "seminar": _l("Seminar"),
    "training": _l("Training"),
    "good_practice_visit": _l("Good-practice visit"),
}
ROLE_TERMS = {
    "social_enterprise": _l("Social enterprise"),
    "company": _l("Company"),
    "public_body": _l("Public body"),
    "ngo": _l("Non-governmental organisation"),
    "research": _l("Research"),
    "funder": _l("Funder"),
}
COUNTRY_NAMES = {"AT": _l("Austria"), "HU": _l("Hungary")}


@blp.app_template_filter("community_term")
def community_term(code) -> str:
    return str(KIND_TERMS.get(code) or ROLE_TERMS.get(code) or code)


@blp.app_template_filter("language_name")
def language_name(code) -> str:
    return LANGUAGE_NAMES.get(code, code)


@blp.app_template_filter("event_span")
def event_span(event: queries.EventView) -> str:
    """From when to when in the page's language; the end's time only when it ends on the day it starts."""
    zone = get_timezone()
    starts, ends = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    if starts.date() == ends.date():
        return f"{show_datetime(starts, 'short')} – {babel_dates.format_time(ends, 'short', locale=date_locale())}"
    return f"{show_datetime(starts, 'short')} – {show_datetime(ends, 'short')}"


def country_name(code: str) -> str:
    return str(COUNTRY_NAMES.get(code, code))


def _by_month(events: list[queries.EventView]) -> list[tuple[str, list[queries.EventView]]]:
    """(the month in the page's language, its events), in the hub's time zone."""
    zone, locale = get_timezone(), date_locale()
    months = []
    for _, group in groupby(events, key=lambda e: e.starts_at.astimezone(zone).strftime("%Y-%m")):
        items = list(group)
        first_day = items[0].starts_at.astimezone(zone).date()
        months.append((babel_dates.format_date(first_day, "LLLL yyyy", locale=locale), items))
    return months


def _site_names() -> dict[str, str]:
    return {s.id: s.name for s in current_runtime().settings.federation.member_sites}


@blp.route("/calendar")
@public
def calendar():
    """Every site's upcoming events, by month: network-wide ones marked, seats left or how many wait."""
    args, state = read_query(api.CalendarQuery())
    months = []
    if args is not None:
        runtime = current_runtime()
        with runtime.engine.connect() as conn:
            events = queries.upcoming(conn, api.filters_of(args), utcnow(), language(), api.site_urls())
        months = _by_month(events)
    return render_template(
        "hub/community/calendar.html", form=state, months=months, sites=member_sites(), site_names=_site_names(),
        countries=[(c, country_name(c)) for c in api.countries()],
        kinds=[(k, str(KIND_TERMS[k])) for k in EVENT_KINDS]), status_of(state)


@blp.route("/calendar.ics")
@public
def calendar_feed():
    """The network calendar as iCalendar, in the reader's language, with the same filters as the page."""
    args, state = read_query(api.CalendarQuery())
    if args is None:
        lines = [f"{name}: {' '.join(translate(m) for m in messages)}" for name, messages in state.errors.items()]
        return Response("\n".join(lines) + "\n", status=422, mimetype="text/plain")
    with current_runtime().engine.connect() as conn:
        events = queries.upcoming(conn, api.filters_of(args), utcnow(), language(), api.site_urls())
    entries = [ical.Entry(uid=ical.uid_of(e.event_id, e.site), title=f"{e.title} ({e.site})", description=e.summary,
                          starts_at=e.starts_at, ends_at=e.ends_at, location=e.venue, url=e.url,
                          updated_at=e.updated_at, cancelled=e.cancelled) for e in events]
    body = ical.calendar(entries, str(_l("SoPro network calendar")))
    return Response(body, mimetype=ical.MEDIA_TYPE,
                    headers={"Content-Disposition": "inline; filename=sopro-network-calendar.ics"})


@blp.route("/platforms")
@public
def platforms():
    """The national stakeholder platforms, one per country of the network."""
    countries = api.countries()
    with current_runtime().engine.connect() as conn:
        counts = queries.member_counts(conn, countries)
    return render_template("hub/community/platforms.html",
                           platforms=[(c, country_name(c), counts[c]) for c in countries])


@blp.route("/platforms/<country>")
@public
def platform(country: str):
    """A country's platform: its member organisations (from the consolidated register) and its forums."""
    code = country.strip().upper()
    if code not in api.countries():
        raise NotFound("no stakeholder platform of this country in the network")
    runtime = current_runtime()
    sites = tuple(s.id for s in runtime.settings.federation.member_sites if s.country == code)
    filters = queries.CalendarFilters(sites=sites, forums_only=True)
    now = utcnow()
    with runtime.engine.connect() as conn:
        members = queries.members(conn, code)
        upcoming = queries.upcoming(conn, filters, now, language(), api.site_urls())
        past = queries.past(conn, filters, now, language(), api.site_urls())
    return render_template("hub/community/platform.html", country=code, name=country_name(code), members=members,
                           upcoming=upcoming, past=past, site_names=_site_names())
