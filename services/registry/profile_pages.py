"""An organisation's public profile, written in each of the site's languages: by its own member at
/office/member/profile, by the site's brokers and admins at /office/organisations/<id>/profile.

A social enterprise calls it its profile, a client company or public institution its shop window; the
public reads it on the organisation's page (`registry_pages.showcase`). A member writes its own
organisation's only (the page has no id to name another; the handler checks `acting_for` as well); staff
write any organisation's of their site, an unknown one is the kernel's 404. The form has one text per
site language; what the domain refuses is shown beside its field in the page's language.
"""
from __future__ import annotations

from babel import Locale
from flask import flash, redirect, render_template, request
from flask_babel import gettext as _

from services.common.auth import acting_for, roles
from services.common.errors import SoproError
from services.common.runtime import current_runtime
from services.registry import handlers, profiles
from services.registry.organisation_store import load_organisation
from services.registry.organisations import Organisation
from services.registry.profile_store import load_profile
from services.web import forms, page_blueprint
from services.web.i18n import language
from services.web.numbers import show_number

MEMBER = ("member",)
STAFF = ("site_admin", "broker")
blp = page_blueprint("profile_pages", __name__)
# The domain's own words for a profile (the rest services.web.messages translates); the limit is written
# as the hint above the field writes it ("2.000" in German).
DOMAIN_MESSAGES = {
    profiles.NOTHING_WRITTEN: lambda: _("Please write the text in at least one of the site’s languages."),
    profiles.NOT_A_SITE_LANGUAGE: lambda: _("This is not one of the site’s languages."),
    profiles.TOO_LONG.format(max=profiles.PROFILE_MAX_LENGTH):
        lambda: _("Please enter at most %(max)s characters.", max=show_number(profiles.PROFILE_MAX_LENGTH)),
}


def _read(fn, *args):
    with current_runtime().engine.connect() as conn:
        return fn(conn, *args)


def site_languages() -> tuple[str, ...]:
    """The languages the site offers (deploy/federation.yaml), in which a profile may be written."""
    return tuple(current_runtime().settings.site.languages)


def language_name(code: str) -> str:
    """A language's name in the page's language ("Englisch", "angol", "English")."""
    return Locale.parse(language()).languages.get(code, code)


@blp.route("/office/member/profile", methods=["GET", "POST"])
@roles(*MEMBER)
def member_profile():
    org = _read(load_organisation, acting_for(()))
    return _profile_page(org, acting_for=org.id)


@blp.route("/office/organisations/<uuid:organisation_id>/profile", methods=["GET", "POST"])
@roles(*STAFF)
def staff_profile(organisation_id):
    org = _read(load_organisation, str(organisation_id))
    return _profile_page(org, acting_for=None)


def _profile_page(org: Organisation, acting_for: str | None):
    languages = site_languages()
    names = [profiles.field_name(code) for code in languages]
    if request.method == "GET":
        texts = _read(load_profile, org.id)
        state = forms.FormState(values={profiles.field_name(code): texts.get(code, "") for code in languages})
        return _render(org, state, languages, staff=acting_for is None)
    state = forms.FormState(values={name: request.form.get(name, "") for name in names})
    posted = {code: state.values[profiles.field_name(code)] for code in languages}
    try:
        handlers.write_profile(current_runtime().uow(), org.id, posted, languages, acting_for=acting_for)
    except SoproError as exc:
        if exc.status not in (409, 422):
            raise  # 403, 404: the kernel's error page
        if exc.status == 409:  # the only state that refuses: the organisation left the register
            state.message = _("This organisation is withdrawn: its profile can no longer be changed.")
            return _render(org, state, languages, staff=acting_for is None), 409
        exc.errors = {name: [DOMAIN_MESSAGES[m]() if m in DOMAIN_MESSAGES else m for m in messages]
                      for name, messages in exc.errors.items()}
        forms.apply_domain_error(exc, state)
        return _render(org, state, languages, staff=acting_for is None), 422
    flash(_("The shop window is saved.") if not org.is_social_enterprise else _("The profile is saved."), "success")
    return redirect(request.path)


def _render(org: Organisation, state: forms.FormState, languages: tuple[str, ...], staff: bool):
    fields = [(profiles.field_name(code), code, _label(code, org)) for code in languages]
    return render_template("registry/profile.html", org=org, form=state, fields=fields, staff=staff,
                           max_length=profiles.PROFILE_MAX_LENGTH)


def _label(code: str, org: Organisation) -> str:
    name = language_name(code)
    label = _("Profile in %(language)s", language=name) if org.is_social_enterprise \
        else _("Shop window text in %(language)s", language=name)
    return label[:1].upper() + label[1:]
