"""The expert base at a site: the public search page `/experts` (the consented public profiles, as the
public API answers them) and the staff form of a consultant's public profile (consent, region, summaries,
publications) at /office/consultants/<id>/profile.

The search form is read with the API's query schema (services/contracts/experts.py), the profile form with
the directory's `ConsultantSchema` and the directory's handler, so pages and API refuse alike; messages
are shown beside their fields in the page's language.
"""
from __future__ import annotations

import marshmallow as ma
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from services.common.auth import current_principal, public, roles
from services.common.errors import SoproError
from services.common.runtime import current_runtime
from services.contracts.experts import LANGUAGES, ExpertQuery
from services.enquiries.programmes import consultants_store, handlers
from services.enquiries.programmes.experts_api import find_experts
from services.enquiries.programmes.profiles import regions_of
from services.enquiries.programmes.schemas import ConsultantPatch
from services.web import forms, nav_link, page_blueprint
from services.web.i18n import language

blp = page_blueprint("expert_pages", "services.enquiries")
STAFF = ("site_admin", "broker")
nav_link(blp, "experts", _l("Experts"), order=45)

SEARCH_FIELDS = ("division", "language", "region", "q")
PROFILE_FIELDS = ("public_profile", "region", "summaries.de", "summaries.hu", "summaries.en", "publications")

# The schema's messages the kernel's catalogue (services.web.messages) does not word, in the page's language.
MESSAGES = {
    "not a NUTS-2 or NUTS-3 region of the site's country": _l("Please choose a region of this site's country."),
    "an address starting with https:// or http://": _l("The address must start with https:// or http://."),
}


def _messages(errors: dict) -> dict:
    """In the page's language, and a publication's field (`publications.url`) beside the publications' box."""
    shown: dict[str, list[str]] = {}
    for name, messages in errors.items():
        name = "publications" if name.startswith("publications.") else name
        shown.setdefault(name, []).extend(str(MESSAGES.get(m, m)) for m in messages)
    # one message a field: the field macros give every message of a field the same id
    return {name: [" ".join(dict.fromkeys(messages))] for name, messages in shown.items()}


def language_choices() -> list[tuple[str, str]]:
    names = {"de": _("German"), "hu": _("Hungarian"), "en": _("English")}
    return [(code, names[code]) for code in LANGUAGES]


@blp.route("/experts")
@public
def experts():
    """Search the site's experts with a public profile (every filter optional)."""
    state = forms.FormState(values={k: request.args.get(k, "") for k in SEARCH_FIELDS})
    given = {k: request.args[k].strip() for k in SEARCH_FIELDS if request.args.get(k, "").strip()}
    try:
        answer = find_experts(ExpertQuery().load(given))
    except ma.ValidationError as exc:
        state.add_errors(_messages(forms.flatten(exc.messages)))
        answer = None
    site = current_runtime().settings.site
    return render_template("enquiries/experts.html", form=state, answer=answer, lang=language(),
                           language_choices=language_choices(),
                           expert_regions=list(regions_of(site.country).items())), 200 if state.valid else 422


# --- the staff form ----------------------------------------------------------------------------------

def _publication_lines(text: str) -> tuple[list[dict], list[str]]:
    """One publication a line: `title | year | address` (the address optional)."""
    found, problems = [], []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) not in (2, 3) or not parts[1].isdigit() or len(parts[1]) != 4:
            problems.append(_("Line %(n)s: write title | year | address (the address may be left out).", n=number))
            continue
        found.append({"title": parts[0], "year": int(parts[1]), "url": (parts[2] if len(parts) == 3 else "") or None})
    return found, problems


def _profile_values(c) -> dict:
    return {"public_profile": "on" if c.consent_at else "", "region": c.region or "",
            **{f"summaries.{lang}": c.summaries.get(lang, "") for lang in LANGUAGES},
            "publications": "\n".join(" | ".join([p["title"], str(p["year"]), *([p["url"]] if p.get("url") else [])])
                                      for p in c.publications)}


@blp.route("/office/consultants/<uuid:consultant_id>/profile", methods=["GET", "POST"])
@roles(*STAFF)
def profile(consultant_id):
    """A consultant's public professional profile and the consent to show it."""
    consultant_id = str(consultant_id)
    with current_runtime().engine.connect() as conn:
        consultant = consultants_store.load_consultant(conn, consultant_id)
    state, status = forms.FormState(values=_profile_values(consultant)), 200
    if request.method == "POST":
        body, state.values = forms.body_from(request.form, PROFILE_FIELDS, flags=("public_profile",))
        body.setdefault("region", None)
        body["summaries"] = {lang: text for lang, text in body.get("summaries", {}).items()}
        body["publications"], problems = _publication_lines(request.form.get("publications", ""))
        for lang in LANGUAGES:  # a cleared summary is removed
            body["summaries"].setdefault(lang, "")
        errors = {"publications": problems} if problems else {}
        try:
            fields = ConsultantPatch.load(body)
        except ma.ValidationError as exc:
            errors = {**forms.flatten(exc.messages), **({"publications.lines": problems} if problems else {})}
            fields = None
        state.add_errors(_messages(errors))
        if fields is not None and state.valid:
            try:
                handlers.update_consultant(current_runtime().uow(), consultant_id, fields,
                                           current_principal().subject)
            except SoproError as exc:
                forms.apply_domain_error(exc, state)
            else:
                flash(_("The public profile has been saved."), "success")
                return redirect(url_for(".profile", consultant_id=consultant_id))
        status = 422
    site = current_runtime().settings.site
    return render_template("enquiries/expert_profile.html", consultant=consultant, form=state,
                           expert_regions=list(regions_of(site.country).items())), status
