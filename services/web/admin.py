"""The site administrator's pages: users and roles, dead letters, and the outbox backlog.

Users are the kernel's `auth_user` rows (the same ones `sopro users add` makes and the API's tokens
are issued to), with its password hashing and role names. Dead letters and the outbox are the
kernel's tables: what a consumer could not apply, and what the relay has not published yet.
"""
from __future__ import annotations

import marshmallow as ma
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from marshmallow import validate
from sqlalchemy import case, func, select

from services.common.auth import current_principal, roles
from services.common.tokens import ROLES
from services.common.users import add_user, auth_user, update_user
from services.common.fields import Id, storable
from services.common.inbox import dead_letter
from services.common.outbox import outbox
from services.common.runtime import current_runtime
from services.web import forms
from services.web.blueprints import OFFICE_AREA, nav_link, page_blueprint

ADMINS = ("site_admin", "agency_admin")
blp = page_blueprint("admin_pages", __name__)
nav_link(blp, "users", _l("Users and roles"), roles=ADMINS, area=OFFICE_AREA, order=80)
nav_link(blp, "operations", _l("Dead letters and outbox"), roles=ADMINS, area=OFFICE_AREA, order=90)
MACHINE_ROLES = ("federation",)  # never given to a person


class NewUserSchema(ma.Schema):
    username = ma.fields.String(required=True, validate=[
        validate.Regexp(r"^[A-Za-z0-9._@-]{2,100}$", error="2 to 100 letters, digits or . _ @ -"), storable])
    password = ma.fields.String(required=True, validate=[validate.Length(min=10, max=200), storable])
    roles = ma.fields.List(ma.fields.String(validate=validate.OneOf([r for r in ROLES if r not in MACHINE_ROLES])),
                           required=True, validate=validate.Length(min=1, error="choose at least one role"))
    organisation_id = Id(load_default=None, allow_none=True)


def _users():
    with current_runtime().engine.connect() as conn:
        return conn.execute(select(auth_user).order_by(auth_user.c.username)).all()


def _role_choices():
    return [r for r in ROLES if r not in MACHINE_ROLES]


@blp.route("/office/users", methods=["GET", "POST"])
@roles(*ADMINS)
def users():
    state, status = forms.FormState(), 200
    if request.method == "POST":
        body, state.values = forms.body_from(request.form, ("username", "password", "organisation_id"))
        body["roles"] = request.form.getlist("roles")
        state.values["roles"] = body["roles"]
        fields = forms.load(NewUserSchema(), body, state)
        if fields is not None:
            with current_runtime().engine.begin() as conn:
                taken = conn.execute(select(auth_user.c.username)
                                     .where(auth_user.c.username == fields["username"])).first()
                if taken:
                    state.errors["username"] = [_("This user name is taken.")]
                else:
                    add_user(conn, fields["username"], fields["password"], fields["roles"], fields["organisation_id"])
            if state.valid:
                flash(_("The user %(name)s has been added.", name=fields["username"]), "success")
                return redirect(url_for(".users"))
        state.values.pop("password", None)
        status = 422
    return render_template("web/users.html", users=_users(), form=state, role_choices=_role_choices()), status


@blp.route("/office/users/<username>", methods=["POST"])
@roles(*ADMINS)
def change_user(username):
    """New roles, or active / inactive. Nobody takes their own administration away."""
    chosen = [r for r in request.form.getlist("roles") if r in _role_choices()]
    active = request.form.get("active") == "on"
    me = current_principal().subject
    if username == me and (not active or not set(chosen) & set(ADMINS)):
        flash(_("You cannot take your own administration away."), "error")
        return redirect(url_for(".users"))
    if not chosen:
        flash(_("Choose at least one role."), "error")
        return redirect(url_for(".users"))
    with current_runtime().engine.begin() as conn:  # deactivation ends the user's tokens and sessions at once
        updated = update_user(conn, username, roles=chosen, active=active)
    flash(_("The user %(name)s has been changed.", name=username) if updated else _("There is no such user."),
          "success" if updated else "error")
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
