"""The network calendar as JSON (public): every site's upcoming community events with their counts.

What the calendar page shows, for programs: each event's texts in every language its site gave, its dates
(UTC), the languages it is held in, its seats (capacity, taken, left) and how many wait, never who; and the
address of its page at its own site, where people register. An unknown query parameter, country, site or
kind is a 422 with field messages.
"""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import validate

from services.common.auth import public
from services.common.clock import utcnow
from services.common.runtime import current_runtime
from services.contracts.events.community import EVENT_KINDS, EVENT_SCOPES, EVENT_STATUSES
from services.hub.community import queries
from services.hub.query import STRICT_QUERY, SiteQuery, UtcDateTime

blp = Blueprint("hub_community_api", __name__, url_prefix="/api/v1",
                description="The network calendar: every site's upcoming events with their counts (public)")


def countries() -> list[str]:
    """The member sites' countries, each once, in the order the federation lists them."""
    seen: list[str] = []
    for site in current_runtime().settings.federation.member_sites:
        if site.country and site.country not in seen:
            seen.append(site.country)
    return seen


def _known_country(value: str) -> None:
    known = countries()
    if value not in known:
        raise ma.ValidationError(f"Must be one of: {', '.join(known)}.")


class CalendarQuery(SiteQuery):
    country = ma.fields.String(validate=_known_country, metadata={"description": "where the event is held"})
    kind = ma.fields.String(validate=validate.OneOf(EVENT_KINDS))


def filters_of(args: dict) -> queries.CalendarFilters:
    return queries.CalendarFilters(country=args.get("country"), site=args.get("site"), kind=args.get("kind"))


def site_urls() -> dict[str, str]:
    return {s.id: s.url for s in current_runtime().settings.federation.member_sites}


class TextSchema(ma.Schema):
    language = ma.fields.String()
    title = ma.fields.String()
    summary = ma.fields.String()


class CalendarEventSchema(ma.Schema):
    site = ma.fields.String(metadata={"description": "the site that holds the event and its registrations"})
    event_id = ma.fields.String()
    reference = ma.fields.String()
    kind = ma.fields.String(metadata={"enum": list(EVENT_KINDS)})
    scope = ma.fields.String(metadata={"enum": list(EVENT_SCOPES)})
    platform_forum = ma.fields.Boolean()
    texts = ma.fields.List(ma.fields.Nested(TextSchema))
    languages = ma.fields.List(ma.fields.String(), metadata={"description": "the languages it is held in"})
    starts_at = UtcDateTime()
    ends_at = UtcDateTime()
    venue = ma.fields.String()
    country = ma.fields.String()
    capacity = ma.fields.Integer()
    registered = ma.fields.Integer(metadata={"description": "seats taken (a count)"})
    seats_left = ma.fields.Integer()
    waiting = ma.fields.Integer(metadata={"description": "people on the waiting list (a count)"})
    status = ma.fields.String(metadata={"enum": list(EVENT_STATUSES)})
    url = ma.fields.String(metadata={"description": "the event's page at its site, to register"})
    updated_at = UtcDateTime()


class CalendarSchema(ma.Schema):
    items = ma.fields.List(ma.fields.Nested(CalendarEventSchema))


@blp.route("/network-calendar")
class NetworkCalendar(MethodView):
    @public
    @blp.arguments(CalendarQuery, **STRICT_QUERY)
    @blp.response(200, CalendarSchema)
    def get(self, args):
        """Every site's events not yet over (cancelled ones too, status `cancelled`), soonest first."""
        with current_runtime().engine.connect() as conn:
            events = queries.upcoming(conn, filters_of(args), utcnow(), "en", site_urls())
        return {"items": events}
