"""The target site's cross-border pages: the parts the hub forwarded here, and each part's page with
the actions its state allows (accept, decline with a reason, start production, record a delivery with
its impact figures, withdraw, close short).

The site's brokers see every part; a member of a social enterprise sees and answers its own
organisation's parts only (`access.actor_of`: another organisation's part is a 404, as in the API).
Each form is loaded with the API's schema, numbers read in the page's language (`page_numbers`), and
calls the API's handler; what the domain refuses is shown on the part's page in the page's language.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from services.common.auth import current_principal, roles
from services.common.clock import utcnow
from services.common.errors import SoproError
from services.common.runtime import current_runtime
from services.contracts.reasons import DECLINE_REASONS, describe, reason
from services.enquiries.crossborder import handlers, store
from services.enquiries.crossborder.access import PartActor, actor_of, require_access
from services.enquiries.crossborder.model import (
    ACCEPTED, IN_PRODUCTION, PART_STATES, PENDING, ForwardedPart,
)
from services.enquiries.crossborder.page_numbers import as_api_numbers, read_decimal
from services.enquiries.crossborder.pages import crossborder_blueprint, part_term
from services.enquiries.crossborder.parts_api import AcceptSchema, DeclineSchema, NoteSchema, PartDeliverySchema
from services.enquiries.crossborder.production import figures_as_json
from services.enquiries.lifecycle.pages import organisation_names
from services.enquiries.lifecycle.web import STAFF_AND_MEMBERS, read
from services.web import OFFICE_AREA, forms, nav_link
from services.web.i18n import show_number
from services.web.messages import translate

blp = crossborder_blueprint("forwarded_part_pages")
nav_link(blp, "inbox", _l("Forwarded parts"), roles=STAFF_AND_MEMBERS, area=OFFICE_AREA, order=15)

PER_PAGE = 25
DELIVERY_DECIMALS = ("value_paid", "material_diverted_kg", "distance_km", "integration_hours")
DELIVERY_FIELDS = ("quantity", "delivered_on", "regional_share_percent", "production_nuts3", *DELIVERY_DECIMALS)
FORMS = ("accept", "decline", "delivery", "withdraw", "close", "action")  # "action": refusals about the part
# The forms each state offers (the page draws these; any other action is refused by the domain).
ACTIONS = {PENDING: ("accept", "decline"), ACCEPTED: ("start", "deliver", "withdraw"),
           IN_PRODUCTION: ("deliver", "close_short", "withdraw")}


def acting() -> PartActor:
    return actor_of(current_principal())


# --- the inbox ---------------------------------------------------------------------------------------

@blp.route("/office/forwarded-parts")
@roles(*STAFF_AND_MEMBERS)
def inbox():
    """Newest first, filtered by state; a member sees its own organisation's parts only."""
    by = acting()
    state = forms.FormState(values={"status": request.args.get("status", "")})
    status = state.value("status") or None
    if status is not None and status not in PART_STATES:
        state.errors["status"] = [_("Please choose one of the options.")]
        status = None
    page_number = _page_number(request.args.get("page"))

    def load(conn):
        parts = store.list_parts(conn, status, page_number, PER_PAGE, organisation_id=by.organisation_id)
        return parts, organisation_names(conn, {p.organisation_id for p in parts.items})
    parts, names = read(load)
    return render_template("enquiries/crossborder/inbox.html", parts=parts, names=names, form=state,
                           statuses=[(code, part_term(code)) for code in PART_STATES],
                           more=parts.page * parts.per_page < parts.total), 422 if state.errors else 200


def _page_number(raw: str | None) -> int:
    """The `page` query parameter; anything that is not a page number shows the first page."""
    return int(raw) if raw and raw.isdigit() and 0 < int(raw) <= 100000 else 1


# --- a part's page -----------------------------------------------------------------------------------

