"""The person's notification settings, and the one-click unsubscribe of every mail one can turn off.

- `/account/notifications`: a site user's address and language for mail, and per kind of mail that
  concerns them (services/common/notification_kinds.py) a choice: at once, daily digest, or off.
  Mandatory mails (confirmations, account links) are listed as such, without a choice.
- `/notifications/unsubscribe/<token>`: RFC 8058. A mail client POSTs `List-Unsubscribe=One-Click` to
  it, without cookies or a CSRF token (the random token in the address is the authority, and all it can
  do is stop one kind of mail). A person who follows the link sees a page with a button: a GET never
  unsubscribes, since mail scanners open links.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from services.common import notifications
from services.common.auth import current_principal, public, roles
from services.common.errors import NotFound
from services.common.ratelimit import not_a_public_write
from services.common.notification_kinds import DIGEST, KINDS, NOW, OFF, audiences_of
from services.common.runtime import current_runtime
from services.common.tokens import ROLES
from services.web import forms, member_link
from services.web.blueprints import OFFICE_AREA, nav_link, page_blueprint
from services.web.i18n import LANGUAGE_NAMES, LANGUAGES

blp = page_blueprint("notification_pages", __name__)
PEOPLE = tuple(r for r in ROLES if r != "federation")
nav_link(blp, "settings", _l("My notifications"), roles=PEOPLE, area=OFFICE_AREA, order=99)
ONE_CLICK = "List-Unsubscribe=One-Click"

KIND_LABELS = {
    "enquiry_filed": _l("A new enquiry was filed at the site"),
    "part_forwarded": _l("A part of a cross-border enquiry was forwarded to this site"),
    "part_answered": _l("A forwarded part was answered"),
    "consortium_agreed": _l("A consortium was agreed"),
    "consortium_short": _l("A consortium falls short"),
    "label_application_submitted": _l("A label application was submitted"),
    "complaint_filed": _l("A complaint about a label was filed"),
    "enquiry_alert": _l("An enquiry fits our offers"),
    "proposal_accepted": _l("Our proposal was accepted"),
    "proposal_declined": _l("Our proposal was declined"),
    "part_forwarded_to_member": _l("A part of an order was forwarded to us"),
    "label_expiry_reminder": _l("Our label expires soon"),
    "label_status_changed": _l("Our label was suspended, reinstated or revoked"),
    "complaint_outcome": _l("A complaint about our label was decided"),
    "label_spot_check": _l("Our label was drawn for a spot check"),
    "label_appeal_filed": _l("An appeal against a label decision was filed"),
    "label_appeal_decided": _l("Our appeal against a label decision was decided"),
    "proposal_received": _l("We received a proposal"),
    "enquiry_state_changed": _l("The state of our enquiry changed"),
    "programme_place": _l("A programme place was granted to us"),
    "programme_booking": _l("A consultant booking was made or cancelled"),
    "statement_confirmation": _l("Confirmation of a statement of support"),
    "newsletter": _l("The newsletter"),
    "invitation": _l("Invitation to an account"),
    "password_reset": _l("Password reset link"),
    "digest": _l("The daily summary"),
}


def mode_labels() -> dict[str, str]:
    return {NOW: _("At once"), DIGEST: _("Daily summary"), OFF: _("Off")}


def _kinds_for(principal) -> list:
    organisation_kind = None
    if principal.organisation_id:
        directory = member_link.member_directory()
        found = member_link.names_of(directory, [principal.organisation_id]).get(principal.organisation_id)
        organisation_kind = found.kind if found else None
    audiences = audiences_of(principal.roles, organisation_kind)
    return [k for k in KINDS.values() if k.audience in audiences and not k.mandatory]


def _mandatory_kinds() -> list:
    return [k for k in KINDS.values() if k.mandatory and k.audience == "account"]


@blp.route("/account/notifications", methods=["GET", "POST"])
@roles(*PEOPLE)
def settings():
    principal = current_principal()
    username = principal.subject
    kinds = _kinds_for(principal)
    engine = current_runtime().engine
    with engine.connect() as conn:
        contact = notifications.contact_of(conn, username)
        chosen = notifications.choices_of(conn, username)
    state = forms.FormState(values={"email": contact[0] if contact else "",
                                    "language": (contact[1] if contact else "") or "",
                                    **{f"mode.{k.name}": chosen.get(k.name, k.default) for k in kinds}})
    status = 200
    if request.method == "POST":
        state = forms.FormState(values={key: request.form.get(key, "").strip() for key in
                                        ("email", "language", *(f"mode.{k.name}" for k in kinds))})
        _check(state, kinds)
        if state.valid:
            with engine.begin() as conn:
                email = state.values["email"]
                if email:
                    notifications.set_contact(conn, username, email, state.values["language"] or None)
                else:
                    notifications.remove_contact(conn, username)
                for k in kinds:
                    notifications.choose(conn, username, k.name, state.values[f"mode.{k.name}"])
            flash(_("Your notification settings have been saved."), "success")
            return redirect(url_for(".settings"))
        status = 422
    return render_template("web/notification_settings.html", form=state, kinds=kinds, labels=KIND_LABELS,
                           modes=mode_labels(), mandatory=_mandatory_kinds(),
                           languages=[(lang, LANGUAGE_NAMES[lang]) for lang in LANGUAGES]), status


def _check(state: forms.FormState, kinds) -> None:
    email = state.values["email"]
    if email and not notifications.valid_address(email):
        state.errors["email"] = [_("Please enter one e-mail address, like name@example.org.")]
    if state.values["language"] and state.values["language"] not in LANGUAGES:
        state.errors["language"] = [_("Please choose one of the languages offered.")]
    for k in kinds:
        if state.values[f"mode.{k.name}"] not in (NOW, DIGEST, OFF):
            state.errors[f"mode.{k.name}"] = [_("Please choose at once, daily summary or off.")]


def _target(token: str) -> tuple[str, str]:
    with current_runtime().engine.connect() as conn:
        target = notifications.unsubscribe_target(conn, token[:100])
    if target is None or target[1] not in KINDS:
        raise NotFound("unknown unsubscribe link")
    return target


@blp.route("/notifications/unsubscribe/<token>", methods=["GET", "POST"])
@public
@not_a_public_write  # files nothing, only stops a kind of mail; mail providers POST from shared servers
def unsubscribe(token):
    """GET: a page with a button. POST (the button, or a mail client's one-click): the kind stops."""
    subscriber, kind = _target(token)
    label = KIND_LABELS.get(kind, kind)
    if request.method == "POST":
        with current_runtime().engine.begin() as conn:
            notifications.choose(conn, subscriber, kind, OFF)
        if request.form.get("List-Unsubscribe") == "One-Click":  # a mail client: no page to show
            return "", 204
        return render_template("web/unsubscribe.html", token=token, label=label, done=True)
    return render_template("web/unsubscribe.html", token=token, label=label, done=False)
