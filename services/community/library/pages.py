"""The library's pages at a site.

Public: `/library`, the searchable listing (words in each text's own language, kind, language, year; paged;
each result says in which language's text it was found); `/library/<id>`, an item in the page's language
(else its first text), its authors and its document; `/library/<id>/document`, the download.
Office (brokers and site admins): `/office/library`, every item with its state; publishing one
(`/office/library/new`, with its PDF), changing one and withdrawing one.

The forms are loaded with the API's schema and call its handlers; a refused field, and a refused file
(empty, too large, no PDF by its content), is said beside it in the page's language (422), never a 500.
"""
from __future__ import annotations

import marshmallow as ma
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l

from services.common.auth import current_principal, public, roles
from services.common.body_limit import allows_body
from services.common.errors import Invalid, SoproError
from services.common.runtime import current_runtime
from services.community.library import documents, handlers, search
from services.community.library.api import EDITORS, attachment, max_body_bytes, max_document_bytes
from services.community.library.schemas import LibraryItemForm, TEXT_FIELDS
from services.contracts.events.community import ITEM_KINDS, LANGUAGES
from services.contracts.library import LibraryQuery
from services.web import OFFICE_AREA, forms, nav_link, page_blueprint
from services.web.i18n import language
from services.web.numbers import show_number

blp = page_blueprint("community_library_pages", __name__)
nav_link(blp, "library", _l("Library"), order=45)
nav_link(blp, "office_library", _l("Library"), roles=EDITORS, area=OFFICE_AREA, order=60)
PER_PAGE = 20

KINDS = {"publication": _l("Publication"), "master_thesis": _l("Master's thesis"),
         "bachelor_thesis": _l("Bachelor's thesis"), "training_module": _l("Training module"),
         "handbook": _l("Handbook"), "report": _l("Report")}
LANGUAGE_NAMES = {"de": _l("German"), "hu": _l("Hungarian"), "en": _l("English")}
MESSAGES = {
    "at least one title, in de, hu or en": _l("Please give a title in at least one language."),
    "a title is needed for a text in this language": _l("Please give a title for the text in this language."),
    f"at most {200} characters": _l("Please search with at most 200 characters."),
}


def _words(state: forms.FormState) -> forms.FormState:
    """The schema's own English messages in the page's language (the kernel translates the rest)."""
    for name, messages in state.errors.items():
        state.errors[name] = [str(MESSAGES.get(m, m)) for m in messages]
    return state


def _page_context() -> dict:
    return {"kinds": KINDS, "language_names": LANGUAGE_NAMES, "language": language(),
            "kind_choices": [(k, str(KINDS[k])) for k in ITEM_KINDS],
            "language_choices": [(k, str(v)) for k, v in LANGUAGE_NAMES.items()], "languages": LANGUAGES,
            "max_document": _("%(size)s MB", size=show_number(f"{max_document_bytes() / (1024 * 1024):.1f}"
                                                                .removesuffix(".0")))}


