"""The label's criteria at the hub, in the browser (agency roles, after login): the published versions,
one version with every criterion in de, hu and en, and (agency admin) the form that publishes the next
version, pre-filled from the newest one.

The form changes what a version says, criterion by criterion: its texts in the three languages, its kind,
a threshold's minimum or a score's range, the figure's range; and the title, validity and the day it
applies from. A criterion can be left out of the next version, and one new criterion can be added per
version (its id, area, kind, texts, an optional figure with its unit and range, and document kinds); a
kept criterion's id, area, figure name and unit and document kinds stay as they are. The form is checked
by the contract and the publication's rules (`publishing.check`); every message stands beside its field,
in the page's language.
"""
from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from services.common.auth import current_principal, roles
from services.common.clock import utc_today
from services.common.errors import Conflict, Invalid, NotFound
from services.common.runtime import current_runtime
from services.contracts.events.criteria import FAMILIES, KINDS, LANGUAGES
from services.hub.criteria import publishing, store
from services.hub.query import member_site_ids
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint
from services.web.dates import show_date
from services.web.messages import translate
from services.web.numbers import in_api_form, not_a_number, show_number

AGENCY = ("agency_viewer", "agency_admin")
ADMIN = "agency_admin"

blp = page_blueprint("agency_criteria", __name__, url_prefix="/agency/criteria")
nav_link(blp, "versions", _l("Label criteria"), roles=AGENCY, area=OFFICE_AREA, order=65)


def _messages() -> list[tuple[re.Pattern, object]]:
    """The contract's and the publication's messages (services.contracts.events.criteria, publishing) in the
    page's language; marshmallow's own are translated by services.web.messages."""
    return [
        (re.compile(r"^must not be negative$"), lambda: _("Must not be negative.")),
        (re.compile(r"^must be greater than the lowest value$"), lambda: _("Must be greater than the lowest value.")),
        (re.compile(r"^a threshold criterion needs a figure$"),
         lambda: _("A threshold criterion needs a figure; this criterion has none, so it can only be scored.")),
        (re.compile(r"^a threshold criterion needs a minimum$"), lambda: _("Please enter the minimum.")),
        (re.compile(r"^must be between (?P<low>\S+) and (?P<high>\S+)$"),
         lambda low, high: _("Please enter a value from %(low)s to %(high)s.", low=show_number(low),
                             high=show_number(high))),
        (re.compile(r"^a scored criterion needs a highest score and a score needed to pass$"),
         lambda: _("Please enter the highest score and the score needed to pass.")),
        (re.compile(r"^must not be above the highest score$"), lambda: _("Must not be above the highest score.")),
        (re.compile(r"^a criterion without a figure needs documents$"),
         lambda: _("A criterion without a figure needs documents.")),
        (re.compile(r"^criterion ids must be unique: (?P<ids>.+) twice$"),
         lambda ids: _("Each criterion may appear only once (%(ids)s twice).", ids=ids)),
        (re.compile(r"^the next version is (?P<n>\d+)$"),
         lambda n: _("Version %(n)s has been published meanwhile; please start again from the newest version.",
                     n=int(n) - 1)),
        (re.compile(r"^published already$"),
         lambda: _("This version has been published meanwhile; please start again from the newest version.")),
        (re.compile(r"^must not be in the past$"), lambda: _("Must not be in the past.")),
        (re.compile(r"^Shorter than minimum length 1\.$"), lambda: _("Keep at least one criterion.")),
        (re.compile(r"^lower-case letters, digits and underscores, starting with a letter$"),
         lambda: _("Please use lower-case letters, digits and underscores, starting with a letter.")),
    ]


def shown(message: str) -> str:
    for pattern, text in _messages():
        match = pattern.match(str(message))
        if match:
            return text(**match.groupdict())
    return translate(message)


# --- the form's fields -------------------------------------------------------------------------------
# Flat names: `title.de`, `validity_years`, `applies_from`, and per criterion (by position) `c<i>.text.de`,
# `c<i>.kind`, `c<i>.minimum`, `c<i>.max_score`, `c<i>.min_score`, `c<i>.figure_min`, `c<i>.figure_max`,
# `c<i>.leave_out`.

def prefilled(newest: store.Version) -> dict:
    values = {f"title.{lang}": newest.title.get(lang, "") for lang in LANGUAGES}
    values["validity_years"] = str(newest.body["validity_years"])
    for i, c in enumerate(newest.criteria):
        values.update({f"c{i}.text.{lang}": c["text"].get(lang, "") for lang in LANGUAGES})
        values[f"c{i}.kind"] = c["kind"]
        figure, scoring = c["evidence"].get("figure"), c["scoring"]
        if figure:
            values[f"c{i}.figure_min"] = show_number(figure["min"])
            values[f"c{i}.figure_max"] = show_number(figure["max"])
        for name in ("minimum", "max_score", "min_score"):
            if scoring.get(name) is not None:
                values[f"c{i}.{name}"] = show_number(scoring[name])
    return values


