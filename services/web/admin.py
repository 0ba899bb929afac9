"""The site administrator's pages: users and roles, dead letters, and the outbox backlog.

Users are the kernel's `auth_user` rows (the same ones `sopro users add` makes and the API's tokens
are issued to), with its password hashing and role names. Dead letters and the outbox are the
kernel's tables: what a consumer could not apply, and what the relay has not published yet.
"""
from __future__ import annotations

import marshmallow as ma
import secrets

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import validate
from sqlalchemy import case, func, select

from services.common.auth import current_principal, roles
from services.common.tokens import ROLES
from services.common.errors import NotFound
from services.common.account_links import INVITATION
from services.common.clock import utcnow
from services.common.notifications import set_contact, valid_address
from services.common.users import add_user, auth_user, set_password, update_user
from services.common.fields import Id, storable
from services.common.inbox import dead_letter
from services.common.outbox import outbox
from services.common.runtime import current_runtime
from services.web import account_pages, forms, member_link
from services.web.blueprints import OFFICE_AREA, nav_link, page_blueprint

ADMINS = ("site_admin", "agency_admin")
blp = page_blueprint("admin_pages", __name__)
nav_link(blp, "users", _l("Users and roles"), roles=ADMINS, area=OFFICE_AREA, order=80)
nav_link(blp, "operations", _l("Dead letters and outbox"), roles=ADMINS, area=OFFICE_AREA, order=90)
MACHINE_ROLES = ("federation",)  # never given to a person


class PasswordSchema(ma.Schema):
    password = ma.fields.String(required=True, validate=[validate.Length(min=10, max=200), storable])


class NewUserSchema(ma.Schema):
    """A password, or (at a site, which sends mail) an address to send an invitation to."""
    password = ma.fields.String(load_default=None, validate=[validate.Length(min=10, max=200), storable])
    email = ma.fields.String(load_default=None, validate=[validate.Length(max=320), storable])
    username = ma.fields.String(required=True, validate=[
        validate.Regexp(r"^[A-Za-z0-9._@-]{2,100}$", error="2 to 100 letters, digits or . _ @ -"), storable])
    roles = ma.fields.List(ma.fields.String(validate=validate.OneOf([r for r in ROLES if r not in MACHINE_ROLES])),
                           required=True, validate=validate.Length(min=1, error="choose at least one role"))
    organisation_id = Id(load_default=None, allow_none=True)


def _users():
    with current_runtime().engine.connect() as conn:
        return conn.execute(select(auth_user).order_by(auth_user.c.username)).all()


def _role_choices():
    return [r for r in ROLES if r not in MACHINE_ROLES]


def _can_invite() -> bool:
    """A site sends invitations by mail; the hub keeps no addresses."""
    return "account_pages.accept_invitation" in current_app.view_functions


def _users_page(form: forms.FormState, organisations: member_link.OrganisationSearch, status: int = 200):
    directory, users = member_link.member_directory(), _users()
    return render_template("web/users.html", users=users, form=form, role_choices=_role_choices(),
                           invite=_can_invite(),
                           me=current_principal().subject,
                           directory=directory is not None, organisations=organisations,
                           members=member_link.names_of(directory, [u.organisation_id for u in users])), status


@blp.route("/office/users", methods=["GET", "POST"])
@roles(*ADMINS)
def users():
    """The users, and a new one; a member's organisation is searched for (`organisation_q`) and chosen."""
    directory = member_link.member_directory()
    if request.method == "GET":
        return _users_page(forms.FormState(), member_link.search(directory, request.args.get("organisation_q", "")))
    body, values = forms.body_from(request.form, ("username", "password", "email", "organisation_id"))
    for optional in ("password", "email"):  # empty: not given
        if not (body.get(optional) or "").strip():
            body.pop(optional, None)
    state = forms.FormState(values=values)
    body["roles"] = state.values["roles"] = request.form.getlist("roles")
    organisations = member_link.search(directory, request.form.get("organisation_q", ""), values["organisation_id"])
    fields = forms.load(NewUserSchema(), body, state)
    if "organisation_id" not in state.errors:  # in the same round as the schema's messages
        state.add_errors(member_link.link_problems(directory, values["organisation_id"].strip(), body["roles"]))
    state.add_errors(_credential_problems(body))
    if fields is not None and state.valid:
        now = utcnow()
        with current_runtime().engine.begin() as conn:
            taken = conn.execute(select(auth_user.c.username)
                                 .where(auth_user.c.username == fields["username"])).first()
            if taken:
                state.errors["username"] = [_("This user name is taken.")]
            else:
                # invited: a random password nobody knows, until the user chooses theirs through the link
                add_user(conn, fields["username"], fields["password"] or secrets.token_urlsafe(32), fields["roles"],
                         fields["organisation_id"])
                if fields["email"] and _can_invite():  # the hub keeps no addresses
                    set_contact(conn, fields["username"], fields["email"])
                if not fields["password"]:
                    account_pages.send_link(conn, fields["username"], INVITATION, now)
        if state.valid:
            if fields["password"]:
                flash(_("The user %(name)s has been added.", name=fields["username"]), "success")
            else:
                flash(_("The user %(name)s has been added and invited by mail.", name=fields["username"]), "success")
            return redirect(url_for(".users"))
    state.values.pop("password", None)
    return _users_page(state, organisations, 422)


