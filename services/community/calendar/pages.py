"""Community events in the browser, for the public: the upcoming events (/events, by kind), one event with
its seats and the registration form (/events/<id>), the registrant's own page by the secret link
(/events/registration/<token>: status, cancel), and the calendar files (/events.ics, /events/<id>.ics).

The registration form is loaded with the API's schema and calls the API's handler; wrong input is shown
beside its field in the page's language (a 422), a refusal (full duplicate, past or cancelled event) as a
message about the form (a 409). Public writes are CSRF-protected and count against the address's
public-write allowance like every `@public` form.
"""
from __future__ import annotations

from flask import Response, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from services.common.auth import public
from services.common.clock import utcnow
from services.common.errors import NotFound, SoproError
from services.common.runtime import current_runtime
from services.community.calendar import feed, handlers, notices, store
from services.community.calendar.api import present, present_all
from services.community.calendar.page_texts import KINDS, STATUSES, translate_error, translate_field_messages
from services.community.calendar.schemas import CommunityRegistrationSchema
from services.web import forms, nav_link, page_blueprint
from services.web.i18n import language
from services.web.ical import MEDIA_TYPE

blp = page_blueprint("community_event_pages", __name__)
nav_link(blp, "events", _l("Events"), order=40)

PERSON_FIELDS = ("name", "email", "organisation", "consent")


def _shown(event) -> dict:
    return {**event, "text": next((t for t in event["texts"] if t["language"] == language()), event["texts"][0])}


@blp.route("/events")
@public
def events():
    kind = request.args.get("kind", "")
    kind = kind if kind in KINDS else ""
    with current_runtime().engine.connect() as conn:
        shown = [_shown(e) for e in present_all(conn, store.events(conn, after=utcnow(), kind=kind or None))]
    hub = next((site for site in current_runtime().settings.federation.sites.values() if site.is_hub), None)
    network_calendar = f"{hub.url.rstrip('/')}/calendar" if hub is not None and hub.url else None
    return render_template("community/events.html", events=shown, kind=kind, kinds=KINDS, statuses=STATUSES,
                           network_calendar=network_calendar)


def _event_page(event_id: str, form=None, status: int = 200):
    with current_runtime().engine.connect() as conn:
        event = store.load_event(conn, event_id)
        shown = _shown(present(event, store.counts(conn, [event.id])[event.id]))
    is_open = shown["status"] == "scheduled" and event.starts_at > utcnow()
    return render_template("community/event.html", event=shown, form=form or forms.FormState(), kinds=KINDS,
                           statuses=STATUSES, is_open=is_open), status


@blp.route("/events/<uuid:event_id>")
@public
def event(event_id):
    return _event_page(str(event_id))


@blp.route("/events/<uuid:event_id>/register", methods=["POST"])
@public
def register(event_id):
    runtime = current_runtime()
    with runtime.engine.connect() as conn:
        store.load_event(conn, str(event_id))  # 404 first
    body, values = forms.body_from(request.form, PERSON_FIELDS, flags=("consent",))
    state = forms.FormState(values=values)
    body["language"] = language()
    loaded = forms.load(CommunityRegistrationSchema(), body, state)
    if loaded is None:
        translate_field_messages(state)
        return _event_page(str(event_id), state, 422)
    try:
        done = handlers.register(runtime.uow(), str(event_id), loaded, utcnow(), notices.event_mail(runtime))
    except SoproError as exc:
        translate_error(exc, state)
        return _event_page(str(event_id), state, exc.status)
    return redirect(url_for(".registration", token=done.token, new=1))


def _registration_of(token: str):
    with current_runtime().engine.connect() as conn:
        found = handlers.find_registration(conn, token)
        if found is None:  # unknown, mistyped or cut off: the same answer, so a guess learns nothing
            raise NotFound("no registration is opened with this link", code="unknown_registration_link")
        event = store.load_event(conn, found.event_id, lock=False)
        event.registrations = store.registrations_of(conn, event.id, ("registered", "waiting"))
        return found, event


@blp.route("/events/registration/<token>")
@public
def registration(token):
    found, event = _registration_of(token)
    return render_template("community/registration.html", registration=found, event=_shown(present(event)),
                           position=event.position_of(found), new=request.args.get("new") == "1",
                           link=url_for(".registration", token=token, _external=True),
                           may_cancel=found.status != "cancelled" and event.starts_at > utcnow(), statuses=STATUSES)


@blp.route("/events/registration/<token>/cancel", methods=["POST"])
@public
def cancel_registration(token):
    found, event = _registration_of(token)
    runtime = current_runtime()
    try:
        handlers.cancel_registration(runtime.uow(), event.id, found.id, utcnow(), notices.event_mail(runtime))
    except SoproError as exc:
        if exc.status != 409:  # already cancelled: the page says so
            raise
    return redirect(url_for(".registration", token=token))


# --- calendar files --------------------------------------------------------------------------------

def _ics(body: bytes, filename: str) -> Response:
    return Response(body, mimetype=MEDIA_TYPE.split(";")[0], headers={
        "Content-Type": MEDIA_TYPE, "Content-Disposition": f'attachment; filename="{filename}"'})


@blp.route("/events.ics")
@public
def calendar_feed():
    site = current_runtime().settings.site
    with current_runtime().engine.connect() as conn:
        found = store.events(conn, after=utcnow())
        changed = store.updated_at(conn, [e.id for e in found])
    body = feed.calendar_of([(e, changed[e.id]) for e in found], site.id, site.url, language(),
                            _("Events at %(site)s", site=site.name))
    return _ics(body, f"events-{site.id.lower()}.ics")


@blp.route("/events/<uuid:event_id>.ics")
@public
def event_file(event_id):
    site = current_runtime().settings.site
    with current_runtime().engine.connect() as conn:
        found = store.load_event(conn, str(event_id))
        changed = store.updated_at(conn, [found.id])
    body = feed.calendar_of([(found, changed[found.id])], site.id, site.url, language(), found.reference)
    return _ics(body, f"{found.reference}.ics")