NEW = "n"  # the prefix of the fields of a criterion added in the form


def sent_prefixes(form, newest: store.Version) -> list[str]:
    """The field prefix of each criterion the form sends, in order: the newest version's that are kept
    (`c<i>`), then the added one (`n`) if it has an id."""
    kept = [f"c{i}" for i in range(len(newest.criteria)) if form.get(f"c{i}.leave_out") != "on"]
    return kept + ([NEW] if form.get(f"{NEW}.id", "").strip() else [])


def body_of(form, newest: store.Version, state: forms.FormState) -> dict:
    """The catalogue the form describes (the next version), in the contract's shape. A number the page's
    language cannot read is refused beside its field and left out."""
    state.values = {name: form.get(name, "") for name in form if name != "csrf_token"}

    def number(name: str, whole: bool = False):
        typed = form.get(name, "").strip()
        if not typed:
            return None
        value = in_api_form(typed, whole)
        if value is None:
            state.errors.setdefault(name, []).append(not_a_number(whole))
        return value

    def texts(prefix: str) -> dict:  # an empty text is a missing one
        typed = {lang: form.get(prefix + lang, "").strip() for lang in LANGUAGES}
        return {lang: text for lang, text in typed.items() if text}

    def criterion(p: str, base: dict) -> dict:
        kind = form.get(f"{p}.kind", "")
        evidence = {"documents": base["documents"]} if base.get("documents") else {}
        if base.get("figure") is not None:
            figure = {**base["figure"], "min": number(f"{p}.figure_min"), "max": number(f"{p}.figure_max")}
            evidence["figure"] = {k: v for k, v in figure.items() if v is not None}
        names = ("minimum",) if kind == "threshold" else ("max_score", "min_score")
        scoring = {name: number(f"{p}.{name}", whole=name != "minimum") for name in names}
        return {"id": base["id"], "family": base["family"], "kind": kind, "text": texts(f"{p}.text."),
                "evidence": evidence, "scoring": {k: v for k, v in scoring.items() if v is not None}}

    criteria = []
    for p in sent_prefixes(form, newest):
        if p == NEW:
            figure = {k: form.get(f"{NEW}.figure_{k}", "").strip() for k in ("name", "unit")}
            documents = [w for w in re.split(r"[\s,;]+", form.get(f"{NEW}.documents", "")) if w]
            base = {"id": form.get(f"{NEW}.id", "").strip(), "family": form.get(f"{NEW}.family", ""),
                    "figure": {k: v for k, v in figure.items() if v} if _figure_typed(form) else None,
                    "documents": documents}
        else:
            old = newest.criteria[int(p[1:])]
            base = {"id": old["id"], "family": old["family"], "figure": old["evidence"].get("figure"),
                    "documents": old["evidence"].get("documents")}
            if base["figure"]:
                base["figure"] = {k: base["figure"][k] for k in ("name", "unit")}
        criteria.append(criterion(p, base))
    body = {"version": newest.version + 1, "title": texts("title."),
            "validity_years": number("validity_years", whole=True), "regional": newest.body.get("regional", {}),
            "applies_from": form.get("applies_from", "").strip() or None, "criteria": criteria}
    return {k: v for k, v in body.items() if v is not None}


def _figure_typed(form) -> bool:
    return any(form.get(f"{NEW}.figure_{k}", "").strip() for k in ("name", "unit", "min", "max"))


def place_errors(errors: dict, sent: list[str], state: forms.FormState) -> None:
    """The contract's messages beside the form's fields (`sent`: the field prefix of each criterion sent);
    what belongs to no field (the version published meanwhile, no criterion left) is about the whole form."""
    placed: dict[str, list] = {}
    for key, value in errors.items():
        if key == "title" and isinstance(value, dict):
            for lang, messages in value.items():
                placed.setdefault(f"title.{lang}", []).extend(_texts(messages))
        elif key in ("applies_from", "validity_years"):
            placed.setdefault(key, []).extend(_texts(value))
        elif key == "criteria" and isinstance(value, dict):
            for index, problems in value.items():
                for name, messages in criterion_fields(sent[int(index)], problems).items():
                    placed.setdefault(name, []).extend(messages)
        elif key == "criteria" and NEW in sent:  # ids twice: the added criterion's id is the one to change
            placed.setdefault(f"{NEW}.id", []).extend(_texts(value))
        else:
            state.message = " ".join(shown(m) for m in _texts(value))
    unread = set(state.errors)  # a number the page could not read: its message says enough
    for name, messages in placed.items():
        if name in unread:
            continue
        # One message per field (the form's macro gives a field's message one id): the first says enough.
        state.errors.setdefault(name, [shown(messages[0])])


