"""The staff's pages of case studies: list and search them, publish one, change it, and withdraw it after a
confirmation page. The parties are chosen by name among the site's active organisations; the partners of a
consortium order's case study are shown, as the API shows them (they come with the enquiry's case study and
no form writes them).

A delivery becomes a case study through the new case study's form: the broker's agreement page links to it
with the delivery's public facts in the query string (`DELIVERY_FACTS`: the enquiry's approved public
title, a summary, year, CPV codes, the two organisations' ids and the impact figures). They only fill the
form in: the broker reads and changes them, and what is published is loaded from the post with the API's
`CaseStudySchema` like any other, so the registry needs nothing of the enquiries' store, and a link
somebody made up publishes nothing.
"""
from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.common.auth import roles
from services.common.clock import utc_today
from services.common.errors import SoproError
from services.common.runtime import current_runtime
from services.contracts import cpv
from services.registry import handlers
from services.registry.case_studies import LANGUAGES, CaseStudy
from services.registry.case_study_store import load_case_study, search_case_studies
from services.registry.office_blueprint import (
    PER_PAGE, STAFF, blp, organisation_choices, organisation_names, read, refused, status_of, withdrawal_page)
from services.registry.rules import PUBLISHED, WITHDRAWN
from services.registry.schemas import CaseStudyPatch, CaseStudyQuery, CaseStudySchema
from services.web import forms
from services.web.i18n import LANGUAGE_NAMES
from services.web.numbers import as_decimal, show_number

IMPACT = ("impact.value_paid_eur", "impact.material_diverted_kg", "impact.integration_hours")
# the title and summary in each language of the network (the handbook's and the public page's)
TEXTS = tuple(f"texts.{lang}.{part}" for lang in LANGUAGES for part in ("title", "summary"))
FIELDS = ("title", "summary", "year", "cpv_codes", "client_organisation_id", "social_enterprise_id") + IMPACT + TEXTS
# What a delivery's link may fill in: (query parameter, form field).
DELIVERY_FACTS = (("title", "title"), ("summary", "summary"), ("year", "year"), ("cpv_codes", "cpv_codes"),
                  ("client_organisation_id", "client_organisation_id"),
                  ("social_enterprise_id", "social_enterprise_id"), ("value_paid_eur", "impact.value_paid_eur"),
                  ("material_diverted_kg", "impact.material_diverted_kg"),
                  ("integration_hours", "impact.integration_hours"))
TABS = {"published": (PUBLISHED,), "withdrawn": (WITHDRAWN,), "all": ()}
_CODE = re.compile(r"\d{8}")
_ID = re.compile(r"[0-9a-f-]{36}")


@blp.route("/office/case-studies")
@roles(*STAFF)
def case_studies():
    tab = request.args.get("status", "published")
    tab = tab if tab in TABS else "published"
    state = forms.FormState(values=request.args.to_dict())
    body = {k: v for k in ("q", "page") if (v := request.args.get(k, "").strip())}
    query = forms.load(CaseStudyQuery(), {**body, "per_page": PER_PAGE}, state)
    if "page" in state.errors:
        state.message = state.errors.pop("page")[0]
    found = read(search_case_studies, statuses=TABS[tab], **query) if query is not None else None
    parties = read(organisation_names, [i for s in (found.items if found else []) for i in
                                        (s.client_organisation_id, s.social_enterprise_id)])
    return render_template("registry/office_case_studies.html", form=state, found=found, tab=tab, parties=parties,
                           page=(query or {}).get("page", 1)), 200 if query is not None else 422


@blp.route("/office/case-studies/new", methods=["GET", "POST"])
@roles(*STAFF)
def new_case_study():
    if request.method == "GET":
        return _study_page(None, forms.FormState(values=delivery_facts(request.args)),
                           from_delivery=request.args.get("reference", "")[:40])
    body, values = _posted()
    state = forms.FormState(values=values)
    fields = forms.load_checked(CaseStudySchema(), body, state, study_problems)
    if fields is not None:
        try:
            study = handlers.publish_case_study(current_runtime().uow(), fields, utc_today())
        except SoproError as exc:
            refused(exc, state)
        else:
            flash(_("The case study “%(title)s” is published.", title=study.title), "success")
            return redirect(url_for(".case_study", case_study_id=study.id))
    return _study_page(None, state, status_of(state))


def delivery_facts(args) -> dict:
    """The form's values from a delivery's link: only what looks like its field (numbers shown the page's
    way, CPV codes of eight digits, ids as ids); the rest is left empty for the broker."""
    values = {"year": str(utc_today().year)}
    for parameter, name in DELIVERY_FACTS:
        given = args.get(parameter, "").strip()
        if not given:
            continue
        if name.startswith("impact."):
            number = as_decimal(given)
            if number is not None and number.is_finite():
                values[name] = show_number(number)
        elif name == "cpv_codes":
            values[name] = " ".join(c for c in re.split(r"[\s,]+", given) if _CODE.fullmatch(c) and cpv.is_known(c))
        elif name.endswith("_id"):
            values[name] = given if _ID.fullmatch(given) else ""
        elif name == "year":
            values[name] = given if given.isdigit() and len(given) == 4 else values["year"]
        else:
            values[name] = given[:200] if name == "title" else given[:2000]
    return values


