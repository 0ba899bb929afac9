"""Pages of the organisations supporting the platform (issue 19, `services.registry.supporters`): on a
statement's office page a broker names the registered organisation behind an organisation's statement; a
member declares its own organisation's support from its office, and sees whether it counts yet.

A refusal is said beside its field (422: a person's statement, an unknown or withdrawn organisation) or
above the form (409: a withdrawn statement, a support already declared), in the page's language.
"""
from __future__ import annotations

import marshmallow as ma
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from services.common.auth import acting_for, current_principal, roles
from services.common.clock import utc_today
from services.common.errors import SoproError
from services.common.runtime import current_runtime
from services.contracts.fields import Email, Strict
from services.registry.organisation_store import load_organisation
from services.registry.pages import STAFF, statement_page
from services.registry.rules import ACTIVE
from services.registry.statement_store import load_statement
from services.registry.supporters import declare_support, link_statement, statements_of, supporting
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint
from services.web.i18n import language

MEMBER = ("member",)
blp = page_blueprint("supporter_pages", __name__)
nav_link(blp, "our_support", _l("Supporting the platform"), roles=MEMBER, area=OFFICE_AREA, order=8)


class LinkForm(Strict):
    organisation_id = ma.fields.UUID(required=True, allow_none=True)


class DeclarationForm(Strict):
    email = Email(required=True, allow_none=True)
    consent = ma.fields.Boolean(required=True, truthy={True}, falsy={False})


def _read(fn, *args, **kwargs):
    with current_runtime().engine.connect() as conn:
        return fn(conn, *args, **kwargs)


def _refused(exc: SoproError, state: forms.FormState) -> int:
    if exc.status not in (409, 422):
        raise exc  # 403, 404: the kernel's error page
    forms.apply_domain_error(exc, state)
    return exc.status


@blp.route("/office/statements/<uuid:statement_id>/organisation", methods=["POST"])
@roles(*STAFF)
def link(statement_id):
    """Names (or, with none chosen, no longer names) the registered organisation behind the statement."""
    body, values = forms.body_from(request.form, ("organisation_id",))
    state = forms.FormState(values=values, id_prefix="link")
    body["organisation_id"] = body.get("organisation_id") or None
    loaded = forms.load(LinkForm(), body, state)
    if loaded is None:
        return statement_page(str(statement_id), 422, link_form=state)
    chosen = loaded["organisation_id"]
    try:
        done = link_statement(current_runtime().uow(), str(statement_id), None if chosen is None else str(chosen),
                              current_principal().subject)
    except SoproError as exc:
        status = _refused(exc, state)
        statement = _read(load_statement, str(statement_id))
        if state.errors and not (statement.kind == "organisation" and statement.status == ACTIVE):
            # the page draws no such field for this statement: said above the page instead
            state.message = " ".join(m for messages in state.errors.values() for m in messages)
            state.errors = {}
        return statement_page(str(statement_id), status, link_form=state)
    flash(_("Statement %(reference)s now names the organisation.", reference=done.reference) if chosen else
          _("Statement %(reference)s no longer names an organisation.", reference=done.reference), "success")
    return redirect(url_for("registry_pages.statement", statement_id=statement_id))


@blp.route("/office/our-support", methods=["GET", "POST"])
@roles(*MEMBER)
def our_support():
    """Whether the member's organisation supports the platform (a confirmed, active statement names it),
    its statements, and the declaration. A declaration counts once confirmed: by the link mailed to the
    address given, or by a broker."""
    org = _read(load_organisation, acting_for(()))
    state = forms.FormState()
    status = 200
    if request.method == "POST":
        body, state.values = forms.body_from(request.form, ("email", "consent"), flags=("consent",))
        body["email"] = body.get("email") or None
        loaded = forms.load(DeclarationForm(), body, state)
        if loaded is not None and not loaded["consent"]:
            state.errors["consent"] = [_("Please confirm that your organisation supports the platform.")]
            loaded = None
        if loaded is None:
            status = 422
        else:
            runtime = current_runtime()
            site = runtime.settings.site
            try:
                declare_support(runtime.uow(), org.id, loaded["email"], utc_today(), site.url,
                                tuple(site.languages), language())
            except SoproError as exc:
                status = _refused(exc, state)
            else:
                flash(_("Thank you! Your statement of support counts once it is confirmed."), "success")
                return redirect(url_for(".our_support"))
    statements = _read(statements_of, org.id)
    supports = org.id in _read(supporting, [org.id])
    return render_template("registry/our_support.html", org=org, statements=statements, supports=supports,
                           form=state), status
