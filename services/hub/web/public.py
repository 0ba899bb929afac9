"""The hub's web pages. Public: the hub's home, label verification, the network label register and the
completed cross-border orders (open data, as `ocds.api` publishes them). The agency dashboard (agency
roles, after login) is in `agency`.

Pages read the hub's own store through the same queries as its API and validate their query strings
with the API's schemas, so a page and the API accept and refuse the same things; a refusal is drawn as
field messages in the page's language (status 422), never a 500.
"""
from __future__ import annotations

from collections.abc import Mapping

import marshmallow as ma
from flask import render_template, request
from flask_babel import lazy_gettext as _l

from services.common.auth import public
from services.common.clock import utc_today
from services.common.errors import Invalid
from services.common.runtime import current_runtime
from services.hub.labels import store as label_store
from services.hub.ocds import orders as ocds_orders
from services.hub.labels.api import LabelQuery, as_of, grace_days
from services.contracts.events.label import LABEL_NUMBER, LABEL_STATUSES
from services.contracts.reasons import describe
from services.web import forms, nav_link, page_blueprint
from services.web.messages import is_known
from services.web.vocabulary import choices, term

blp = page_blueprint("hub_pages", __name__)

nav_link(blp, "verify_label", _l("Check a label"), order=10)
nav_link(blp, "labels", _l("Label register"), order=20)
nav_link(blp, "completed_orders", _l("Completed orders"), order=30)

PER_PAGE = 25

# The hub API's English validation messages that the kernel's catalogue does not cover, in the page's
# language (the kernel translates the rest: `services.web.messages`).
HUB_MESSAGES = {
    "a label number looks like SOPRO-HU22-2026-0003": _l("A label number looks like SOPRO-HU22-2026-0003."),
    "a CPV division (two digits) or a full code": _l("Please choose a CPV division."),
    "a CPV prefix is one to eight digits, e.g. 452": _l("Please choose a CPV division."),
    "a NUTS code or prefix, e.g. AT or AT12 or AT127": _l("Please enter a NUTS region code, e.g. AT12."),
}


# Words of the hub's own codes (cross-border orders); everything else is the kernel's vocabulary.
HUB_TERMS = {
    "forwarded": _l("Forwarded to the sites"),
    "short": _l("Short of capacity"),
}


@blp.app_template_filter("hub_term")
def hub_term(code) -> str:
    return str(HUB_TERMS[code]) if code in HUB_TERMS else term(code)


# A part's status: a forwarded part waits for its site's answer; a failed one ended short after acceptance.
PART_TERMS = {"forwarded": _l("Awaiting the site's answer"), "failed": _l("Failed after acceptance")}


@blp.app_template_filter("part_term")
def part_term(code) -> str:
    return str(PART_TERMS[code]) if code in PART_TERMS else term(code)


@blp.app_template_filter("reason")
def reason_text(value, **defaults) -> str:
    """A stored reason (a code with parameters) in the page's language; `defaults` fill parameters a
    step leaves to its row (e.g. the quantity)."""
    if isinstance(value, Mapping) and defaults:
        value = {"code": value.get("code"), "params": {**defaults, **(value.get("params") or {})}}
    return describe(value)


def hub_choices(codes) -> list[tuple[str, str]]:
    return [(code, hub_term(code)) for code in codes]


def hub_message(message: str) -> str:
    if is_known(message):
        return message  # the kernel translates it
    if message.startswith("unknown site; one of"):
        return str(_l("Please choose one of the sites."))
    return str(HUB_MESSAGES.get(message, message))


def read_query(schema: ma.Schema) -> tuple[dict | None, forms.FormState]:
    """The page's query string loaded with an API query schema (empty fields do not filter; the page's
    own parameters such as `lang` are ignored), and the state to draw the filter form with."""
    state = forms.FormState(values=request.args.to_dict())
    given = {key: value.strip() for key, value in request.args.items() if value.strip()}
    try:
        return schema.load(given, unknown=ma.EXCLUDE), state
    except ma.ValidationError as exc:
        state.add_errors(_hub_messages(exc.messages))
        return None, state


def _hub_messages(messages):
    if isinstance(messages, dict):
        return {key: _hub_messages(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [_hub_messages(m) for m in messages]
    return hub_message(str(messages))


def status_of(state: forms.FormState) -> int:
    return 200 if state.valid else 422


def pages_of(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def member_sites() -> list[tuple[str, str]]:
    return [(s.id, f"{s.id} – {s.name}") for s in current_runtime().settings.federation.member_sites]


# --- views -------------------------------------------------------------------------------------------

@blp.route("/")
@public
def home():
    with current_runtime().engine.connect() as conn:
        valid = label_store.list_labels(conn, label_store.LabelFilters(status=label_store.VALID), utc_today(), 1, 1,
                                        grace_days())
    portals = [(s.id, s.name, s.url) for s in current_runtime().settings.federation.member_sites]
    return render_template("hub/home.html", form=forms.FormState(), valid_labels=valid.total, portals=portals)


class VerifyQuery(ma.Schema):
    number = ma.fields.String(required=True, validate=LABEL_NUMBER)


@blp.route("/labels/verify")
@public
def verify_label():
    """A label number checked against the network register: its status today, or that it is unknown."""
    label, status = None, 200
    asked = "number" in request.args
    number = request.args.get("number", "").strip().upper()  # people type numbers in lower case too
    state = forms.FormState(values={"number": number})
    if asked and forms.load(VerifyQuery(), {"number": number} if number else {}, state) is not None:
        with current_runtime().engine.connect() as conn:
            row = label_store.find_label(conn, number)
        label = as_of(row, utc_today()) if row else None
        status = 200 if label else 404
    elif asked:
        state.errors = _hub_messages(state.errors)
        status = 422
    return render_template("hub/verify.html", form=state, asked=asked, label=label), status


@blp.route("/labels")
@public
def labels():
    """The network-wide label register: every site's labels, by number, a page after another by cursor."""
    args, state = read_query(LabelQuery())
    rows, found = [], None
    if args is not None:
        today = utc_today()
        filters = label_store.LabelFilters(holder=args.get("holder"), cpv=args.get("cpv"), site=args.get("site"),
                                           status=args.get("status"))
        with current_runtime().engine.connect() as conn:
            try:
                found = label_store.list_labels(conn, filters, today, args["page"], PER_PAGE, grace_days(),
                                                args.get("after"))
            except Invalid as exc:
                state.add_errors(exc.errors)
        rows = [as_of(r, today) for r in found.items] if found else []
    return render_template("hub/labels.html", form=state, rows=rows, found=found, sites=member_sites(),
                           statuses=choices(LABEL_STATUSES)), status_of(state)


@blp.route("/orders/completed")
@public
def completed_orders():
    """The completed cross-border orders (nothing left to deliver), as the open OCDS export has them: the
    buyer only by its kind, each social enterprise with what it delivered (see `services.hub.ocds.api`
    for why in-flight orders are not shown)."""
    with current_runtime().engine.connect() as conn:
        orders = ocds_orders.load(conn, completed_only=True)
    return render_template("hub/completed_orders.html", orders=sorted(orders, key=lambda o: o.updated_at, reverse=True),
                           form=forms.FormState())