def part_page(part_id: str, status: int = 200, **forms_by_name):
    """The order as the hub forwarded it, why the hub chose this social enterprise, the answer, the
    deliveries and the impact, and a form for every action the part's state allows."""
    by = acting()

    def load(conn):
        part = store.load_part(conn, part_id)
        require_access(by, part)
        return part, organisation_names(conn, {part.organisation_id})
    part, names = read(load)
    for form in FORMS:
        forms_by_name.setdefault(f"{form}_form", forms.FormState(id_prefix=form))
    if not forms_by_name["delivery_form"].values:
        forms_by_name["delivery_form"].values = {"quantity": str(part.open_quantity),
                                                 "delivered_on": utcnow().date().isoformat()}
    return render_template(
        "enquiries/crossborder/part.html", part=part, organisation_name=names.get(part.organisation_id),
        actions=ACTIONS.get(part.status, ()), why=describe(part.reason), answer=_answer_words(part),
        reported=_reported_figures(part),
        decline_reasons=[(code, describe(reason(code))) for code in DECLINE_REASONS], **forms_by_name), status


def _reported_figures(part: ForwardedPart) -> dict | None:
    """The impact figures given with the deliveries so far, until the part's impact is recorded from them."""
    figures = figures_as_json(part.figures)
    return {**figures, "currency": part.currency} if figures and part.impact is None else None


def _answer_words(part: ForwardedPart) -> str:
    """The decline's, the hub's withdrawal's or the failure's reason in the page's language."""
    return describe(part.failure or part.withdrawal_reason or part.decline_reason)


@blp.route("/office/forwarded-parts/<uuid:part_id>")
@roles(*STAFF_AND_MEMBERS)
def part(part_id):
    return part_page(str(part_id))


def _submit(part_id, form: str, schema, body: dict, values: dict, change, done: str):
    """Load the posted form `form` with the API's `schema`, then run the handler `change(fields, uow, by,
    now)`. Bad input draws the part's page again with the messages beside the fields (422); a refusal of
    the domain too: a 422 beside its fields, a 409 (the part's state) above every form, whose own form may
    no longer be offered. Done: back to the part's page, saying `done`."""
    state = forms.FormState(values=values, id_prefix=form)
    fields = forms.load(schema, body, state)
    if fields is None:
        _at_percent(state)
        return part_page(str(part_id), status=422, **{f"{form}_form": state})
    try:
        change(fields, current_runtime().uow(), acting(), utcnow())
    except SoproError as exc:
        if exc.status not in (409, 422):
            raise  # 404 (another organisation's part), 403: the kernel's error page
        if exc.status == 409:
            form, state = "action", forms.FormState(id_prefix="action")
        word_refusal(exc, state, str(part_id))
        return part_page(str(part_id), status=exc.status, **{f"{form}_form": state})
    flash(done, "success")
    return redirect(url_for(".part", part_id=part_id))


@blp.route("/office/forwarded-parts/<uuid:part_id>/accept", methods=["POST"])
@roles(*STAFF_AND_MEMBERS)
def accept(part_id):
    body, values = forms.body_from(request.form, ("note",))
    return _submit(part_id, "accept", AcceptSchema(), body, values, lambda fields, uow, by, now: handlers.accept_part(
        uow, str(part_id), by, now, fields["note"]), _("The part is accepted; the capacity is reserved."))


@blp.route("/office/forwarded-parts/<uuid:part_id>/decline", methods=["POST"])
@roles(*STAFF_AND_MEMBERS)
def decline(part_id):
    body, values = forms.body_from(request.form, ("reason", "note"))
    return _submit(part_id, "decline", DeclineSchema(), body, values, lambda fields, uow, by, now: (
        handlers.decline_part(uow, str(part_id), by, now, fields["reason"], fields["note"])),
        _("The part is declined; the hub looks for another social enterprise."))


@blp.route("/office/forwarded-parts/<uuid:part_id>/start", methods=["POST"])
@roles(*STAFF_AND_MEMBERS)
def start(part_id):
    # A button without fields: the empty form loads as an empty note.
    return _submit(part_id, "action", NoteSchema(), {}, {}, lambda fields, uow, by, now: (
        handlers.start_production(uow, str(part_id), by, now)), _("Production has started."))


