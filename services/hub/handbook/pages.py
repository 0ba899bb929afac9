"""The network's good-practice handbook in public: `/handbook`, the web page in the reader's language, and
`/handbook.pdf`, the download in `?lang=` (else the page's language)."""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from services.common.auth import public
from services.common.clock import utc_today
from services.common.runtime import current_runtime
from services.hub.handbook.book import handbook_pdf, network_handbook
from services.web import nav_link, page_blueprint
from services.web.handbook import page, pdf_response
from services.web.i18n import language

blp = page_blueprint("hub_handbook", __name__)
nav_link(blp, "handbook", _l("Good-practice handbook"), order=35)


@blp.route("/handbook")
@public
def handbook():
    runtime = current_runtime()
    with runtime.engine.connect() as conn:
        book = network_handbook(conn, language(), runtime.settings.federation)
    return page(book, url_for(".handbook_download"))


@blp.route("/handbook.pdf")
@public
def handbook_download():
    lang = language()  # `?lang=` chooses it (services.web.i18n.select_locale), else the page's language
    return pdf_response(handbook_pdf(current_runtime(), lang, utc_today()), "handbook-network", lang)
