"""The agency's operations at the hub: pause and resume the ingest of a site's stream, and re-drive a
dead letter, each after a confirmation step, beside the record of who did what and when.

The pages call the handlers the API and `sopro streams|deadletters` call (services.sync.moderation,
services.sync.deadletters) with the hub's ingest the composition root wires in (`HUB_INGEST`). The
record is those handlers' own: every pause keeps who paused and resumed it, when and why
(`stream_pause`), and a re-driven letter keeps who re-drove it and when (`dead_letter`), each written
in the transaction that does it. `agency_viewer` sees all of it; only `agency_admin` acts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext

from services.common.auth import current_principal, roles
from services.common.errors import Conflict, NotFound, Unavailable
from services.common.runtime import current_runtime
from services.sync import deadletters, moderation
from services.sync.api import HUB_INGEST, PauseRequest
from services.sync.reconcile import make_reconciler
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint

AGENCY = ("agency_viewer", "agency_admin")
ADMIN = "agency_admin"
SHOWN = 50

blp = page_blueprint("agency_operations", __name__, url_prefix="/agency/operations")
nav_link(blp, "overview", _l("Streams and dead letters"), roles=AGENCY, area=OFFICE_AREA, order=75)


@dataclass(frozen=True)
class Ingest:
    """The hub's ingest as the composition root wires it: its consumer, processor and streams."""

    consumer: str
    processor: object
    streams: list[str]

    def stream(self, site: str, service: str) -> str:
        stream = f"{site}/{service}"
        if stream not in self.streams:
            raise NotFound(f"the hub ingests no stream {stream}")
        return stream


def hub_ingest() -> Ingest:
    spec, processor, streams = current_app.extensions[HUB_INGEST]()
    return Ingest(spec.name, processor, list(streams))


@dataclass(frozen=True)
class Entry:
    """One line of the operations record."""

    at: datetime
    by: str
    action: str  # paused | resumed | redriven
    subject: str  # a stream, or a dead letter's stream and seq
    reason: str | None = None


def operations_record(ingest: Ingest, redriven: list[dict]) -> list[Entry]:
    """Pauses, resumes and re-drives, newest first."""
    entries = []
    for held in moderation.history(current_runtime().engine, ingest.consumer):
        entries.append(Entry(held["paused_at"], held["paused_by"], "paused", held["stream"], held["reason"]))
        if held["resumed_at"]:
            entries.append(Entry(held["resumed_at"], held["resumed_by"], "resumed", held["stream"]))
    for letter in redriven:
        entries.append(Entry(letter["redriven_at"], letter["redriven_by"], "redriven", _letter_name(letter)))
    return sorted(entries, key=lambda e: e.at, reverse=True)[:SHOWN]


# What went wrong with a dead letter, by how the consumer's reason starts (services.sync.processing), in the
# page's language; the reason itself stays beside it as the consumer wrote it (technical detail).
REASON_KINDS = (
    ("malformed", _l("The message is not a well-formed event.")),
    ("forged", _l("Forged: the signature is not the named site's.")),
    ("invalid", _l("The event's data do not match its schema.")),
    ("misdirected", _l("The message is addressed to another site.")),
    ("handler failed", _l("The hub could not apply the event.")),
    ("site ", _l("The hub does not accept events of this site.")),
)


def reason_kind(reason: str | None) -> str:
    for start, said in REASON_KINDS:
        if (reason or "").startswith(start):
            return str(said)
    return ""


def _letter_name(letter: dict) -> str:
    where = f"{letter['stream']}#{letter['seq']}" if letter["stream"] else "–"
    return _("dead letter %(id)s (%(where)s)", id=letter["id"], where=where)


def _letter(ingest: Ingest, letter_id: int) -> dict:
    with current_runtime().engine.connect() as conn:
        letter = deadletters.get_letter(conn, letter_id)
    if letter["consumer"] != ingest.consumer:
        raise NotFound(f"no dead letter {letter_id}")
    return letter


def _confirmed(state: forms.FormState) -> bool:
    state.values["confirm"] = request.form.get("confirm", "")
    if state.values["confirm"] != "on":
        state.errors["confirm"] = [_("Please tick the box to confirm.")]
    return state.valid


def _operator() -> str:
    return current_principal().subject


# --- views -------------------------------------------------------------------------------------------

@blp.route("/")
@roles(*AGENCY)
def overview():
    ingest = hub_ingest()
    with current_runtime().engine.connect() as conn:
        letters = deadletters.list_letters(conn, ingest.consumer, "dead", 1, SHOWN)
        redriven = deadletters.list_letters(conn, ingest.consumer, "redriven", 1, 1000).items
    return render_template(
        "sync/agency_operations.html", may_act=ADMIN in current_principal().roles,
        streams=moderation.streams(current_runtime().engine, ingest.consumer, ingest.streams),
        letters=letters.items, open_letters=letters.total, record=operations_record(ingest, redriven),
        reason_kind=reason_kind)


