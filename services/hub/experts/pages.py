"""The hub's public page `/experts`: the network-wide expert search, with a notice naming the sites that
did not answer (in the page's language) rather than leaving them out in silence."""
from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l

from services.common.auth import public
from services.contracts import nuts
from services.contracts.experts import ExpertQuery
from services.hub.experts import federated
from services.hub.experts.api import network_search
from services.hub.web.public import read_query, status_of
from services.web import nav_link, page_blueprint
from services.web.i18n import language

blp = page_blueprint("hub_experts_pages", __name__)
nav_link(blp, "experts", _l("Experts"), order=45)

REASON_TEXTS = {
    federated.TIMEOUT: _l("did not answer in time"),
    federated.UNREACHABLE: _l("cannot be reached"),
    federated.ERROR: _l("answered with an error"),
    federated.INVALID: _l("gave no valid answer"),
}


def language_choices() -> list[tuple[str, str]]:
    return [("de", _l("German")), ("hu", _l("Hungarian")), ("en", _l("English"))]


def region_choices() -> list[tuple[str, str]]:
    found: dict[str, str] = {}
    for code, name in nuts.names().items():
        found.setdefault(code[:4], code[:4])
        found[code] = f"{code} – {name}"
    return sorted(found.items())


@blp.route("/experts")
@public
def experts():
    args, state = read_query(ExpertQuery())
    result = network_search(args) if args is not None else None
    missing = [(m.site, REASON_TEXTS.get(m.reason, m.reason)) for m in result.sites_missing] if result else []
    return render_template("hub/experts/search.html", form=state, result=result, missing=missing, lang=language(),
                           language_choices=language_choices(), expert_regions=region_choices()), status_of(state)
