"""Community events in the back office (brokers and site admins): the site's events and the form to
announce one (/office/events), one event with its edit form (terms, a higher capacity), calling it off,
and its registrations (names and addresses: staff only) (/office/events/<id>).

Forms are loaded with the API's schemas (`CommunityEventSchema`, `CommunityEventPatch`) and call the API's
handlers; wrong input is shown beside its field in the page's language.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from services.common.auth import roles
from services.common.clock import utcnow
from services.common.errors import Invalid, SoproError
from services.common.runtime import current_runtime
from services.community.calendar import event_form, handlers, notices, store
from services.community.calendar.api import present, present_all
from services.community.calendar.model import check_terms
from services.community.calendar.page_texts import (
    EVENT_STATUSES, KINDS, MESSAGES, SCOPES, STATUSES, translate_error, translate_field_messages,
)
from services.community.calendar.schemas import CommunityEventPatch, CommunityEventSchema
from services.contracts.events.community import LANGUAGES
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint
from services.web.i18n import LANGUAGE_NAMES, language

STAFF = ("site_admin", "broker")

blp = page_blueprint("community_event_office_pages", __name__)
nav_link(blp, "events", _l("Events"), roles=STAFF, area=OFFICE_AREA, order=45)


def _title(event: dict) -> str:
    return next((t for t in event["texts"] if t["language"] == language()), event["texts"][0])["title"]


def _render(template: str, status: int = 200, **context):
    return render_template(template, kinds=KINDS, scopes=SCOPES, statuses=STATUSES, event_statuses=EVENT_STATUSES,
                           languages=LANGUAGES,
                           language_names=LANGUAGE_NAMES, title_of=_title, **context), status


def _list_page(form=None, status: int = 200):
    with current_runtime().engine.connect() as conn:
        shown = present_all(conn, list(reversed(store.events(conn))))
    form = form or forms.FormState(values={"scope": "site", "held_" + language(): "on"})
    return _render("community/office_events.html", status, events=shown, form=form)


def _rules_broken(data: dict, refused) -> list[tuple[str, list[str]]]:
    """The model's rules on what the schema could read, in the same round as the schema's messages."""
    try:
        check_terms({k: v for k, v in data.items() if k not in refused}, utcnow())
    except Invalid as exc:
        return [(event_form.RENAMED.get(name, name), [str(MESSAGES.get(m, m)) for m in messages])
                for name, messages in exc.errors.items()]
    return []


@blp.route("/office/events", methods=["GET", "POST"])
@roles(*STAFF)
def events():
    if request.method == "GET":
        return _list_page()
    state = forms.FormState()
    body, own = event_form.body_of(request.form, state)
    loaded = forms.load_checked(CommunityEventSchema(), body, state, _rules_broken)
    translate_field_messages(state)
    event_form.own_messages(state, own)
    if loaded is None or not state.valid:
        return _list_page(state, 422)
    runtime = current_runtime()
    try:
        created = handlers.create_event(runtime.uow(), runtime.settings.site, loaded, utcnow())
    except SoproError as exc:
        translate_error(exc, state, event_form.RENAMED)
        return _list_page(state, exc.status)
    flash(_("The event has been announced."), "success")
    return redirect(url_for(".event", event_id=created.id))


def _event_page(event_id: str, form=None, status: int = 200):
    with current_runtime().engine.connect() as conn:
        event = store.load_event(conn, event_id)
        shown = present(event, store.counts(conn, [event.id])[event.id])
        registrations = store.registrations_of(conn, event.id)
    form = form or forms.FormState(values=event_form.values_of(shown))
    return _render("community/office_event.html", status, event=shown, form=form, registrations=registrations,
                   editable=shown["status"] == "scheduled")


@blp.route("/office/events/<uuid:event_id>", methods=["GET", "POST"])
@roles(*STAFF)
def event(event_id):
    if request.method == "GET":
        return _event_page(str(event_id))
    runtime = current_runtime()
    with runtime.engine.connect() as conn:
        store.load_event(conn, str(event_id))  # 404 first
    state = forms.FormState()
    body, own = event_form.body_of(request.form, state)
    loaded = forms.load(CommunityEventPatch, body, state)
    translate_field_messages(state)
    event_form.own_messages(state, own)
    if loaded is None or not state.valid:
        return _event_page(str(event_id), state, 422)
    try:
        handlers.update_event(runtime.uow(), str(event_id), loaded, utcnow(), notices.event_mail(runtime))
    except SoproError as exc:
        translate_error(exc, state, event_form.RENAMED)
        if exc.code == "capacity_below_seats_taken":
            state.errors["capacity"], state.message = [state.message], None
        return _event_page(str(event_id), state, exc.status)
    flash(_("The event has been changed."), "success")
    return redirect(url_for(".event", event_id=event_id))


@blp.route("/office/events/<uuid:event_id>/cancel", methods=["POST"])
@roles(*STAFF)
def cancel(event_id):
    runtime = current_runtime()
    try:
        handlers.cancel_event(runtime.uow(), str(event_id), utcnow(), notices.event_mail(runtime))
    except SoproError as exc:
        if exc.status != 409:
            raise
        flash(_("The event is cancelled already."), "error")
    else:
        flash(_("The event has been cancelled; its registrants are told by mail."), "success")
    return redirect(url_for(".event", event_id=event_id))