def _credential_problems(body: dict) -> dict[str, list[str]]:
    """Field messages: a password, or at a site an address to invite; an address must be one."""
    email = (body.get("email") or "").strip()
    if email and not valid_address(email):
        return {"email": [_("Please enter one e-mail address, like name@example.org.")]}
    if not body.get("password") and not (email and _can_invite()):
        if _can_invite():
            return {"password": [_("Please enter a password, or an e-mail address to send an invitation to.")]}
        return {"password": [_("Please enter a password.")]}
    return {}


@blp.route("/office/users/<username>/password", methods=["GET", "POST"])
@roles(*ADMINS)
def user_password(username):
    """A new password set by the administrator (no mail yet to let users reset their own): it ends every
    session and token of the user at once."""
    with current_runtime().engine.connect() as conn:
        if conn.execute(select(auth_user.c.username).where(auth_user.c.username == username)).first() is None:
            raise NotFound(f"no user {username}")
    state, status = forms.FormState(), 200
    if request.method == "POST":
        body, _shown = forms.body_from(request.form, ("password",))
        fields = forms.load(PasswordSchema(), body, state)
        if fields is not None:
            with current_runtime().engine.begin() as conn:
                set_password(conn, username, fields["password"])
            flash(_("%(name)s has a new password; their sessions have ended.", name=username), "success")
            return redirect(url_for(".users"))
        status = 422
    return render_template("web/user_password.html", username=username, form=state), status


@blp.route("/office/users/<username>", methods=["POST"])
@roles(*ADMINS)
def change_user(username):
    """New roles. Nobody takes their own administration away; deactivation has a page of its own."""
    chosen = [r for r in request.form.getlist("roles") if r in _role_choices()]
    if username == current_principal().subject and not set(chosen) & set(ADMINS):
        flash(_("You cannot take your own administration away."), "error")
        return redirect(url_for(".users"))
    if not chosen:
        flash(_("Choose at least one role."), "error")
        return redirect(url_for(".users"))
    with current_runtime().engine.begin() as conn:
        updated = update_user(conn, username, roles=chosen)
    flash(_("The user %(name)s has been changed.", name=username) if updated else _("There is no such user."),
          "success" if updated else "error")
    return redirect(url_for(".users"))


def _user(username: str):
    with current_runtime().engine.connect() as conn:
        user = conn.execute(select(auth_user).where(auth_user.c.username == username)).first()
    if user is None:
        raise NotFound(f"no user {username[:100]}")
    return user


@blp.route("/office/users/<username>/deactivate", methods=["GET", "POST"])
@roles(*ADMINS)
def deactivate_user(username):
    """Asks first: deactivation ends the user's sessions and tokens at once. The user stays on record
    (their name is in audit trails) and can be reactivated."""
    user = _user(username)
    if username == current_principal().subject:
        flash(_("You cannot take your own administration away."), "error")
        return redirect(url_for(".users"))
    if request.method == "POST":
        with current_runtime().engine.begin() as conn:
            update_user(conn, username, active=False)
        flash(_("%(name)s is deactivated and can no longer log in.", name=username), "success")
        return redirect(url_for(".users"))
    return render_template("web/user_deactivate.html", user=user)


@blp.route("/office/users/<username>/activate", methods=["POST"])
@roles(*ADMINS)
def activate_user(username):
    _user(username)
    with current_runtime().engine.begin() as conn:
        update_user(conn, username, active=True)
    flash(_("%(name)s is active again and logs in with their password.", name=username), "success")
    return redirect(url_for(".users"))


@blp.route("/office/operations")
@roles(*ADMINS)
def operations():
    """Messages that could not be applied, and events waiting to be published, per stream."""
    with current_runtime().engine.connect() as conn:
        letters = conn.execute(select(dead_letter).order_by(dead_letter.c.id.desc()).limit(100)).all()
        waiting = outbox.c.published_at.is_(None)
        backlog = conn.execute(
            select(outbox.c.stream, func.count().label("unpublished"),
                   func.sum(case((outbox.c.seq.is_(None), 1), else_=0)).label("unsequenced"),
                   func.min(outbox.c.occurred_at).label("oldest"))
            .where(waiting).group_by(outbox.c.stream).order_by(outbox.c.stream)).all()
        published = dict(conn.execute(select(outbox.c.stream, func.max(outbox.c.seq))
                                      .where(outbox.c.published_at.is_not(None)).group_by(outbox.c.stream)).all())
    return render_template("web/operations.html", letters=letters, backlog=backlog, published=published)
