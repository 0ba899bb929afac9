"""The site's good-practice handbook in public (issue 19): `/handbook`, the web page in the reader's
language, and `/handbook.pdf`, the download in `?lang=` (else the page's language). What they show is
gathered in `services.registry.handbook`, the same for the page and the PDF."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from services.common.auth import public
from services.common.clock import utc_today
from services.common.runtime import current_runtime
from services.registry.handbook import handbook_pdf, site_handbook
from services.web import nav_link, page_blueprint
from services.web.handbook import page, pdf_response
from services.web.i18n import language

blp = page_blueprint("registry_handbook", __name__)
nav_link(blp, "handbook", _l("Good-practice handbook"), order=30)


@blp.route("/handbook")
@public
def handbook():
    runtime = current_runtime()
    with runtime.engine.connect() as conn:
        book = site_handbook(conn, language(), runtime.settings.site)
    return page(book, url_for(".handbook_download"))


@blp.route("/handbook.pdf")
@public
def handbook_download():
    lang = language()  # `?lang=` chooses it (services.web.i18n.select_locale), else the page's language
    runtime = current_runtime()
    return pdf_response(handbook_pdf(runtime, lang, utc_today()), f"handbook-{runtime.settings.site.id}", lang)
