"""Appeal pages.

Members (/office/member/labels/appeals/...): file an appeal against their organisation's refused
application, suspended or revoked label, with grounds, and follow it. Their application pages show what
may be appealed, until when, and each appeal's state and outcome through one include
(`label/_member_appeal.html`), which asks `member_appeal_panel(...)` (a template helper this blueprint
adds) for its facts.

Staff (/office/labels/appeals): the queue, and an appeal's page with what was decided, by whom, the
grounds, and the decision form. Approvers decide; one who decided before is told beside the form that
another approver must decide (the domain refuses it with 409 `four_eyes`).

Forms are loaded with the API's schemas and call the API's use cases; a refusal (409) is said in the
page's language above the form.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from services.common.auth import acting_for, current_principal, roles
from services.common.clock import utc_today, utcnow
from services.common.errors import NotFound, SoproError
from services.common.runtime import current_runtime
from services.label import appeals, handlers, notices
from services.label.appeal_model import AGAINST, OUTCOMES, STATUSES, Appeal
from services.label.appeal_schemas import LabelAppealDecisionSchema, LabelAppealSchema
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint

STAFF = ("site_admin", "assessor", "approver")
blp = page_blueprint("label_appeal_pages", __name__)
nav_link(blp, "queue", _l("Label appeals"), roles=STAFF, area=OFFICE_AREA, order=31)


def refusal_text(exc: SoproError) -> str | None:
    """The domain's 409s about appeals in the page's language."""
    return {
        "four_eyes": _("You decided before on this matter (or filed the appeal), so another approver must "
                       "decide the appeal."),
        "appeal_decided": _("This decision was already appealed and the appeal has been decided."),
        "appeal_open": _("An appeal against this decision is already open."),
        "appeal_too_late": _("The 30 days for an appeal against this decision have ended."),
        "not_appealable": _("This decision no longer stands, so it cannot be appealed."),
    }.get(exc.code)


def _refused(exc: SoproError, state: forms.FormState) -> int:
    if exc.status == 409 and refusal_text(exc):
        state.message = refusal_text(exc)
    elif exc.status in (409, 422):
        forms.apply_domain_error(exc, state)
    else:
        raise exc
    return exc.status


# --- the member's panel on its application pages ------------------------------------------------------

@dataclass
class Appealable:
    against: str
    title: str
    until: date
    decided_at: datetime
    application_id: str | None = None
    label_number: str | None = None


@dataclass
class Panel:
    appealable: list = field(default_factory=list)
    appeals: list = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.appealable or self.appeals)


def _appealable(engine, against: str, title: str, application_id=None, label_number=None) -> Appealable | None:
    try:
        decided = appeals.decided(engine, against, application_id, label_number, None)
    except SoproError:
        return None
    return Appealable(against, title, decided.appeal_until, decided.decided_at, application_id, label_number)


def member_appeal_panel(app=None, label=None, applications=None, labels=None) -> Panel:
    """What the organisation may appeal on this page (and until when), and its appeals about it."""
    principal = current_principal()
    if principal is None or "member" not in principal.roles or not principal.organisation_id:
        return Panel()
    engine = current_runtime().engine
    mine = appeals.of_organisation(engine, principal.organisation_id)
    if app is not None:
        applications, labels = [app], ({label.number: label} if label is not None else {})
        mine = [a for a in mine if a.application_id == app.id or (label and a.label_number == label.number)]
    panel = Panel(appeals=mine)
    candidates = [("refused", a.product, a.id, None) for a in applications or () if a.status == "refused"]
    candidates += [(lbl.status, f"{lbl.product} ({lbl.number})", None, lbl.number)
                   for lbl in (labels or {}).values() if lbl is not None and lbl.status in ("suspended", "revoked")]
    today = utc_today()
    for against, title, application_id, number in candidates:
        item = _appealable(engine, against, title, application_id, number)
        if item is None or today > item.until:
            continue
        appealed = [a for a in mine if a.against == against and a.application_id == application_id
                    and a.label_number == number and a.created_at >= item.decided_at]
        if not appealed:  # one appeal per decision
            panel.appealable.append(item)
    return panel


@blp.app_context_processor
def _panel_helper():
    return {"member_appeal_panel": member_appeal_panel}


# --- the member files and follows ---------------------------------------------------------------------

def _own(appeal: Appeal) -> Appeal:
    if appeal.holder_organisation_id != acting_for(()):
        raise NotFound(f"no appeal {appeal.id}", {"appeal": ["unknown"]})
    return appeal


def _target():
    against = request.values.get("against", "")
    application_id = request.values.get("application_id") or None
    number = request.values.get("label_number") or None
    if against not in AGAINST:
        raise NotFound("no such decision", {"against": ["unknown"]})
    return against, application_id, number


def _subject(against: str, application_id, number):
    """The application or label appealed, if it is the member's organisation's (else unknown: 404)."""
    engine = current_runtime().engine
    try:
        if against == "refused":
            subject = handlers.get_application(engine, str(application_id), None) if application_id else None
        else:
            subject = handlers.find_label(engine, number) if number else None
    except SoproError:
        subject = None
    if subject is None or subject.holder_organisation_id != acting_for(()):
        raise NotFound("no such decision", {"decision": ["unknown"]})
    return subject


@blp.route("/office/member/labels/appeals/new", methods=["GET", "POST"])
@roles("member")
def new():
    against, application_id, number = _target()
    subject = _subject(against, application_id, number)
    state, status = forms.FormState(), 200
    if request.method == "POST":
        body, values = forms.body_from(request.form, ("grounds",))
        state = forms.FormState(values=values)
        body.update(against=against, application_id=application_id, label_number=number)
        body = {k: v for k, v in body.items() if v is not None}
        loaded = forms.load(LabelAppealSchema(), body, state)
        status = 422
        if loaded is not None:
            try:
                appeal = appeals.file_appeal(current_runtime().uow(), against, application_id, number,
                                             loaded["grounds"], current_principal().subject, acting_for(()),
                                             utcnow(), notices.mail_site(current_runtime()))
            except SoproError as exc:
                status = _refused(exc, state)
            else:
                flash(_("Your appeal is filed. An approver who did not decide before decides it."), "success")
                return redirect(url_for(".mine", appeal_id=appeal.id))
    try:
        decided = appeals.decided(current_runtime().engine, against, application_id, number, acting_for(()))
    except SoproError as exc:  # no longer appealable: said above the (absent) form
        decided, status = None, _refused(exc, state) if not state.message else status
    return render_template("label/appeal_new.html", form=state, against=against, subject=subject, decided=decided,
                           application_id=application_id, label_number=number), status


@blp.route("/office/member/labels/appeals/<uuid:appeal_id>")
@roles("member")
def mine(appeal_id):
    appeal = _own(appeals.get_appeal(current_runtime().engine, str(appeal_id), None))
    facts = appeals.facts(current_runtime().engine, appeal.id)
    return render_template("label/appeal_member.html", appeal=appeal, facts=facts)


# --- staff: the queue and the decision ----------------------------------------------------------------

@blp.route("/office/labels/appeals")
@roles(*STAFF)
def queue():
    status = request.args.get("status", "open")
    status = status if status in STATUSES else "open"
    page = appeals.list_appeals(current_runtime().engine, None, status, 1, 200)
    holders = {a.id: appeals.facts(current_runtime().engine, a.id) for a in page.items}
    return render_template("label/appeals.html", page=page, status=status, statuses=STATUSES, facts=holders)


def appeal_page(appeal_id: str, form: forms.FormState | None = None, status: int = 200):
    facts = appeals.facts(current_runtime().engine, appeal_id)
    me = current_principal()
    return render_template("label/appeal.html", facts=facts, appeal=facts.appeal,
                           form=form or forms.FormState(), outcomes=OUTCOMES,
                           may_decide="approver" in me.roles and facts.appeal.status == "open",
                           excluded_me=not facts.appeal.may_decide(me.subject)), status


@blp.route("/office/labels/appeals/<uuid:appeal_id>")
@roles(*STAFF)
def appeal(appeal_id):
    return appeal_page(str(appeal_id))


@blp.route("/office/labels/appeals/<uuid:appeal_id>/decision", methods=["POST"])
@roles("approver")
def decide(appeal_id):
    appeals.get_appeal(current_runtime().engine, str(appeal_id), None)  # 404 first
    body, values = forms.body_from(request.form, ("outcome", "reason"))
    state = forms.FormState(values=values)
    loaded = forms.load(LabelAppealDecisionSchema(), body, state)
    if loaded is None:
        return appeal_page(str(appeal_id), state, 422)
    try:
        appeals.decide_appeal(current_runtime().uow(), str(appeal_id), current_principal().subject,
                              loaded["outcome"], loaded["reason"], utcnow(), notices.mail_site(current_runtime()))
    except SoproError as exc:
        return appeal_page(str(appeal_id), state, _refused(exc, state))
    flash(_("The appeal is decided."), "success")
    return redirect(url_for(".appeal", appeal_id=appeal_id))