def criterion_fields(prefix: str, problems) -> dict[str, list]:
    """One criterion's messages by the form's field names (`<prefix>.…`). A kept criterion's id, family,
    figure name and unit and documents are not edited: their messages stand beside its kind."""
    found: dict[str, list] = {}
    added = prefix == NEW

    def field(name: str) -> str:
        return f"{prefix}.{name}" if added or name in ("figure_min", "figure_max") else f"{prefix}.kind"

    for part, messages in (problems.items() if isinstance(problems, dict) else [("kind", problems)]):
        if part == "text" and isinstance(messages, dict):
            for lang, texts in messages.items():
                found.setdefault(f"{prefix}.text.{lang}", []).extend(_texts(texts))
        elif part == "scoring" and isinstance(messages, dict):
            for name, texts in messages.items():
                found.setdefault(f"{prefix}.{name}", []).extend(_texts(texts))
        elif part == "evidence" and isinstance(messages, dict):
            for which, texts in messages.items():
                if which == "figure" and isinstance(texts, dict):
                    for end, figure_texts in texts.items():
                        found.setdefault(field(f"figure_{end}"), []).extend(_texts(figure_texts))
                else:
                    name = field("documents") if which == "documents" else field("figure_name")
                    found.setdefault(name, []).extend(_texts(texts))
        elif part in ("id", "family"):
            found.setdefault(field(part), []).extend(_texts(messages))
        else:
            found.setdefault(f"{prefix}.kind", []).extend(_texts(messages))
    return found


def _texts(messages) -> list[str]:
    return [m for texts in forms.flatten(messages).values() for m in texts]


# --- views -------------------------------------------------------------------------------------------

@blp.route("/")
@roles(*AGENCY)
def versions():
    with current_runtime().engine.connect() as conn:
        found = store.all_versions(conn)
    current = store.in_force(found, utc_today())
    return render_template("hub_criteria/versions.html", versions=list(reversed(found)), current=current,
                           may_publish=ADMIN in current_principal().roles, today=utc_today())


@blp.route("/<int:number>")
@roles(*AGENCY)
def version(number):
    with current_runtime().engine.connect() as conn:
        found = store.all_versions(conn)
    chosen = next((v for v in found if v.version == number), None)
    if chosen is None:
        raise NotFound(f"no criteria catalogue version {number}")
    return render_template("hub_criteria/version.html", version=chosen, languages=LANGUAGES,
                           current=store.in_force(found, utc_today()), requirement=requirement,
                           family_name=family_name)


@blp.route("/new", methods=["GET", "POST"])
@roles(ADMIN)
def new():
    runtime = current_runtime()
    with runtime.engine.connect() as conn:
        newest = store.newest(conn)
    state, status = forms.FormState(values=prefilled(newest)), 200
    if request.method == "POST" and request.form.get("based_on") != str(newest.version):
        # The form was drawn from an older version: its criteria are not the newest's (drawn again from it).
        state.message, status = _("Version %(n)s has been published meanwhile; the form now starts from it.",
                                  n=newest.version), 409
    elif request.method == "POST":
        status = 422
        body = body_of(request.form, newest, state)
        sent = sent_prefixes(request.form, newest)
        if state.errors:  # a number the page could not read: the rest is checked too, shown together
            try:
                publishing.check(body, newest.version, utc_today())
            except Invalid as exc:
                place_errors(exc.errors, sent, state)
        else:
            try:
                published = publishing.publish(runtime.uow(), body, member_site_ids(), current_principal().subject,
                                               utc_today())
            except (Invalid, Conflict) as exc:
                place_errors(exc.errors, sent, state)
                status = exc.status
            else:
                flash(_("Version %(n)s is published: it goes to every member site and applies from %(day)s.",
                        n=published.version, day=show_date(published.applies_from)), "success")
                return redirect(url_for(".version", number=published.version))
    return render_template("hub_criteria/new.html", form=state, newest=newest, languages=LANGUAGES,
                           kinds=[(k, kind_name(k)) for k in KINDS], next_version=newest.version + 1,
                           families=[(f, family_name(f)) for f in FAMILIES]), status


# --- what a page shows -------------------------------------------------------------------------------

def family_name(family: str) -> str:
    return {"social": _("social"), "ecological": _("ecological"), "quality": _("quality")}.get(family, family)


def kind_name(kind: str) -> str:
    names = {"threshold": _("threshold (passes on its figure)"), "scored": _("scored (the assessor gives a score)")}
    return names[kind]


def requirement(criterion: dict) -> str:
    """What a criterion asks, in words."""
    scoring, figure = criterion["scoring"], criterion["evidence"].get("figure")
    if criterion["kind"] == "threshold":
        return _("at least %(minimum)s %(unit)s", minimum=show_number(scoring["minimum"]), unit=figure["unit"])
    return _("a score of at least %(min)s out of %(max)s", min=scoring["min_score"], max=scoring["max_score"])
