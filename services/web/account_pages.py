"""Setting one's own password through a mailed link: the invitation of a new user, and a reset for a
user who forgot it. The links are single-use and expire (services/common/account_links.py); an unknown,
used or expired link shows a page that says so, with a 404 or 410 (never a 500).

"Forgot your password?" answers the same whether or not the user exists or has an address, so the page
tells nobody who has an account.
"""
from __future__ import annotations

import marshmallow as ma
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import validate
from sqlalchemy import func, or_, select

from services.common import account_links
from services.common.account_links import INVITATION, PASSWORD_RESET, LinkRefused
from services.common.auth import public
from services.common.clock import utcnow
from services.common.fields import storable
from services.common.notifications import user_contact
from services.common.runtime import current_runtime
from services.common.users import auth_user, set_password
from services.web import forms
from services.web.blueprints import page_blueprint
from services.web.i18n import language
from services.web.mail_layout import Mail, Words
from services.web.notify import MailSite, Recipient, notify

blp = page_blueprint("account_pages", __name__)
PATHS = {INVITATION: "/account/invitation/", PASSWORD_RESET: "/account/password/reset/"}


class NewPassword(ma.Schema):
    password = ma.fields.String(required=True, validate=[validate.Length(min=10, max=200), storable])


def mail_site() -> MailSite:
    site = current_runtime().settings.site
    return MailSite.of(site)


def send_link(conn, username: str, purpose: str, now, language: str | None = None) -> bool:
    """Issue a link for `username` and write its mail, in the caller's transaction; False without an address."""
    row = conn.execute(select(user_contact.c.email, user_contact.c.language)
                       .where(user_contact.c.username == username)).first()
    if row is None:
        return False
    token = account_links.issue(conn, username, purpose, now)
    hours = int(account_links.VALID_FOR[purpose].total_seconds() // 3600)

    def build(t: Words) -> Mail:
        _ = t.gettext  # noqa: F811 - the recipient's language, not the page's
        if purpose == INVITATION:
            return Mail(subject=_("Your account at SoPro"),
                        intro=_("An account was made for you at this site, with the user name %(name)s. "
                                 "Choose your password to start.") % {"name": username},
                        paragraphs=[t.ngettext("The link works once and for %(count)d day.",
                                               "The link works once and for %(count)d days.", hours // 24)
                                    % {"count": hours // 24}],
                        action=_("Choose your password"), link=t.link(PATHS[purpose] + token),
                        reason=_("You receive this mail because an administrator of this site invited you."))
        return Mail(subject=_("Reset your SoPro password"),
                    intro=_("Someone asked to reset the password of the user %(name)s at this site. "
                             "If it was you, choose a new one.") % {"name": username},
                    paragraphs=[t.ngettext("The link works once and for %(count)d hour.",
                                           "The link works once and for %(count)d hours.", hours) % {"count": hours},
                                _("If it was not you, ignore this mail: your password stays as it is.")],
                    action=_("Choose a new password"), link=t.link(PATHS[purpose] + token),
                    reason=_("You receive this mail because a password reset was asked for your account."))

    return notify(conn, mail_site(), Recipient(row.email, row.language or language, username), purpose,
                  f"{purpose}:{username}:{token[:16]}", build, now)


@blp.route("/account/password/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    state, status = forms.FormState(), 200
    if request.method == "POST":
        who = request.form.get("who", "").strip()[:320]
        state.values["who"] = who
        if not who:
            state.errors["who"] = [_("Please enter your user name or your e-mail address.")]
            status = 422
        else:
            now = utcnow()
            with current_runtime().engine.begin() as conn:
                found = conn.execute(
                    select(auth_user.c.username).outerjoin(user_contact, user_contact.c.username == auth_user.c.username)
                    .where(auth_user.c.active.is_(True),
                           or_(auth_user.c.username == who, func.lower(user_contact.c.email) == who.casefold()))
                    .order_by(auth_user.c.username)).scalars().all()
                for username in found:  # a name and an address may match two users: each gets its own link
                    send_link(conn, username, PASSWORD_RESET, now, language())
            return render_template("web/password_forgot.html", form=state, sent=True)
    return render_template("web/password_forgot.html", form=state, sent=False), status


def _set_password_page(token: str, purpose: str):
    now = utcnow()
    engine = current_runtime().engine
    try:
        with engine.connect() as conn:
            link = account_links.check(conn, token[:100], purpose, now)
    except LinkRefused as refused:
        return render_template("web/account_link_refused.html", reason=refused.reason, purpose=purpose), \
            (404 if refused.reason == "unknown" else 410)
    state, status = forms.FormState(), 200
    if request.method == "POST":
        body, _shown = forms.body_from(request.form, ("password",))
        fields = forms.load(NewPassword(), body, state)
        if fields is not None:
            try:
                with engine.begin() as conn:
                    account_links.spend(conn, token, purpose, now)
                    set_password(conn, link.username, fields["password"])
            except LinkRefused as refused:  # spent by a second tab in the meantime
                return render_template("web/account_link_refused.html", reason=refused.reason, purpose=purpose), 410
            flash(_("Your password is set. Log in with it."), "success")
            return redirect(url_for("web.login"))
        status = 422
    return render_template("web/password_set.html", form=state, username=link.username, purpose=purpose), status


@blp.route("/account/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token):
    return _set_password_page(token, PASSWORD_RESET)


@blp.route("/account/invitation/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token):
    return _set_password_page(token, INVITATION)
