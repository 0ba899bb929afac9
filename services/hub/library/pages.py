"""The hub's public network library (/library): every site's published items, searched in each text's own
language, each shown in the page's language (else its first text) and linking to its page at its site,
where its authors and its document are. The query string is loaded with the API's schema; a refusal is
drawn beside its field (422), never a 500."""
from __future__ import annotations

from flask import render_template
from flask_babel import get_locale, lazy_gettext as _l

from services.common.auth import public
from services.common.errors import Invalid
from services.common.runtime import current_runtime
from services.contracts.events.community import ITEM_KINDS
from services.hub.library import queries
from services.hub.library.api import NetworkLibraryQuery, item_url
from services.hub.web.public import member_sites, pages_of, read_query, status_of
from services.web import nav_link, page_blueprint

blp = page_blueprint("hub_library_pages", __name__)
nav_link(blp, "library", _l("Library"), order=40)
PER_PAGE = 20

KINDS = {"publication": _l("Publication"), "master_thesis": _l("Master's thesis"),
         "bachelor_thesis": _l("Bachelor's thesis"), "training_module": _l("Training module"),
         "handbook": _l("Handbook"), "report": _l("Report")}
LANGUAGE_NAMES = {"de": _l("German"), "hu": _l("Hungarian"), "en": _l("English")}


@blp.route("/library")
@public
def library():
    query, form = read_query(NetworkLibraryQuery())
    found, page = None, 1
    if query is not None:
        page = query["page"]
        try:
            found = queries.search(current_runtime().engine, query["q"], query["site"], query["kind"],
                                   query["language"], query["year"], page, PER_PAGE)
        except Invalid as exc:
            form.add_errors(exc.errors)
    language = str(get_locale() or "en")[:2]
    return render_template(
        "hub/library.html", form=form, found=found, page=page,
        pages=pages_of(found.total, PER_PAGE) if found else 1, total=found.total if found else 0,
        language=language, url_of=item_url, kinds=KINDS, language_names=LANGUAGE_NAMES,
        kind_choices=[(k, str(KINDS[k])) for k in ITEM_KINDS], sites=member_sites(),
        language_choices=[(k, str(v)) for k, v in LANGUAGE_NAMES.items()]), status_of(form)