@blp.route("/office/forwarded-parts/<uuid:part_id>/deliveries", methods=["POST"])
@roles(*STAFF_AND_MEMBERS)
def deliver(part_id):
    """A delivery and the impact figures known so far; the regional share is typed as a percentage."""
    body, values = forms.body_from(request.form, DELIVERY_FIELDS)
    body = as_api_numbers(body, decimals=DELIVERY_DECIMALS, integers=("quantity",))
    percent = body.pop("regional_share_percent", None)
    if percent is not None:
        share = read_decimal(percent)
        body["regional_share"] = f"{share / 100:f}" if share is not None else percent
    return _submit(part_id, "delivery", PartDeliverySchema(), body, values, lambda delivery, uow, by, now: (
        handlers.record_delivery(uow, str(part_id), by, now, delivery, rates_to_eur=_rates())),
        _("The delivery has been recorded."))


@blp.route("/office/forwarded-parts/<uuid:part_id>/withdraw", methods=["POST"], defaults={"action": "withdraw"})
@blp.route("/office/forwarded-parts/<uuid:part_id>/close-short", methods=["POST"], defaults={"action": "close"})
@roles(*STAFF_AND_MEMBERS)
def give_up(part_id, action):
    """The social enterprise withdraws from an accepted part, or closes it with what it delivered."""
    body, values = forms.body_from(request.form, ("note",))
    handler = handlers.withdraw_part if action == "withdraw" else handlers.close_short
    done = {"withdraw": _("The social enterprise has withdrawn from the part; the hub re-allocates it."),
            "close": _("The part is closed with what was delivered; the hub re-allocates the rest.")}[action]
    return _submit(part_id, action, NoteSchema(), body, values, lambda fields, uow, by, now: handler(
        uow, str(part_id), by, now, fields["note"], rates_to_eur=_rates()), done)


def _rates() -> dict:
    return dict(current_runtime().settings.federation.rates_to_eur)


# --- refusals in the page's language -----------------------------------------------------------------

def word_refusal(exc: SoproError, state: forms.FormState, part_id: str) -> None:
    """A 422 beside its fields (the handler's English messages the kernel does not know are worded here);
    a 409 as a message about the form: what the part's state allows, or why not."""
    if exc.status == 422:
        for name, messages in exc.errors.items():
            state.errors[name] = [_field_message(name, m, part_id) for m in messages]
        _at_percent(state)
        if not state.errors:
            forms.apply_domain_error(exc, state)
        return
    conflicts = {
        "capacity_exceeded": _l("The social enterprise's offer has not enough free capacity until the deadline; "
                                "decline the part instead."),
        "offer_withdrawn": _l("The social enterprise has withdrawn this offer; decline the part instead."),
        "nothing_delivered": _l("Nothing of this part has been delivered yet; withdraw from it instead."),
    }
    if exc.code in conflicts:
        state.message = str(conflicts[exc.code])
    else:  # an answer or a move the part's state no longer allows (answered, withdrawn, ended)
        status = read(store.load_part, part_id).status
        state.message = _("This part is “%(status)s”: that is not possible now.", status=part_term(status))


def _field_message(name: str, message: str, part_id: str) -> str:
    """The handler's 422 messages at a field, in the page's language. The schema has checked the form's
    quantity is a whole number of at least 1: the domain refuses it only above what is still open."""
    if name == "quantity":
        return _("Please enter at most the %(open)s units still open.",
                 open=show_number(read(store.load_part, part_id).open_quantity))
    if name == "reason":
        return _("Please choose one of the options.")
    return translate(message)


def _at_percent(state: forms.FormState) -> None:
    """The form asks for the regional share as a percentage: its messages are shown there."""
    if "regional_share" in state.errors:
        state.errors.pop("regional_share")
        state.errors["regional_share_percent"] = [_("Please enter a percentage from 0 to 100.")]
