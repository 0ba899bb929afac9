"""HTTP API of community events: /api/v1/community-events.

Access (default deny; every method declares its rule):
- public: the upcoming events, one event, and registering (a public write: CSRF-free for the API, counted
  against the address's public-write allowance like every `@public` write, services/common/ratelimit);
- broker and site_admin ("staff"): announcing and changing events, and their registrations (names and
  addresses: staff only).
"""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from services.common.auth import public, roles
from services.common.clock import utcnow
from services.common.runtime import current_runtime
from services.community.calendar import handlers, notices, store
from services.community.calendar.model import CommunityEvent, Registration
from services.community.calendar.schemas import (
    CommunityEventList, CommunityEventPatch, CommunityEventQuery, CommunityEventSchema,
    CommunityPublicRegistrationSchema, CommunityRegistrationList, CommunityRegistrationSchema,
)

blp = Blueprint("community_events", __name__, url_prefix="/api/v1", description="Community events at this site")

STAFF = ("site_admin", "broker")


def present(event: CommunityEvent, counts: dict | None = None) -> dict:
    """The event as the API and the pages show it, with its counts (from `counts` or its registrations)."""
    if counts is None:
        counts = {"registered": len(event.registered), "waiting": len(event.waiting_list)}
    return {**event.snapshot(), "id": event.id, "registered": counts["registered"], "waiting": counts["waiting"],
            "seats_left": max(event.capacity - counts["registered"], 0)}


def present_all(conn, events: list[CommunityEvent]) -> list[dict]:
    counts = store.counts(conn, [e.id for e in events])
    return [present(e, counts[e.id]) for e in events]


def read_event(event_id: str) -> dict:
    with current_runtime().engine.connect() as conn:
        event = store.load_event(conn, event_id)
        return present(event, store.counts(conn, [event.id])[event.id])


def registration_url(token: str) -> str:
    return f"{current_runtime().settings.site.url.rstrip('/')}{notices.REGISTRATION_PATH}{token}"


@blp.route("/community-events")
class Events(MethodView):
    @public
    @blp.arguments(CommunityEventQuery, location="query")
    @blp.response(200, CommunityEventList)
    def get(self, query):
        """The site's upcoming events (not yet over), in order of start; cancelled ones say so."""
        with current_runtime().engine.connect() as conn:
            return {"items": present_all(conn, store.events(conn, after=utcnow(), kind=query.get("kind")))}

    @roles(*STAFF)
    @blp.arguments(CommunityEventSchema)
    @blp.response(201, CommunityEventSchema)
    def post(self, fields):
        """Announce an event (it must start in the future and end after it starts)."""
        runtime = current_runtime()
        event = handlers.create_event(runtime.uow(), runtime.settings.site, fields, utcnow())
        return read_event(event.id)


@blp.route("/community-events/<uuid:event_id>")
class EventById(MethodView):
    @public
    @blp.response(200, CommunityEventSchema)
    def get(self, event_id):
        """One event, with seats left and the waiting list's length."""
        return read_event(str(event_id))

    @roles(*STAFF)
    @blp.arguments(CommunityEventPatch)
    @blp.response(200, CommunityEventSchema)
    def patch(self, changes, event_id):
        """Change an event's terms. A higher capacity moves the waiting up; one below the seats taken is a 409,
        and so is any change of a cancelled event."""
        runtime = current_runtime()
        handlers.update_event(runtime.uow(), str(event_id), changes, utcnow(), notices.event_mail(runtime))
        return read_event(str(event_id))


@blp.route("/community-events/<uuid:event_id>/cancel")
class EventCancelling(MethodView):
    @roles(*STAFF)
    @blp.response(200, CommunityEventSchema)
    def post(self, event_id):
        """Call the event off; its registrants are told by mail."""
        runtime = current_runtime()
        handlers.cancel_event(runtime.uow(), str(event_id), utcnow(), notices.event_mail(runtime))
        return read_event(str(event_id))


def _staff_view(r: Registration) -> dict:
    return {"id": r.id, "arrival": r.arrival, "name": r.name, "email": r.email, "organisation": r.organisation,
            "language": r.language, "status": r.status, "registered_at": r.registered_at}


@blp.route("/community-events/<uuid:event_id>/registrations")
class Registrations(MethodView):
    @roles(*STAFF)
    @blp.response(200, CommunityRegistrationList)
    def get(self, event_id):
        """Everyone who registered, in order of arrival (staff only: names and addresses)."""
        with current_runtime().engine.connect() as conn:
            store.load_event(conn, str(event_id))  # 404 first
            return {"items": [_staff_view(r) for r in store.registrations_of(conn, str(event_id))]}

    @public
    @blp.arguments(CommunityRegistrationSchema)
    @blp.response(201, CommunityPublicRegistrationSchema)
    def post(self, person, event_id):
        """Register: a seat while any is left, else the waiting list. The answer holds the secret link to see
        or cancel the registration (also mailed); a second registration of the address is a 409."""
        runtime = current_runtime()
        person["language"] = person.get("language") or runtime.settings.site.languages[0]
        done = handlers.register(runtime.uow(), str(event_id), person, utcnow(), notices.event_mail(runtime))
        r = done.registration
        return {"id": r.id, "status": r.status, "arrival": r.arrival, "waiting_position": done.position,
                "registration_url": registration_url(done.token)}
