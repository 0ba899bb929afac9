"""The kernel's own pages: login, logout, the static files and the favicon; and what every template may use.
The legal pages (`legal`) and the administrator's (`admin`) are registered with them."""
from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.common.auth import public
from services.common.auth_api import Credentials
from services.common.ratelimit import not_a_public_write
from services.common.runtime import current_runtime
from services.contracts import nuts as regions
from services.web import access, cpv_labels, forms
from services.web.admin import blp as admin_blp
from services.web.blueprints import OFFICE_AREA, PUBLIC_AREA, page_blueprint, visible_links
from services.web.i18n import LANGUAGE_NAMES, LANGUAGES, language
from services.web.legal import blp as legal_blp
from services.web.static_files import send_static, static_url
from services.web.vocabulary import choices

blp = page_blueprint("web", __name__)


def register(app) -> None:
    app.register_blueprint(blp)
    app.register_blueprint(admin_blp)
    app.register_blueprint(legal_blp)
    app.context_processor(template_helpers)


def template_helpers() -> dict:
    lang = language()
    principal = g.get("principal")
    site = current_runtime().settings.site
    return {
        "lang": lang,
        # Not `languages`: a page's own `languages` (a consultant's, a form's choices) would shadow it.
        "language_switcher": [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES],
        "lang_url": lang_url,
        "static_url": static_url,
        "site": site,
        "site_title": site.name if site.is_hub else f"SoPro {site.name} ({site.id})",
        "public_links": visible_links(current_app, principal, PUBLIC_AREA),
        "office_links": visible_links(current_app, principal, OFFICE_AREA) if principal else [],
        "cpv_label": lambda code: cpv_labels.code_label(code, lang),
        "cpv_divisions": cpv_labels.division_choices(lang),
        "cpv_division_codes": cpv_labels.division_code_choices(lang),
        "region_name": regions.region_name,
        "site_name": lambda site_id: _site_name(site_id),
        "choices": choices,
        "region_choices": regions.region_choices(site.id, site.is_hub),
    }


def _site_name(site_id: str | None) -> str:
    sites = current_runtime().settings.federation.sites
    return f"{sites[site_id].name} ({site_id})" if site_id in sites else (site_id or "–")


def lang_url(code: str) -> str:
    """This page in another language (a GET link; the choice is remembered in the session)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [code]
    if request.endpoint is None:
        return f"?lang={code}"
    return url_for(request.endpoint, **{**args, **(request.view_args or {})})


@blp.route("/static/web/<path:filename>")
@public
def static(filename):
    return send_static(filename)


@blp.route("/favicon.ico")
@public
def favicon():
    """For browsers that ask before reading the page's icon link (and for JSON answers, which have none)."""
    return redirect(static_url("favicon.svg"))


@blp.route("/login", methods=["GET", "POST"])
@public
@not_a_public_write  # a password check: its own, stricter allowance
def login():
    state = forms.FormState()
    status = 200
    if request.method == "POST":
        body, state.values = forms.body_from(request.form, ("username", "password"))
        creds = forms.load(Credentials(), body, state)
        if creds is not None:
            user = access.log_in(creds["username"], creds["password"])
            if user is not None:
                flash(_("Welcome, %(name)s.", name=user.username), "success")
                return redirect(access.safe_next(request.args.get("next"), home_of(user.roles)))
            state.message = _("Unknown user or wrong password.")
        state.values.pop("password", None)
        status = 401 if state.message else 422
    # a site's users reset their password by mail; the hub keeps no addresses, so it has no such page
    forgot_url = url_for("account_pages.forgot_password") if "account_pages.forgot_password" in current_app.view_functions else None
    return render_template("web/login.html", form=state, forgot_url=forgot_url), status


def home_of(roles) -> str:
    """The first back-office page the user may open, else the site's home page."""
    held = frozenset(roles)
    for link in sorted(current_app.extensions.get("sopro.nav", []), key=lambda link: (link.order, link.endpoint)):
        if link.area == OFFICE_AREA and (link.roles is None or link.roles & held):
            return url_for(link.endpoint)
    return "/"


@blp.route("/logout", methods=["POST"])
@public
@not_a_public_write  # ends a session, files nothing
def logout():
    access.log_out()
    flash(_("You have logged out."), "success")
    return redirect("/")