@blp.route("/office/case-studies/<uuid:case_study_id>", methods=["GET", "POST"])
@roles(*STAFF)
def case_study(case_study_id):
    study = read(load_case_study, str(case_study_id))
    if request.method == "GET":
        return _study_page(study, forms.FormState(values=study_values(study)))
    body, values = _posted()
    state = forms.FormState(values=values)
    for name in ("title", "summary", "year", "client_organisation_id", "social_enterprise_id"):
        body.setdefault(name, None)  # emptied: required, or no longer given
    body.setdefault("cpv_codes", [])
    kept = (study.client_organisation_id, study.social_enterprise_id)
    changes = forms.load_checked(CaseStudyPatch, body, state,
                                 lambda data, refused: study_problems(data, refused, kept))
    if changes is not None:
        try:
            handlers.update_case_study(current_runtime().uow(), study.id, changes)
        except SoproError as exc:
            refused(exc, state)
        else:
            flash(_("Your changes to the case study are saved."), "success")
            return redirect(url_for(".case_study", case_study_id=study.id))
    return _study_page(study, state, status_of(state))


def _posted() -> tuple[dict, dict]:
    """The case study form's post as the API's body: the CPV codes are the list's chosen options, and the
    impact and the texts are given whole (an emptied figure or language is no longer given)."""
    form = request.form.to_dict()
    form["cpv_codes"] = " ".join(request.form.getlist("cpv_codes"))
    body, values = forms.body_from(form, FIELDS, lists=("cpv_codes",))
    body.setdefault("impact", {})
    body.setdefault("texts", {})  # the texts are given whole too: an emptied language has none
    return body, values


def study_problems(data: dict, refused: frozenset, kept=()) -> list[tuple[str, list[str]]]:
    """The domain's rules (`CaseStudy._check`, the handler's parties) on what the schema read, in the same
    round as its messages: known CPV codes, a social enterprise as such and a client that is none (or a
    party the case study names already, `kept`, even if withdrawn since)."""
    problems = []
    unknown = [code for code in data.get("cpv_codes") or () if not cpv.is_known(code)]
    if unknown and "cpv_codes" not in refused:
        problems.append(("cpv_codes", [f"{code} is not a CPV 2008 code" for code in unknown]))
    enterprises, clients = dict(organisation_choices(True)), dict(organisation_choices(False))
    for name, wanted, others, message in (
            ("social_enterprise_id", enterprises, clients, "must be a social enterprise"),
            ("client_organisation_id", clients, enterprises, "must not be a social enterprise")):
        chosen = data.get(name)
        if chosen is None or name in refused or chosen in wanted or chosen in kept:
            continue
        problems.append((name, [message if chosen in others else "no such organisation at this site"]))
    return problems


def study_values(study: CaseStudy) -> dict:
    impact = study.impact
    return {"title": study.title, "summary": study.summary, "year": str(study.year),
            "cpv_codes": " ".join(study.cpv_codes), "client_organisation_id": study.client_organisation_id or "",
            "social_enterprise_id": study.social_enterprise_id or "",
            **{f"impact.{name}": "" if getattr(impact, name) is None else show_number(getattr(impact, name))
               for name in ("value_paid_eur", "material_diverted_kg", "integration_hours")},
            **{f"texts.{lang}.{part}": getattr(text, part) for lang, text in study.texts.items()
               for part in ("title", "summary")}}


def _study_page(study: CaseStudy | None, state: forms.FormState, status: int = 200, from_delivery: str = ""):
    enterprises, clients = organisation_choices(True), organisation_choices(False)
    if study is not None:  # a party withdrawn since is still named, not dropped on saving
        named = read(organisation_names, [study.social_enterprise_id, study.client_organisation_id])
        for choices, id_ in ((enterprises, study.social_enterprise_id), (clients, study.client_organisation_id)):
            if id_ in named and id_ not in dict(choices):
                choices.append((id_, named[id_]))
    return render_template("registry/office_case_study.html", study=study, form=state, enterprises=enterprises,
                           clients=clients, from_delivery=from_delivery,
                           text_languages=[(lang, LANGUAGE_NAMES[lang]) for lang in LANGUAGES]), status


@blp.route("/office/case-studies/<uuid:case_study_id>/withdraw", methods=["GET", "POST"])
@roles(*STAFF)
def withdraw_case_study(case_study_id):
    """Taken down from the public pages: the page asks to confirm it, with a reason."""
    study = read(load_case_study, str(case_study_id))
    return withdrawal_page(
        lambda uow, reason: handlers.withdraw_case_study(uow, study.id, reason),
        _("The case study “%(title)s” is withdrawn.", title=study.title), url_for(".case_studies"),
        title=study.title, record=study, back=url_for(".case_study", case_study_id=study.id),
        action=url_for(".withdraw_case_study", case_study_id=study.id),
        question=_("Withdraw the case study “%(title)s”?", title=study.title),
        consequences=[_("It is taken down from the public pages; it cannot be published again.")],
        button=_("Withdraw the case study"), possible=study.status == PUBLISHED)