@blp.route("/streams/<site>/<service>/pause", methods=["GET", "POST"])
@roles(ADMIN)
def pause(site, service):
    ingest = hub_ingest()
    stream, state, status = ingest.stream(site, service), forms.FormState(), 200
    if request.method == "POST":
        status = 422
        body, state.values = forms.body_from(request.form, ("reason",))
        loaded = forms.load(PauseRequest(), body, state)
        if _confirmed(state) and loaded is not None:
            try:
                moderation.pause(current_runtime().engine, ingest.consumer, stream, _operator(), loaded["reason"])
            except Conflict:
                state.message, status = _("%(stream)s is paused already.", stream=stream), 409
            else:
                flash(_("%(stream)s is paused: its events are held back, none is lost.", stream=stream), "success")
                return redirect(url_for(".overview"))
    return render_template("sync/agency_operations_confirm.html", action="pause", stream=stream, form=state,
                           heading=_("Pause %(stream)s", stream=stream)), status


@blp.route("/streams/<site>/<service>/resume", methods=["GET", "POST"])
@roles(ADMIN)
def resume(site, service):
    ingest = hub_ingest()
    stream, state, status = ingest.stream(site, service), forms.FormState(), 200
    if request.method == "POST":
        status = 422
        if _confirmed(state):
            reconciler = make_reconciler(current_runtime(), ingest.processor, ingest.streams)
            try:
                done = moderation.resume(reconciler, stream, _operator())
            except Conflict:
                state.message, status = _("%(stream)s is not paused.", stream=stream), 409
            except Unavailable:
                state.message, status = _("The feed of %(stream)s cannot be reached, so what it published "
                                          "meanwhile cannot be applied first. The stream stays paused; "
                                          "please try again later.", stream=stream), 503
            else:
                flash(ngettext("%(stream)s is resumed: %(num)s held-back event applied.",
                               "%(stream)s is resumed: %(num)s held-back events applied.", done["applied"],
                               stream=stream), "success")
                return redirect(url_for(".overview"))
    with current_runtime().engine.connect() as conn:
        held = moderation.open_pause(conn, ingest.consumer, stream)
    return render_template("sync/agency_operations_confirm.html", action="resume", stream=stream, held=held,
                           form=state, heading=_("Resume %(stream)s", stream=stream)), status


@blp.route("/dead-letters/<int:letter_id>/redrive", methods=["GET", "POST"])
@roles(ADMIN)
def redrive(letter_id):
    ingest = hub_ingest()
    letter, state, status = _letter(ingest, letter_id), forms.FormState(), 200
    if request.method == "POST":
        status = 422
        if _confirmed(state):
            result = deadletters.redrive(ingest.processor, letter_id, _operator(),
                                         deadletters.origins_of(current_runtime()))
            if result.ok:
                flash(_("The dead letter %(id)s has been re-driven.", id=letter_id), "success")
                return redirect(url_for(".overview"))
            state.message, status = _("The message could not be applied and stays dead: %(reason)s",
                                      reason=result.reason), 409
    return render_template("sync/agency_operations_confirm.html", action="redrive", letter=letter, form=state,
                           heading=_("Re-drive %(letter)s", letter=_letter_name(letter)),
                           reason_kind=reason_kind), status


@blp.route("/dead-letters/redrive-all", methods=["GET", "POST"])
@roles(ADMIN)
def redrive_all():
    """Every open dead letter, oldest first (`sopro deadletters redrive --all`); those still wrong stay listed."""
    ingest = hub_ingest()
    state, status = forms.FormState(), 200
    if request.method == "POST":
        status = 422
        if _confirmed(state):
            results = deadletters.redrive_all(ingest.processor, _operator(), deadletters.origins_of(current_runtime()))
            still_dead = sum(not r.ok for r in results)
            flash(ngettext("%(num)s dead letter re-driven.", "%(num)s dead letters re-driven.",
                           len(results) - still_dead), "success")
            if still_dead:
                flash(ngettext("%(num)s dead letter could not be applied and stays open.",
                               "%(num)s dead letters could not be applied and stay open.", still_dead), "error")
            return redirect(url_for(".overview"))
    with current_runtime().engine.connect() as conn:
        open_letters = deadletters.list_letters(conn, ingest.consumer, "dead", 1, 1).total
    return render_template("sync/agency_operations_confirm.html", action="redrive_all", open_letters=open_letters,
                           form=state, heading=_("Re-drive every open dead letter")), status
