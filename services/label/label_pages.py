"""A granted label's page for staff: its validity and audit trail, and what approvers and site admins do
with it — suspend it for a while with a reason, reinstate it, and revoke it (after a confirmation page: a
revoked label is valid again only by an appeal). A renewal is not done here: it is a new assessment the
holder opens (services/label/renewal_pages.py); the page links to the one under way.

Each form is loaded with the API's schema (`LabelSuspensionSchema`, `LabelOptionalReasonSchema`,
`LabelReasonSchema`) and calls the API's handler; a step the label's state no longer allows is a 409
said above the form in the page's language.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.common.auth import current_principal, roles
from services.common.clock import utc_today
from services.common.errors import NotFound, SoproError
from services.common.runtime import current_runtime
from services.contracts.label_policy import LabelPolicy
from services.label import appeals, handlers, notices
from services.label.schemas import LabelOptionalReasonSchema, LabelReasonSchema, LabelSuspensionSchema
from services.web import forms, page_blueprint

STAFF = ("site_admin", "assessor", "approver")
DECIDERS = ("approver", "site_admin")
blp = page_blueprint("label_staff_pages", __name__)


def _label(number: str):
    label = handlers.find_label(current_runtime().engine, number)
    if label is None:
        raise NotFound(f"the label number {number[:60]} is unknown", {"label": ["unknown"]}, code="unknown_label")
    return label


def label_page(number: str, forms_shown: dict | None = None, status: int = 200, refusal: str | None = None):
    label = _label(number)
    shown = {name: forms.FormState(id_prefix=name) for name in ("suspend", "reinstate")}
    shown.update(forms_shown or {})
    audit = handlers.audit_trail(current_runtime().engine, [label.application_id, label.number])
    runtime = current_runtime()
    return render_template("label/label.html", label=label, audit=audit, forms=shown, refusal=refusal,
                           may_act=bool(current_principal().roles & set(DECIDERS)),
                           renewal=handlers.renewal_of(runtime.engine, label.number),
                           appeals=[a for a in appeals.of_organisation(runtime.engine, label.holder_organisation_id)
                                    if a.label_number == label.number],
                           grace_days=LabelPolicy.of(runtime.settings.federation).renewal_grace_days), status


@blp.route("/office/labels/number/<number>")
@roles(*STAFF, "broker")  # a broker reads it (their mail about a complaint links here); acting stays with deciders
def label(number):
    return label_page(number)


def _act(number: str, name: str, schema, fields: tuple[str, ...], act, done: str):
    """Loads the form `name` with `schema`, calls `act(loaded)`; the label's page again with its messages."""
    body, values = forms.body_from(request.form, fields)
    state = forms.FormState(values=values, id_prefix=name)
    loaded = forms.load(schema, body, state)
    if loaded is not None:
        try:
            act(loaded)
        except SoproError as exc:
            forms.apply_domain_error(exc, state)
            # a step the label's state no longer allows: said above the forms (its own may not be drawn now)
            refusal, state.message = state.message, None
            return label_page(number, {name: state}, exc.status, refusal)
        flash(done, "success")
        return redirect(url_for(".label", number=number))
    return label_page(number, {name: state}, 422)


@blp.route("/office/labels/number/<number>/suspend", methods=["POST"])
@roles(*DECIDERS)
def suspend(number):
    _label(number)
    return _act(number, "suspend", LabelSuspensionSchema(), ("until", "reason"), lambda loaded: handlers.suspend_label(
        current_runtime().uow(), number, current_principal().subject, loaded["until"], loaded["reason"],
        utc_today(), notices.mail_site(current_runtime())), _("The label is suspended."))


@blp.route("/office/labels/number/<number>/reinstate", methods=["POST"])
@roles(*DECIDERS)
def reinstate(number):
    _label(number)
    return _act(number, "reinstate", LabelOptionalReasonSchema(), ("reason",), lambda loaded: handlers.reinstate_label(
        current_runtime().uow(), number, current_principal().subject, loaded["reason"],
        notices.mail_site(current_runtime())), _("The label is valid again."))


@blp.route("/office/labels/number/<number>/revoke", methods=["GET", "POST"])
@roles(*DECIDERS)
def revoke(number):
    """Asks on a page of its own, with the reason: a revoked label is never valid again."""
    label = _label(number)
    state, status = forms.FormState(), 200
    if request.method == "POST":
        body, values = forms.body_from(request.form, ("reason",))
        state = forms.FormState(values=values)
        loaded = forms.load(LabelReasonSchema(), body, state)
        status = 422
        if loaded is not None:
            try:
                handlers.revoke_label(current_runtime().uow(), number, current_principal().subject, loaded["reason"],
                                      notices.mail_site(current_runtime()))
            except SoproError as exc:
                forms.apply_domain_error(exc, state)
                status = exc.status
            else:
                flash(_("The label is revoked."), "success")
                return redirect(url_for(".label", number=number))
    return render_template("label/label_revoke.html", label=label, form=state), status