def _query_page(template: str, everything: bool):
    state = forms.FormState(values=request.args.to_dict())
    given = {k: v.strip() for k, v in request.args.items() if v.strip() and k != "lang"}
    found = None
    try:
        query = LibraryQuery().load(given, unknown="exclude")
        found = search.search(current_runtime().engine, query["q"], query["kind"], query["language"], query["year"],
                              query["page"], PER_PAGE, everything=everything)
    except Invalid as exc:
        state.add_errors(exc.errors)
    except ma.ValidationError as exc:
        state.add_errors(forms.flatten(exc.messages))
    _words(state)
    pages = max(1, -(-found.total // PER_PAGE)) if found else 1
    return render_template(template, form=state, found=found, pages=pages, **_page_context()), (
        200 if state.valid else 422)


# --- public ----------------------------------------------------------------------------------------

@blp.route("/library")
@public
def library():
    return _query_page("library/list.html", everything=False)


@blp.route("/library/<uuid:item_id>")
@public
def item(item_id):
    found = handlers.get(current_runtime().engine, str(item_id))
    return render_template("library/item.html", item=found, text=found.text_in(language()), **_page_context())


@blp.route("/library/<uuid:item_id>/document")
@public
def document(item_id):
    return attachment(*handlers.read_document(current_runtime().engine, str(item_id)))


# --- office ----------------------------------------------------------------------------------------

@blp.route("/office/library")
@roles(*EDITORS)
def office_library():
    return _query_page("library/office_list.html", everything=True)


FORM_FIELDS = ("kind", "year", "authors", "document_language",
               *(f"{name}_{lang}" for lang in LANGUAGES for name in TEXT_FIELDS))


def _file_refused(exc: SoproError, state: forms.FormState) -> None:
    if exc.code == documents.EMPTY:
        message = _("The file is empty. Please choose the document itself.")
    elif exc.code in (documents.TOO_LARGE, "too_large"):
        message = _("The file is larger than %(size)s. Please choose a smaller one.",
                    size=_page_context()["max_document"])
    elif exc.code == documents.WRONG_TYPE:
        message = _("This file is no PDF file. Its content was checked, not its name.")
    else:
        forms.apply_domain_error(exc, state)
        return
    state.errors.setdefault("file", []).append(message)


def _posted(partial: bool):
    """(the loaded form or None, the state to draw, the upload or None)."""
    body, values = forms.body_from(request.form, FORM_FIELDS)
    state = forms.FormState(values=values)
    schema = LibraryItemForm(partial=partial) if partial else LibraryItemForm()
    if partial:  # the page always sends every text field: an emptied one removes that language's text
        body.update({f: request.form.get(f, "") for f in FORM_FIELDS if f.split("_")[0] in TEXT_FIELDS})
    data = forms.load(schema, body, state)
    upload = request.files.get("file")
    chosen = (upload.filename, upload.read()) if upload is not None and upload.filename else None
    if chosen is not None:
        try:
            documents.checked(chosen[1], max_document_bytes())
        except SoproError as exc:
            _file_refused(exc, state)
            data = None
    if data is None:
        _words(state)
    return data, state, chosen


def _edit_page(state, found=None, status=200):
    return render_template("library/office_form.html", form=state, item=found, **_page_context()), status


@blp.route("/office/library/new", methods=["GET", "POST"])
@roles(*EDITORS)
@allows_body(max_body_bytes)
def new_item():
    if request.method == "GET":
        return _edit_page(forms.FormState(values={"document_language": language()}))
    data, state, upload = _posted(partial=False)
    if data is None:
        return _edit_page(state, status=422)
    try:
        created = handlers.publish(current_runtime().uow(), data, upload, current_principal().subject,
                                   max_document_bytes())
    except SoproError as exc:
        if exc.status not in (409, 422):
            raise
        _file_refused(exc, state)
        return _edit_page(state, status=exc.status)
    flash(_("The item %(reference)s is in the library.", reference=created.reference))
    return redirect(url_for(".office_library"))


def _shown(found) -> dict:
    values = {"kind": found.kind, "year": str(found.year), "authors": "\n".join(found.authors),
              "document_language": (found.document or {}).get("language", "")}
    for t in found.texts:
        values.update({f"{name}_{t['language']}": t[name] for name in TEXT_FIELDS})
    return values


@blp.route("/office/library/<uuid:item_id>", methods=["GET", "POST"])
@roles(*EDITORS)
@allows_body(max_body_bytes)
def edit_item(item_id):
    found = handlers.get(current_runtime().engine, str(item_id), public=False)
    if request.method == "GET":
        return _edit_page(forms.FormState(values=_shown(found)), found)
    data, state, upload = _posted(partial=True)
    if data is None:
        return _edit_page(state, found, 422)
    try:
        handlers.update(current_runtime().uow(), found.id, data, upload, current_principal().subject,
                        max_document_bytes())
    except SoproError as exc:
        if exc.status not in (409, 422):
            raise
        _file_refused(exc, state)
        return _edit_page(state, found, exc.status)
    flash(_("The item %(reference)s was changed.", reference=found.reference))
    return redirect(url_for(".office_library"))


@blp.route("/office/library/<uuid:item_id>/withdraw", methods=["POST"])
@roles(*EDITORS)
def withdraw_item(item_id):
    try:
        done = handlers.withdraw(current_runtime().uow(), str(item_id), current_principal().subject)
    except SoproError as exc:
        if exc.status != 409:
            raise
        abort(409)
    flash(_("The item %(reference)s was withdrawn from the library.", reference=done.reference))
    return redirect(url_for(".office_library"))
